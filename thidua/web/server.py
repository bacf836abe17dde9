"""Run the web app in several worker processes that share the load fairly (`thidua serve --workers`).

uvicorn's own ``--workers`` has every worker accept on one inherited listening socket. Linux then
hands most connections to whichever worker happens to wake first: measured with 20 keep-alive
clients and 2 workers, one worker held 19 connections and the other 1, so one process (one GIL)
served 95 % of the requests while the second CPU idled, and the median client waited 110 ms for
a 9 ms request (bench/README.md, web_load). Here each worker opens its **own** listening socket
on the same address with ``SO_REUSEPORT``, and the kernel spreads new connections over the
sockets by a hash of their addresses. Where the option does not exist (not Linux or a BSD), the
caller falls back to uvicorn's workers.

The parent supervises: it starts the workers, restarts one that dies on its own (with a warning,
and at most `MAX_RESTARTS` times a minute, so a worker that cannot start does not spin), and on
SIGINT or SIGTERM asks each to stop (uvicorn's graceful shutdown) and waits for them.

``SO_REUSEPORT`` lets another process of the **same user** bind the same port and receive some
of its connections; the kernel refuses other users. The app runs as its own user, as it should.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from collections import deque
from types import FrameType
from typing import Final

log = logging.getLogger(__name__)

APP: Final = "thidua.web.app:app_from_environment"
MAX_RESTARTS: Final = 5  # per worker slot, per minute
STOP_SECONDS: Final = 30.0  # how long a stopping worker gets before it is killed


def reuse_port_supported() -> bool:
    """Whether this system can give each worker its own socket on one port."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to (host, port) with ``SO_REUSEPORT``, listening.

    Raises:
        OSError: the address is taken by a socket without the option, or cannot be bound.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        sock.listen(2048)
        sock.set_inheritable(True)
    except BaseException:
        sock.close()
        raise
    return sock


def _worker(host: str, port: int) -> None:
    """One worker process: its own socket, one uvicorn server, until told to stop."""
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config(
        APP,
        factory=True,
        log_level="warning",
        proxy_headers=False,  # the client address the login rate limit counts is the socket's
    )
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int) -> int:
    """Run `workers` processes serving the app on (host, port) until SIGINT or SIGTERM.

    Returns the exit status: 0 after a requested stop, 1 when a worker kept dying.

    Raises:
        OSError: the address cannot be bound (checked once here, before any worker starts).
    """
    listening_socket(host, port).close()  # a taken port fails here, with one clear error
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter each: no forked engine or pool
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: list[multiprocessing.context.SpawnProcess] = []
    restarts: list[deque[float]] = [deque() for _ in range(workers)]
    status = 0
    try:
        for _ in range(workers):
            proc = ctx.Process(target=_worker, args=(host, port), daemon=False)
            proc.start()
            procs.append(proc)
        while not stopping:
            time.sleep(0.2)
            for i, proc in enumerate(procs):
                if proc.is_alive() or stopping:
                    continue
                now = time.monotonic()
                recent = restarts[i]
                while recent and now - recent[0] > 60:
                    recent.popleft()
                if len(recent) >= MAX_RESTARTS:
                    log.error("web worker %d died %d times in a minute; stopping the server", i, len(recent))
                    stopping, status = True, 1
                    break
                log.warning("web worker %d exited with status %s; starting it again", i, proc.exitcode)
                recent.append(now)
                procs[i] = ctx.Process(target=_worker, args=(host, port), daemon=False)
                procs[i].start()
    finally:
        for proc in procs:
            if proc.is_alive() and proc.pid is not None:
                proc.terminate()  # SIGTERM: uvicorn finishes the requests in flight
        deadline = time.monotonic() + STOP_SECONDS
        for proc in procs:
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
                proc.join()
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status
