"""Web app accounts: users with a role, and the sign-in attempts the rate limit counts.

The store never sees a password: callers pass an argon2 hash (thidua/web/passwords.py). Like
`store.repository`, functions take the `Session` first, the rest keyword-only, and never
commit: the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.corrections import check_editor
from store.errors import AccountError, DuplicateUserError
from store.models import ROLES, LoginAttempt, UserAccount
from store.types import utcnow


@dataclass(frozen=True, slots=True)
class FailureCounts:
    """Failed sign-ins within the window: for the name tried, and from the address."""

    by_name: int
    by_ip: int


def check_role(role: object) -> str:
    """Return `role` if it is one of `store.models.ROLES`; else raise `AccountError`."""
    if role not in ROLES:
        raise AccountError(f"unknown role {str(role)[:40]!r}; use one of {', '.join(ROLES)}")
    return str(role)


def add_user(session: Session, *, name: str, role: str, password_hash: str) -> UserAccount:
    """Add a user who may sign in with `role`; `name` is checked as an editor's name.

    Raises:
        InvalidEditorError: the name is empty, too long or not text.
        AccountError: an unknown role or an empty hash.
        DuplicateUserError: a user of that name exists.
    """
    clean = check_editor(name)
    role = check_role(role)
    if not password_hash:
        raise AccountError("a user needs a password hash")
    if user_named(session, clean) is not None:
        raise DuplicateUserError(f"a user named {clean!r} exists already")
    user = UserAccount(name=clean, role=role, password_hash=password_hash)
    session.add(user)
    session.flush()
    return user


def user_named(session: Session, name: str) -> UserAccount | None:
    """Return the user called `name` (exactly, after trimming), or None."""
    return session.scalars(select(UserAccount).where(UserAccount.name == name.strip())).one_or_none()


def user_by_id(session: Session, user_id: int) -> UserAccount | None:
    """Return the user with this id, or None."""
    return session.get(UserAccount, user_id)


def list_users(session: Session) -> list[UserAccount]:
    """Return every user, by name."""
    return list(session.scalars(select(UserAccount).order_by(UserAccount.name)))


def note_login(session: Session, *, name: str, ip: str, succeeded: bool, at: datetime | None = None) -> None:
    """Record one sign-in attempt (the name as typed, cut to the column's size)."""
    session.add(LoginAttempt(name=name[:128], ip=ip[:64], succeeded=succeeded, at=at or utcnow()))
    session.flush()


def recent_failures(
    session: Session, *, name: str, ip: str, window: timedelta, now: datetime | None = None
) -> FailureCounts:
    """Count failed sign-ins since `now - window` for `name` and from `ip`.

    A success does not reset the count: an attacker who knows one password cannot use it to
    go on guessing another account's from the same address.
    """
    since = (now or utcnow()) - window
    failed = (
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
    )
    by_name = session.scalar(failed.where(LoginAttempt.name == name[:128])) or 0
    by_ip = session.scalar(failed.where(LoginAttempt.ip == ip[:64])) or 0
    return FailureCounts(by_name=by_name, by_ip=by_ip)
