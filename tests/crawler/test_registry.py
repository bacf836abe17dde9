"""The portal registry as data (crawler/portals/*.toml): coverage, schema, family rules, probing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crawler import registry
from crawler.mockportals import start_server
from crawler.mockportals.portals import MOCK_PORTALS, mock_portal
from crawler.probe import httpx_fetch, probe
from crawler.registry import REGISTRY_DIR, RegistryError, load
from crawler.spiders.portal import PortalRules
from extract.places import places
from thidua.cli import main

TODAY = dt.date(2024, 3, 28)


def test_every_province_before_and_after_2025_has_a_portal_and_a_department() -> None:
    provinces = places().provinces
    assert len(provinces) == 63
    for p in provinces:
        own = [e for e in registry.REAL if e.province == p.name]
        portal = [e for e in own if e.level == "province"]
        assert len(portal) == 1, (p.name, [e.name for e in portal])
        assert any(e.level == "department" for e in own), p.name
        assert portal[0].current == p.in_2025
        assert portal[0].merged_into == (None if p.in_2025 else p.merged_into)
    current = {e.province for e in registry.REAL if e.level == "province" and e.current}
    assert len(current) == 34
    assert any(e.level == "national" for e in registry.REAL)


def test_the_mock_portals_are_entries_of_the_same_registry() -> None:
    assert [p.name for p in registry.MOCKS] == [m.name for m in MOCK_PORTALS]
    for m in MOCK_PORTALS:
        entry = registry.by_name(m.name)
        assert entry.mock and entry.hosts == (m.host,) and entry.family == m.family
        assert entry.province == m.province
    assert not any(p.mock for p in registry.REAL) and not set(registry.MOCKS) & set(registry.REAL)


@pytest.mark.parametrize(
    ("portal", "url", "kind"),
    [
        # real URL shapes from ../shared/research/portals.md, through the family templates
        ("bacgiang.gov.vn", "https://bacgiang.gov.vn/web/guest/-/khoi-thi-dua-so-3-tong-ket", "article"),
        ("bacgiang.gov.vn", "https://bacgiang.gov.vn/so-ban-nganh", "listing"),
        ("bacgiang.gov.vn", "https://bacgiang.gov.vn/web/guest/-/bai?p_p_state=pop_up&_viewMode=print", None),
        (
            "www.quangninh.gov.vn",
            "https://www.quangninh.gov.vn/Trang/ChiTietTinTuc.aspx?nid=113139",
            "article",
        ),
        ("www.quangninh.gov.vn", "https://www.quangninh.gov.vn/Trang/tin-tuc-su-kien.aspx", "listing"),
        (
            "portal.thaibinh.gov.vn",
            "https://portal.thaibinh.gov.vn/tintuc/Pages/tin-so-nganh.aspx?ItemID=38466",
            "article",
        ),
        (
            "sonoivu.backan.gov.vn",
            "https://sonoivu.backan.gov.vn/Pages/thong-tin-hoat-dong-387/tin-tuc-417/"
            "hoi-nghi-ky-ket-giao-uoc-thi-dua-khe-1bdc6d0a338797d4.aspx",
            "article",
        ),
        (
            "dienbien.gov.vn",
            "https://dienbien.gov.vn/portal/Pages/2020-5-29/VPUB--Nam-2019-uoc-tinh-thiet-hai-gaykd6fqr.aspx",
            "article",
        ),
        (
            "thuathienhue.gov.vn",
            "https://thuathienhue.gov.vn/vi-vn/Tin-so-nganh-dia-phuong/tid/Khoi-thi-dua-tong-ket/newsid/"
            "9F8EAFD1-DA64-4E95-8E14-AF610099477C/cid/B978B3F3-05EF-45E4-BEE7-F47C2B99302B",
            "article",
        ),
        (
            "tayninh.gov.vn",
            "https://tayninh.gov.vn/vi/news/thi-dua-khen-thuong/khoi-thi-dua-12345.html",
            "article",
        ),
        ("tayninh.gov.vn", "https://tayninh.gov.vn/vi/news/print/khoi-thi-dua-12345.html", None),
        ("hatinh.gov.vn", "https://hatinh.gov.vn/chi-dao-dieu-hanh?page=11", "listing"),
        ("ict-binhphuoc.gov.vn", "https://ict-binhphuoc.gov.vn/vn/newsdetail.aspx?news_id=63339", "article"),
        ("ict-binhphuoc.gov.vn", "https://ict-binhphuoc.gov.vn/vn/print.aspx?news_id=63339", None),
        ("stc.bacgiang.gov.vn", "https://stc.bacgiang.gov.vn/node/10489", "article"),
        ("stc.binhdinh.gov.vn", "https://stc.binhdinh.gov.vn/portal/cum-thi-dua-so-3-20645", "article"),
        # a site nobody has seen yet knows every family's shapes
        ("sonoivu.laocai.gov.vn", "https://sonoivu.laocai.gov.vn/Trang/ChiTietTinTuc.aspx?nid=7", "article"),
        ("sonoivu.laocai.gov.vn", "https://sonoivu.laocai.gov.vn/tin-tuc/khoi-thi-dua-101371", "article"),
        ("sonoivu.laocai.gov.vn", "https://other.gov.vn/tin-tuc/khoi-thi-dua-101371", None),
    ],
)
def test_family_rules_classify_real_url_shapes(portal: str, url: str, kind: str | None) -> None:
    assert PortalRules.of(registry.by_name(portal)).kind(url) == kind


def _registry_dir(tmp_path: Path, entry: str) -> Path:
    shutil.copyfile(REGISTRY_DIR / "families.toml", tmp_path / "families.toml")
    (tmp_path / "one.toml").write_text(entry, encoding="utf-8")
    return tmp_path


GOOD = """
[[portal]]
name = "example.gov.vn"
province = "Bắc Ninh"
family = "liferay"
hosts = ["example.gov.vn"]
start_urls = ["https://example.gov.vn/"]
"""


def test_a_good_entry_gets_its_family_rules(tmp_path: Path) -> None:
    (portal,) = load(_registry_dir(tmp_path, GOOD), ("one.toml",))
    assert portal.family == "liferay" and portal.article and portal.current and not portal.verified
    assert portal.sitemaps == ("https://example.gov.vn/sitemap.xml",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('family = "liferay"', 'family = "plone"'), "family 'plone' is not one of"),
        (('province = "Bắc Ninh"', 'province = "Atlantis"'), "'Atlantis' is not a province"),
        (('hosts = ["example.gov.vn"]', 'hosts = ["Example.gov.vn"]'), "not a lower-case host"),
        (
            ('start_urls = ["https://example.gov.vn/"]', 'start_urls = ["https://evil.test/"]'),
            "not on its hosts",
        ),
        (('family = "liferay"', "family = \"liferay\"\narticle = ['(unclosed']"), "does not compile"),
        (('family = "liferay"', 'family = "liferay"\nstart_url = []'), "start_url: Extra inputs"),
        (
            ('family = "liferay"', 'family = "liferay"\ncurrent = true\nmerged_into = "Phú Thọ"'),
            "merged_into",
        ),
        (('province = "Bắc Ninh"', 'province = ""'), "a province site names its province"),
    ],
)
def test_a_bad_entry_is_refused_with_where_and_why(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    with pytest.raises(
        RegistryError, match="one.toml, portal #1 \\(example.gov.vn\\): .*" + message.replace("(", "\\(")
    ):
        load(_registry_dir(tmp_path, GOOD.replace(*change)), ("one.toml",))


def test_names_and_hosts_are_unique(tmp_path: Path) -> None:
    twice = GOOD + GOOD.replace('name = "example.gov.vn"', 'name = "other"')
    with pytest.raises(RegistryError, match=r"the host example\.gov\.vn belongs to example\.gov\.vn"):
        load(_registry_dir(tmp_path, twice), ("one.toml",))
    with pytest.raises(RegistryError, match=r"cannot read .*one\.toml"):
        load(_registry_dir(tmp_path, "[[portal]\nname="), ("one.toml",))


# ---- thidua portals check, against the local mock portals only --------------------------------


def test_probe_finds_a_portal_answering_with_matching_rules() -> None:
    with start_server(today=TODAY) as server:
        fetch = httpx_fetch(proxy=server.url, timeout=10, user_agent="thidua-test")
        good = probe(registry.by_name("hoabinh"), fetch)
        drifted = probe(dataclasses.replace(registry.by_name("quangninh"), article=("^nothing$",)), fetch)
    assert good.ok and good.responded and good.article_links > 0 and good.listing_links > 0
    assert good.article_url and good.article_title
    assert not drifted.ok and "no link on the start pages matches an article rule" in drifted.problems


def test_probe_reports_a_portal_that_does_not_answer() -> None:
    with start_server(today=TODAY, portals=[mock_portal("hoabinh")]) as server:
        fetch = httpx_fetch(proxy=server.url, timeout=10, user_agent="thidua-test")
        result = probe(registry.by_name("thaibinh"), fetch)  # not served: the proxy says 502
    assert not result.ok and not result.responded
    assert all("HTTP 502" in p for p in result.problems)


def test_portals_cli_lists_validates_and_checks() -> None:
    listed = CliRunner().invoke(main, ["portals", "--which", "mock"])
    assert listed.exit_code == 0 and listed.stdout.count("\n") == len(registry.MOCKS)
    assert "registry valid" in listed.stderr
    with start_server(today=TODAY, portals=[mock_portal("hoabinh")]) as server:
        env = {"THIDUA_HTTP_PROXY": server.url}
        ok = CliRunner().invoke(main, ["portals", "check", "hoabinh"], env=env)
        bad = CliRunner().invoke(main, ["portals", "check", "hoabinh", "thaibinh"], env=env)
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.startswith("hoabinh") and " ok " in ok.stdout
    assert bad.exit_code == 1 and "thaibinh" in bad.stdout and "no answer" in bad.stdout
    assert "1 of 2 portals answer" in bad.stderr
