"""The web app: `create_app(settings)` builds it; `thidua serve` runs it with uvicorn.

Server-rendered pages (Jinja2, autoescaped) and a JSON API under ``/api`` over the same store
functions, documented at ``/openapi.json``. FastAPI's interactive docs pages are off: they load
scripts from a CDN and run inline scripts, which the Content-Security-Policy forbids.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy import Engine

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
        # one connection for each of the threads a worker runs sync routes in (anyio's default
        # 40), so a burst waits for the CPU, not for a connection (a pool timeout is a 500)
        pool = {"pool_size": 10, "max_overflow": 30, "pool_timeout": 300}
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
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
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

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if not request.url.path.startswith("/static/"):
            # pages hold the CSRF token and what an editor is doing: never cached
            response.headers.setdefault("Cache-Control", "no-store")
        return response

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
    return create_app(Settings())
