from __future__ import annotations

import http.client

from mockhelpers import fetch

from crawler.mockportals.server import MockPortalServer


def test_absolute_uri_request_line_is_dispatched_by_its_host(server: MockPortalServer) -> None:
    status, headers, body = fetch(server, "http://hoabinh.gov.vn.test/web/guest/tin-so-nganh")
    assert status == 200
    assert "charset=utf-8" in headers["content-type"]
    assert "Cổng thông tin điện tử tỉnh Hòa Bình" in body.decode()


def test_host_header_dispatch_reaches_a_different_site(server: MockPortalServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("GET", "/Trang/tin-tuc-su-kien.aspx", headers={"Host": "quangninh.gov.vn.test"})
    resp = conn.getresponse()
    body = resp.read().decode()
    conn.close()
    assert resp.status == 200
    assert "Quảng Ninh Portal" in body and "Hòa Bình" not in body


def test_unknown_host_is_a_502_like_a_dns_failure(server: MockPortalServer) -> None:
    status, _, body = fetch(server, "http://www.tinh-khong-ton-tai.gov.vn.test/")
    assert status == 502
    assert b"Unknown host" in body


def test_connect_tunnels_are_refused(server: MockPortalServer) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("CONNECT", "hoabinh.gov.vn.test:443")
    resp = conn.getresponse()
    conn.close()
    assert resp.status == 501


def test_every_portal_is_served_and_its_url_is_loopback(server: MockPortalServer) -> None:
    assert server.url.startswith("http://127.0.0.1:")
    names = {s.portal.name for s in server.sites.values()}
    assert {"hoabinh", "quangninh", "binhphuoc-stttt", "tayninh-stc", "quangnam-toaan", "thidua-tw"} <= names


def test_footer_visit_counter_changes_per_request(server: MockPortalServer) -> None:
    url = "http://bacgiang.gov.vn.test/web/guest/tin-so-nganh"
    first = fetch(server, url)[2]
    second = fetch(server, url)[2]
    assert first != second  # raw-HTML hashes are useless for change detection (portals.md §4.9)
