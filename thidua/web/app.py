"""The web app: `create_app(settings)` builds it; `thidua serve` runs it with uvicorn.

Server-rendered pages (Jinja2, autoescaped) and a JSON API under ``/api`` over the same store
functions, documented at ``/openapi.json``. FastAPI's interactive docs pages are off: they load
scripts from a CDN and run inline scripts, which the Content-Security-Policy forbids.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

import anyio.to_thread
import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from store.db import open_store, session_factory
from store.errors import (
    ArticleNotFoundError,
    CorrectionError,
    CorrectionNotFoundError,
    DatabaseError,
    EntityNotFoundError,
    NoRecordError,
    PreviewOutdatedError,
    QueryError,
    StoreError,
)
from store.facet_index import IndexKeeper
from thidua.settings import Settings
from thidua.web.cache import ResultCache
from thidua.web.deps import WebContext
from thidua.web.security import HEADERS, Signer, safe_href

HERE: Final = Path(__file__).parent
SECRET_ENV: Final = "THIDUA_WEB_SECRET"


def _status_of(exc: StoreError) -> int:
    if isinstance(exc, ArticleNotFoundError | NoRecordError | CorrectionNotFoundError | EntityNotFoundError):
        return 404
    if isinstance(exc, PreviewOutdatedError):
        return 409  # the groups changed since the preview: preview again
    if isinstance(exc, QueryError):
        return 400
    if isinstance(exc, CorrectionError):
        return 422
    if isinstance(exc, DatabaseError):
        return 503
    return 400


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,  # every template, whatever its name: article text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["web_link"] = safe_href
    return Jinja2Templates(env=env)


class SecurityHeaders:
    """Adds `HEADERS` (the Content-Security-Policy and friends) to every response, and
    ``Cache-Control: no-store`` outside ``/static/``: pages hold the CSRF token and what an editor
    is doing, so no browser or proxy may keep them. A header the route set itself is kept.

    A plain ASGI middleware that edits the response's start message: Starlette's
    ``@app.middleware("http")`` runs every request through a second task and a memory stream, a
    measurable share of a cheap request (bench/README.md, web_load).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in HEADERS.items():
                    headers.setdefault(name, value)
                if not static:
                    headers.setdefault("Cache-Control", "no-store")
            await send(message)

        await self.app(scope, receive, send_with_headers)


def create_app(settings: Settings, *, engines: tuple[Engine, Engine] | None = None) -> FastAPI:
    """Return the web app over the store at `settings.database_url`.

    Args:
        settings: the settings; `web_secret` must be set (`thidua serve` makes one if not).
        engines: (read-only, writable) engines to use instead of opening the database (tests).

    Raises:
        ValueError: no `web_secret`.
        DatabaseError: the database is missing, unreachable or not at the schema's head.
    """
    if settings.web_secret is None:
        raise ValueError(f"{SECRET_ENV} is not set; `thidua serve` makes one, or set it (32+ characters)")
    owned = engines is None
    if engines is None:
        # more connections than the threads a worker runs sync routes in (`web_threads`), so a
        # burst waits for the CPU, never for a connection (a pool timeout is a 500); a session
        # keeps its connection until its request's response is sent
        pool: dict[str, Any] = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 300}
        if settings.database_url.startswith("postgresql"):
            # reads without BEGIN and ROLLBACK: two round trips and a share of the server's CPU
            # per request. Nothing changes for what a read sees: at READ COMMITTED every
            # statement takes a snapshot of its own, in a transaction or not.
            pool["isolation_level"] = "AUTOCOMMIT"
        read_engine = open_store(settings.database_url, read_only=True, **pool)
        write_engine = open_store(settings.database_url, pool_size=2, max_overflow=8, pool_timeout=300)
    else:
        read_engine, write_engine = engines
    templates = _templates()
    ctx = WebContext(
        settings=settings,
        signer=Signer(
            settings.web_secret.get_secret_value(), max_age_seconds=settings.web_session_minutes * 60
        ),
        read_sessions=session_factory(read_engine),
        write_sessions=session_factory(write_engine),
        templates=templates,
        cache=ResultCache(settings.web_cache_size, settings.web_cache_seconds),
        facet_index=(
            IndexKeeper(session_factory(read_engine), max_age=settings.web_cache_seconds)
            if settings.web_facet_index
            else None
        ),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # the sync routes run in this many threads per worker (anyio's default is 40): enough to
        # overlap one request's database wait with another's Python, few enough that requests
        # queue in order instead of taking turns at the GIL every few milliseconds, which made
        # a 4-ms request wait 100-200 ms at random under 20 clients (bench/README.md, web_load)
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.web_threads
        if ctx.facet_index is not None:
            ctx.facet_index.refresh()  # built while the worker starts taking requests
        yield
        if ctx.facet_index is not None:
            ctx.facet_index.close()  # before the engines it reads from go
        if owned:
            read_engine.dispose()
            write_engine.dispose()

    app = FastAPI(
        title="thidua",
        summary="Emulation-bloc records from Vietnamese provincial news: search, read, export, correct.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    app.add_middleware(SecurityHeaders)

    def error_page(
        request: Request,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        error: str | None = None,
    ) -> Response:
        if _wants_json(request):
            body = {"detail": message} | ({"error": error} if error else {})
            return JSONResponse(body, status_code=status, headers=headers)
        return templates.TemplateResponse(
            request,
            "error.html",
            {"status": status, "message": message, "viewer": None, "error": error},
            status_code=status,
            headers=headers,
        )

    @app.exception_handler(StoreError)
    async def store_error(request: Request, exc: StoreError) -> Response:
        # the store's named error travels with its message, so a client can tell refusals apart
        return error_page(request, _status_of(exc), str(exc), error=type(exc).__name__)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return error_page(request, exc.status_code, str(exc.detail), dict(exc.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> Response:
        def where(loc: Any) -> str:
            return ".".join(str(p) for p in loc if p not in ("query", "body", "path"))

        problems = "; ".join(f"{where(e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors())
        if _wants_json(request):
            return JSONResponse({"detail": problems or "bad request"}, status_code=422)
        return error_page(request, 422, problems or "bad request")

    from thidua.web import routes_editor, routes_entities, routes_research

    app.include_router(routes_research.router)
    app.include_router(routes_editor.router)
    app.include_router(routes_entities.router)
    return app


def app_from_environment() -> FastAPI:
    """The app as `thidua serve` starts it in each uvicorn worker: settings from the environment."""
    app = create_app(Settings())
    _tune_collector()
    return app


def _tune_collector() -> None:
    """Make Python's cyclic garbage collector cheap for a server worker, once the app is built.

    Everything made so far (modules, the app, SQLAlchemy's and pydantic's metadata: most of the
    heap) is moved out of the collector's sight (`gc.freeze`): it lives as long as the process,
    yet a full collection walked all of it again and again. And a young collection runs after
    20,000 new objects instead of 700: a search request makes thousands (SQL constructs, rows,
    models), so the default collected several times inside every request. Measured under 20
    clients (bench/README.md, web_load): p95 latency 180-240 ms before, 125-130 ms after, same
    median. Garbage in cycles still goes, a little later.
    """
    gc.freeze()
    gc.set_threshold(20_000, 20, 20)
