from __future__ import annotations

import http.client

import pytest
from mockhelpers import TODAY, every_portal_corpus, fetch

from crawler.mockportals.faults import FaultConfig, FaultInjector, HostFaults
from crawler.mockportals.server import start_server

HOST = "hoabinh.gov.vn.test"
URL = f"http://{HOST}/web/guest/tin-so-nganh"


def test_faults_are_off_by_default() -> None:
    inj = FaultInjector(None)
    assert {inj.decide(HOST, "/x").kind for _ in range(50)} == {"none"}


def test_decisions_are_deterministic_per_seed_and_retries_get_fresh_draws() -> None:
    cfg = FaultConfig(seed=7, hosts={HOST: HostFaults(error_rate=0.5, latency_jitter=2.0)})
    a = [FaultInjector(cfg).decide(HOST, "/p") for _ in range(1)]
    runs = []
    for _ in range(2):
        inj = FaultInjector(cfg)
        runs.append([inj.decide(HOST, "/p") for _ in range(20)])
    assert runs[0] == runs[1] and runs[0][0] == a[0]
    kinds = {d.kind for d in runs[0]}
    assert kinds == {"none", "error"}  # some attempts fail, some succeed
    assert all(0.0 <= d.delay <= 2.0 for d in runs[0])
    other = FaultInjector(FaultConfig(seed=8, hosts=cfg.hosts))
    assert [other.decide(HOST, "/p") for _ in range(20)] != runs[0]


def test_rates_are_validated() -> None:
    with pytest.raises(ValueError, match="error_rate"):
        HostFaults(error_rate=1.5)


def _server(faults: HostFaults):  # type: ignore[no-untyped-def]
    return start_server(corpus=every_portal_corpus(), today=TODAY, faults=FaultConfig(hosts={HOST: faults}))


def test_error_rate_one_gives_the_configured_status_only_on_that_host() -> None:
    with _server(HostFaults(error_rate=1.0, error_status=500)) as server:
        assert fetch(server, URL)[0] == 500
        assert fetch(server, "http://bacgiang.gov.vn.test/web/guest/tin-so-nganh")[0] == 200
        assert fetch(server, f"http://{HOST}/robots.txt")[0] == 200  # spared by default


def test_throttle_sends_429_with_retry_after() -> None:
    with _server(HostFaults(throttle_rate=1.0, retry_after=3)) as server:
        status, headers, _ = fetch(server, URL)
        assert status == 429 and headers["retry-after"] == "3"


def test_connection_reset_breaks_the_response() -> None:
    with (
        _server(HostFaults(reset_rate=1.0)) as server,
        pytest.raises((ConnectionError, http.client.HTTPException)),
    ):
        fetch(server, URL)


def test_truncated_body_is_shorter_than_its_content_length() -> None:
    with (
        _server(HostFaults(truncate_rate=1.0)) as server,
        pytest.raises((http.client.IncompleteRead, ConnectionError)),
    ):
        fetch(server, URL)


def test_the_server_counts_the_most_requests_to_a_host_answered_at_once() -> None:
    from concurrent.futures import ThreadPoolExecutor

    with _server(HostFaults(latency=0.5)) as server:
        fetch(server, URL)
        fetch(server, URL)  # one after the other: never two at once
        assert server.max_in_flight == {HOST: 1}
        with ThreadPoolExecutor(3) as pool:  # three at once, each held 0.5 s by the latency
            assert [s for s, _, _ in pool.map(lambda _: fetch(server, URL), range(3))] == [200] * 3
        fetch(server, "http://bacgiang.gov.vn.test/web/guest/tin-so-nganh")
        assert server.max_in_flight == {HOST: 3, "bacgiang.gov.vn.test": 1}
