"""Sessions, CSRF tokens and the response headers that keep article text inert.

- **Session**: a cookie signed with itsdangerous (HttpOnly, SameSite=Strict, Secure when the
  settings say so) holding the user's id, a random session id and the time it was signed; it
  expires after `Settings.web_session_minutes`. Nothing else is stored server-side: the user row
  is read on every request, so a deleted user's cookie stops working at once.
- **CSRF**: every write carries a token (a form field or the ``X-CSRF-Token`` header) that is an
  HMAC of the session id under the server's key; SameSite=Strict is the second lock. The sign-in
  form, before any session, uses a double-submit pair: a random value in a cookie and its HMAC
  in the form.
- **Headers**: a Content-Security-Policy that allows scripts, styles and images from the app
  itself only (no ``unsafe-inline``, no inline script or style anywhere in the templates), no
  framing, no MIME sniffing, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any, Final

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SESSION_COOKIE: Final = "thidua_session"
LOGIN_COOKIE: Final = "thidua_login"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"

CSP: Final = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS: Final = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class SessionExpiredError(Exception):
    """The session cookie is genuine but older than the session lifetime."""


class SessionInvalidError(Exception):
    """The session cookie was not signed by this server (tampered, or an old key)."""


@dataclass(frozen=True, slots=True)
class SessionData:
    """What a session cookie says: who, and which session (the CSRF token is bound to it)."""

    user_id: int
    sid: str


class Signer:
    """Signs and checks session cookies and CSRF tokens with the server's key."""

    def __init__(self, secret: str, *, max_age_seconds: int) -> None:
        self._key = secret.encode()
        self._sessions = URLSafeTimedSerializer(secret, salt="thidua-session")
        self.max_age = max_age_seconds

    def new_session(self, user_id: int) -> tuple[str, SessionData]:
        """Return the cookie value of a new session for `user_id`, and what it holds."""
        data = SessionData(user_id, secrets.token_urlsafe(24))
        return self._sessions.dumps({"u": data.user_id, "s": data.sid}), data

    def read_session(self, cookie: str) -> SessionData:
        """Return what a session cookie holds.

        Raises:
            SessionExpiredError: signed by us, but older than the session lifetime.
            SessionInvalidError: not signed by us, or not a session.
        """
        try:
            value: Any = self._sessions.loads(cookie, max_age=self.max_age)
        except SignatureExpired as exc:
            raise SessionExpiredError("the session expired") from exc
        except BadSignature as exc:
            raise SessionInvalidError("the session cookie is not valid") from exc
        if not (
            isinstance(value, dict) and isinstance(value.get("u"), int) and isinstance(value.get("s"), str)
        ):
            raise SessionInvalidError("the session cookie is not valid")
        return SessionData(value["u"], value["s"])

    def _mac(self, purpose: str, value: str) -> str:
        return hmac.new(self._key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()

    def csrf_token(self, session: SessionData) -> str:
        """Return the CSRF token of a session."""
        return self._mac("csrf", session.sid)

    def csrf_ok(self, session: SessionData, token: str | None) -> bool:
        """Tell whether `token` is the CSRF token of `session`."""
        return bool(token) and hmac.compare_digest(self.csrf_token(session), str(token))

    def login_pair(self) -> tuple[str, str]:
        """Return a (cookie value, form token) pair for the sign-in form."""
        nonce = secrets.token_urlsafe(24)
        return nonce, self._mac("login", nonce)

    def login_ok(self, cookie: str | None, token: str | None) -> bool:
        """Tell whether the sign-in form's token matches its cookie."""
        return (
            bool(cookie) and bool(token) and hmac.compare_digest(self._mac("login", str(cookie)), str(token))
        )


def safe_href(url: object) -> str | None:
    """Return `url` if a link to it cannot run code (http or https only), else None.

    Article URLs come from the crawl and text from the internet: a ``javascript:`` or
    ``data:`` URL is shown as text, never made a link.
    """
    text = str(url or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else None
