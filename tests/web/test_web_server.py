"""`thidua serve --workers N` (thidua/web/server.py): every worker has its own listening socket, so
keep-alive clients spread over the workers; a worker that dies is started again; SIGTERM stops
the server with status 0. Run as an operator runs it: the `thidua` command in a child process."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from seed import seed
from webclient import SECRET

from thidua.web.server import listening_socket, reuse_port_supported

pytestmark = pytest.mark.skipif(not reuse_port_supported(), reason="SO_REUSEPORT is Linux and BSD only")
THIDUA = str(Path(sys.executable).with_name("thidua"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def _workers(parent: int) -> set[int]:
    """The pids of the server's worker processes (its children running `_worker`)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            cmdline = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"spawn_main" in cmdline:
            found.add(int(entry.name))
    return found


def _connections_by_worker(pids: set[int], port: int) -> dict[int, int]:
    """How many established connections to `port` each process holds (from /proc)."""
    established = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
            established.add(fields[9])  # the socket's inode
    counts = {}
    for pid in pids:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                link = os.readlink(fd)
            except OSError:
                continue
            if link.startswith("socket:["):
                inodes.add(link[8:-1])
        counts[pid] = len(inodes & established)
    return counts


def _get(conn: http.client.HTTPConnection, path: str) -> int:
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    return response.status


def _get_once(port: int, path: str) -> int:
    """GET `path` on a new connection, closed afterwards."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        return _get(conn, path)
    finally:
        conn.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    url = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    seed(url)
    port = _free_port()
    env = {**os.environ, "THIDUA_DATABASE_URL": url, "THIDUA_WEB_SECRET": SECRET}
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen([THIDUA, "serve", "--port", str(port), "--workers", "2"], env=env, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the server did not start"
            if len(_workers(proc.pid)) == 2:
                try:
                    # both workers listening: a connection to each would succeed
                    if all(_get_once(port, "/") == 200 for _ in range(4)):
                        break
                except OSError:
                    pass
            time.sleep(0.2)
        yield proc, port
    finally:
        if proc.poll() is None:  # a failed test: stop it as an operator would, so it cleans up
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def test_keep_alive_clients_spread_over_the_workers_and_a_dead_worker_comes_back(
    served: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = served
    workers = _workers(proc.pid)
    clients = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(100)]
    with ThreadPoolExecutor(len(clients)) as pool:  # all at once, as a crowd of researchers
        assert all(pool.map(lambda c: _get(c, "/api/records?q=khen") == 200, clients))
    held = _connections_by_worker(workers, port)
    # 100 connections hashed over two sockets: more than 70 on one has odds of about 1 in 15,000
    # (uvicorn's one shared socket gave one worker 19 of 20)
    assert sum(held.values()) == 100 and all(30 <= n <= 70 for n in held.values()), held
    for c in clients:
        c.close()

    victim = min(workers)
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = _workers(proc.pid)
        if len(now) == 2 and victim not in now:
            break
        assert time.monotonic() < deadline, f"no worker replaced {victim}: {now}"
        time.sleep(0.2)
    assert all(_get_once(port, "/") == 200 for _ in range(6))

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    assert not _workers(proc.pid)


def test_a_port_in_use_is_refused_before_any_worker_starts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    seed(url)
    with socket.socket() as taken:  # a socket without SO_REUSEPORT holds the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "THIDUA_DATABASE_URL": url, "THIDUA_WEB_SECRET": SECRET}
        done = subprocess.run(
            [THIDUA, "serve", "--port", str(port), "--workers", "2"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode != 0
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr


def test_two_sockets_share_one_port() -> None:
    first = listening_socket("127.0.0.1", 0)
    try:
        port = first.getsockname()[1]
        second = listening_socket("127.0.0.1", port)
        second.close()
    finally:
        first.close()


def test_a_worker_computes_web_threads_requests_at_once(tmp_path: Path) -> None:
    import anyio.to_thread
    from fastapi.testclient import TestClient

    from thidua.settings import Settings
    from thidua.web.app import create_app

    url = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    seed(url)

    async def tokens() -> float:
        return anyio.to_thread.current_default_thread_limiter().total_tokens

    with TestClient(create_app(Settings(database_url=url, web_secret=SECRET, web_threads=3))) as c:
        assert c.portal is not None and c.portal.call(tokens) == 3
        assert c.get("/api/records").status_code == 200


def test_a_server_worker_tunes_the_garbage_collector(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'thidua.sqlite'}"
    seed(url)
    code = (
        "import gc; from thidua.web.app import app_from_environment; app_from_environment(); "
        "print(gc.get_threshold()[0], gc.get_freeze_count() > 10000)"
    )
    env = {**os.environ, "THIDUA_DATABASE_URL": url, "THIDUA_WEB_SECRET": SECRET}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["20000", "True"]  # the app's own objects frozen, young collections rarer
