"""Password hashes for editors' accounts: argon2id through argon2-cffi, nothing else.

The store keeps only the hash (`store.accounts`); a password never leaves this module's callers.
"""

from __future__ import annotations

from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_PASSWORD_CHARS: Final = 10
MAX_PASSWORD_CHARS: Final = 1024  # argon2 takes any length; a cap keeps a request from costing more

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# verified against when the user does not exist, so an unknown name takes as long as a wrong password
_DUMMY: Final = _hasher.hash("not a password of anyone")


class WeakPasswordError(ValueError):
    """Raised when a new password is too short or too long."""


def hash_password(password: str) -> str:
    """Return the argon2id hash of a new password.

    Raises:
        WeakPasswordError: shorter than `MIN_PASSWORD_CHARS` or longer than `MAX_PASSWORD_CHARS`.
    """
    if len(password) < MIN_PASSWORD_CHARS:
        raise WeakPasswordError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise WeakPasswordError(f"the password has more than {MAX_PASSWORD_CHARS} characters")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Tell whether `password` matches `password_hash`; None (no such user) never matches."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _hasher.verify(password_hash or _DUMMY, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
