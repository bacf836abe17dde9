"""`thidua serve` and `thidua users …`: thin wrappers over thidua.web and store.accounts."""

from __future__ import annotations

import ipaddress
import os
import secrets
import shutil
import sys
import tempfile
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import click

from thidua.settings import Settings


def _settings() -> Settings:
    from thidua.cli import _settings as read  # the CLI's one settings reader (cli imports us)

    return read()


CACHE_DIR_ENV: Final = "THIDUA_WEB_CACHE_DIR"


@contextmanager
def shared_cache_dir(
    settings: Settings, workers: int, environ: MutableMapping[str, str] = os.environ
) -> Iterator[Path | None]:
    """Give the worker processes of one server a directory to share cached results in
    (thidua/web/cache.py), for as long as the block runs; yield it (None: none needed).

    The directory of `settings.web_cache_dir` is used as it is. When unset, and the server has
    more than one worker and a cache, a private one is made (mode 0700) and named in `environ`
    (THIDUA_WEB_CACHE_DIR), which every worker inherits; at the end it is removed and the
    variable with it. One worker has nothing to share: its memory is its cache.
    """
    if settings.web_cache_dir is not None or workers < 2 or settings.web_cache_size <= 0:
        yield settings.web_cache_dir
        return
    path = Path(tempfile.mkdtemp(prefix="thidua-web-cache-"))  # mode 0700: this user's alone
    environ[CACHE_DIR_ENV] = str(path)
    try:
        yield path
    finally:
        environ.pop(CACHE_DIR_ENV, None)
        shutil.rmtree(path, ignore_errors=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default=None, help="Address to listen on [default: THIDUA_WEB_HOST or 127.0.0.1].")
@click.option("--port", type=int, default=None, help="Port [default: THIDUA_WEB_PORT or 8000].")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="uvicorn worker processes."
)
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Run the web app over THIDUA_DATABASE_URL: researchers search and export, editors review.

    Listens on loopback unless told otherwise. Sessions are signed with THIDUA_WEB_SECRET; when
    it is unset a random key is made for this run (signing everyone out at the next start).
    Editors' accounts: `thidua users add NAME --role editor`. With several workers, they share
    cached results in THIDUA_WEB_CACHE_DIR, or in a private directory made for the run.

    Example: THIDUA_DATABASE_URL=sqlite:///var/demo.sqlite thidua serve --port 8000
    """
    import uvicorn

    from store.db import describe_url, open_store
    from store.errors import DatabaseError
    from thidua.web.server import reuse_port_supported, serve_workers

    s = _settings()
    host = host or s.web_host
    port = port or s.web_port
    try:  # fail here with one line, before uvicorn starts workers that would each fail
        open_store(s.database_url, read_only=True).dispose()
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    if s.web_secret is None:
        # every worker reads the same key from the environment it inherits
        os.environ["THIDUA_WEB_SECRET"] = secrets.token_urlsafe(48)
    if not _is_loopback(host):
        click.echo(
            f"warning: listening on {host}, not loopback: put TLS in front, set THIDUA_WEB_COOKIE_SECURE=1",
            err=True,
        )
    click.echo(f"thidua web app on http://{host}:{port}/ over {describe_url(s.database_url)}", err=True)
    with shared_cache_dir(s, workers):
        if workers > 1 and reuse_port_supported():
            # one socket per worker, so the kernel spreads connections evenly (thidua/web/server.py)
            try:
                status = serve_workers(host, port, workers)
            except OSError as exc:
                raise click.ClickException(f"cannot listen on {host}:{port}: {exc}") from exc
            if status:
                raise SystemExit(status)
            return
        uvicorn.run(
            "thidua.web.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=False,  # the client address the login rate limit counts is the socket's
        )


@click.group("users")
def users() -> None:
    """Editors' accounts for the web app (`thidua serve`).

    Example: thidua users add 'Nguyễn Thị Lan' --role editor
    """


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["editor", "admin"]), default="editor", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input (one line).")
def users_add(name: str, role: str, password_stdin: bool) -> None:
    """Add a user who signs in to correct records; the password is prompted (or read from stdin).

    Only its argon2 hash is stored.

    Example: thidua users add 'Nguyễn Thị Lan' --role editor
    """
    from store.accounts import add_user
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError
    from thidua.web.passwords import WeakPasswordError, hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        hashed = hash_password(password)
    except WeakPasswordError as exc:
        raise click.ClickException(str(exc)) from exc
    url = _settings().database_url
    try:
        engine = open_store(url)
        try:
            with translate_errors(url), session_factory(engine)() as session, session.begin():
                user = add_user(session, name=name, role=role, password_hash=hashed)
                shown_name = user.name
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"user {shown_name!r} added as {role}")


@users.command("list")
def users_list() -> None:
    """List the web app's users and their roles.

    Example: thidua users list
    """
    from store.accounts import list_users
    from store.db import open_store, session_factory, translate_errors
    from store.errors import StoreError

    url = _settings().database_url
    try:
        engine = open_store(url, read_only=True)
        try:
            with translate_errors(url), session_factory(engine)() as session:
                rows = [(u.name, u.role, u.created_at) for u in list_users(session)]
        finally:
            engine.dispose()
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    for name, role, created in rows:
        click.echo(f"{name}\t{role}\t{created:%Y-%m-%d}")
