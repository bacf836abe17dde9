"""What every route gets: the app's context, a database session, and who is asking.

Researchers' reads go through a read-only engine (`store.db.open_store(read_only=True)`), so
even a bug in a read route cannot write; only the editors' write routes get the writable one,
and only after `require_writer` checked the session, the role and the CSRF token.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Annotated, Final

from fastapi import Depends, HTTPException, Path, Query, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from store.accounts import user_by_id
from store.facet_index import IndexKeeper
from store.models import UserAccount
from thidua.settings import Settings
from thidua.web.cache import ResultCache, SharedDirectory
from thidua.web.security import (
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    SessionData,
    SessionExpiredError,
    SessionInvalidError,
    Signer,
)

WRITER_ROLES: Final = ("editor", "admin")
# ids are INTEGER columns: 32 bits on PostgreSQL; a larger one names nothing, so it is a 422,
# not a driver error
MAX_ID: Final = 2**31 - 1
RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="A row id.")]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


@dataclass(frozen=True, slots=True)
class WebContext:
    """Everything the routes share, built once by `thidua.web.app.create_app`."""

    settings: Settings
    signer: Signer
    read_sessions: sessionmaker[Session]
    write_sessions: sessionmaker[Session]
    templates: Jinja2Templates
    cache: ResultCache  # researchers' read results (thidua/web/cache.py)
    # the search page's facet values in memory (store/facet_index.py); None when turned off
    facet_index: IndexKeeper | None = None

    def __post_init__(self) -> None:
        # the cache's second level, shared by the server's worker processes through files, when
        # the settings name a directory (`thidua serve` does); a directory that cannot be used
        # leaves the cache in memory, with a warning
        path = self.settings.web_cache_dir
        if path is not None and self.cache.shared is None and self.cache.size > 0:
            self.cache.shared = SharedDirectory.open(
                path, ttl=self.settings.web_cache_seconds, size=self.settings.web_cache_size
            )


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: a signed-in user, or nobody (with why a cookie did not count)."""

    user: UserAccount | None = None
    session: SessionData | None = None
    csrf: str | None = None
    problem: str | None = None  # "expired", "invalid" or "unknown" when a cookie was refused

    @property
    def can_write(self) -> bool:
        return self.user is not None and self.user.role in WRITER_ROLES


async def context(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


Ctx = Annotated[WebContext, Depends(context)]


async def read_db(ctx: Ctx) -> AsyncIterator[Session]:
    # Opened and closed on the event loop, not in a worker thread: a session connects only at its
    # first query (in the route's thread), and closing a read session does no I/O worth a thread
    # (PostgreSQL reads run in autocommit, so there is no transaction to roll back; SQLite's is
    # in-process). Each thread hop costs a wake-up of the loop, a measurable share of a cheap
    # request (bench/README.md, web_load). The writable session stays in a thread: it commits.
    with ctx.read_sessions() as session:
        yield session


def write_db(ctx: Ctx) -> Iterator[Session]:
    with ctx.write_sessions() as session:
        yield session


ReadDB = Annotated[Session, Depends(read_db)]
WriteDB = Annotated[Session, Depends(write_db)]


async def current_viewer(request: Request, ctx: Ctx, db: ReadDB) -> Viewer:
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:  # a researcher: nothing to read, so no thread
        return Viewer()
    return await run_in_threadpool(_signed_viewer, ctx, db, cookie)


def _signed_viewer(ctx: WebContext, db: Session, cookie: str) -> Viewer:
    """The viewer a session cookie names (reads the user: run in a worker thread)."""
    try:
        data = ctx.signer.read_session(cookie)
    except SessionExpiredError:
        return Viewer(problem="expired")
    except SessionInvalidError:
        return Viewer(problem="invalid")
    user = user_by_id(db, data.user_id)
    if user is None:
        return Viewer(problem="unknown")
    db.expunge(user)  # read after the request's session closes (templates)
    return Viewer(user, data, ctx.signer.csrf_token(data))


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]

REFUSALS: Final = {
    "expired": "your session expired; sign in again",
    "invalid": "your session cookie is not one this server signed; sign in again",
    "unknown": "your session names a user who no longer exists; sign in again",
}


def signed_in(viewer: CurrentViewer) -> Viewer:
    """The viewer, who must be signed in as an editor or admin (401/403 otherwise)."""
    if viewer.problem is not None:
        raise HTTPException(401, REFUSALS[viewer.problem])
    if viewer.user is None:
        raise HTTPException(401, "sign in as an editor first (researchers read without signing in)")
    if not viewer.can_write:
        raise HTTPException(403, f"the role {viewer.user.role!r} may not correct records")
    return viewer


SignedIn = Annotated[Viewer, Depends(signed_in)]


async def require_writer(request: Request, ctx: Ctx, viewer: SignedIn) -> Viewer:
    """The viewer of a write: signed in with a writing role, and with the session's CSRF token.

    The token comes from the ``X-CSRF-Token`` header (JSON API) or the ``csrf_token`` form
    field (HTML forms).
    """
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    assert viewer.session is not None  # signed_in made sure
    if not ctx.signer.csrf_ok(viewer.session, token):
        what = "missing" if not token else "wrong"
        raise HTTPException(403, f"the CSRF token is {what}; reload the page and try again")
    return viewer


Writer = Annotated[Viewer, Depends(require_writer)]
