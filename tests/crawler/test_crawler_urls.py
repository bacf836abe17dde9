"""crawler/urls.py: one canonical string per page, whatever URL form the portal linked."""

from __future__ import annotations

import pytest

from crawler.urls import absolute_link, absolute_links, canonicalize, host_in, is_variant, variant_kind

LIFERAY_LISTING = "http://hoabinh.gov.vn.test/web/guest/tin-so-nganh"

# fmt: off
# (description, variants of one page, family, detail)
SAME_PAGE = [
    ("scheme and host case",
     ["HTTP://HoaBinh.Gov.VN.test/web/guest/-/hoi-nghi", "http://hoabinh.gov.vn.test/web/guest/-/hoi-nghi"],
     "liferay", True),
    ("default ports",
     ["http://quangninh.gov.vn.test:80/Trang/ChiTietTinTuc.aspx?nid=5",
      "http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=5",
      ],
     "sharepoint", True),
    ("https :443",
     ["https://quangninh.gov.vn.test:443/Trang/ChiTietTinTuc.aspx?nid=5",
      "https://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=5"],
     "sharepoint", True),
    ("jsessionid in the path",
     ["http://hoabinh.gov.vn.test/web/guest/-/hoi-nghi;jsessionid=0A1B2C3D4E5F",
      "http://hoabinh.gov.vn.test/web/guest/-/hoi-nghi;JSESSIONID=ffff?x=1".replace("?x=1", ""),
      "http://hoabinh.gov.vn.test/web/guest/-/hoi-nghi"],
     "liferay", True),
    ("Liferay redirect and inheritRedirect",
     ["http://hoabinh.gov.vn.test/web/guest/tin-so-nganh/-/asset_publisher/Ab12Cd34Ef56/content/hoi-nghi"
      "?redirect=http%3A%2F%2Fhoabinh.gov.vn.test%2Fweb%2Fguest%2Ftin-so-nganh&inheritRedirect=true",
      "http://hoabinh.gov.vn.test/web/guest/tin-so-nganh/-/asset_publisher/Ab12Cd34Ef56/content/hoi-nghi"],
     "liferay", True),
    ("namespaced Liferay redirect",
     ["http://hoabinh.gov.vn.test/x?_101_INSTANCE_Ab12Cd34Ef56_redirect=%2Fweb%2Fguest&a=1",
      "http://hoabinh.gov.vn.test/x?a=1"],
     "liferay", True),
    ("p_p_auth token on a listing",
     [LIFERAY_LISTING + "?p_p_id=101&p_p_auth=Xy12Ab34&_101_cur=2",
      LIFERAY_LISTING + "?_101_cur=2&p_p_id=101&p_p_auth=Qq99Zz00",
      LIFERAY_LISTING + "?_101_cur=2&p_p_id=101"],
     "liferay", False),
    ("listing position on detail URLs (Yên Bái page=, Liferay _cur=)",
     ["http://yenbai.gov.vn.test/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=12&page=3",
      "http://yenbai.gov.vn.test/noidung/tintuc/Pages/chi-tiet-tin-tuc.aspx?ItemID=12"],
     "sharepoint", True),
    ("padded parameter values",
     ["http://yenbai.gov.vn.test/a.aspx?l=Tintrongtinh%2F++++++&lv=4&ItemID=7",
      "http://yenbai.gov.vn.test/a.aspx?ItemID=7&l=Tintrongtinh%2F&lv=4"],
     "sharepoint", True),
    ("utm_ tracking and a fragment",
     ["http://toaan.quangnam.gov.vn.test/hoi-nghi/?utm_source=fb&utm_medium=social#comments",
      "http://toaan.quangnam.gov.vn.test/hoi-nghi/"],
     "wordpress", True),
    ("query order",
     ["http://tb.gov.vn.test/tintuc/Pages/a.aspx?EventID=0&date=&page=2",
      "http://tb.gov.vn.test/tintuc/Pages/a.aspx?page=2&date=&EventID=0"],
     "sharepoint", False),
    ("SharePoint case variants of path and query keys",
     ["http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=5",
      "http://quangninh.gov.vn.test/trang/chitiettintuc.aspx?NID=5",
      "http://quangninh.gov.vn.test/TRANG/ChiTietTinTuc.ASPX?Nid=5"],
     "sharepoint", True),
    ("ASP.NET case variants",
     ["http://stttt.binhphuoc.gov.vn.test/vn/NewsDetail.aspx?news_id=17",
      "http://stttt.binhphuoc.gov.vn.test/VN/newsdetail.aspx?NEWS_ID=17"],
     "aspnet", True),
]

# pages that must stay apart
DIFFERENT_PAGES = [
    ("listing pages differ by page=",
     "http://tb.gov.vn.test/tintuc/Pages/a.aspx?page=2", "http://tb.gov.vn.test/tintuc/Pages/a.aspx?page=3",
     "sharepoint", False),
    ("listing pages differ by _cur=",
     LIFERAY_LISTING + "?_101_cur=2", LIFERAY_LISTING + "?_101_cur=3", "liferay", False),
    ("Liferay paths are case-sensitive",
     "http://hoabinh.gov.vn.test/web/guest/-/Hoi-Nghi", "http://hoabinh.gov.vn.test/web/guest/-/hoi-nghi",
     "liferay", True),
    ("NukeViet paths are case-sensitive",
     "http://stc.gov.vn.test/vi/news/A/b-1.html", "http://stc.gov.vn.test/vi/news/a/b-1.html",
     "nukeviet", True),
    ("different articles",
     "http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=5",
     "http://quangninh.gov.vn.test/Trang/ChiTietTinTuc.aspx?nid=6", "sharepoint", True),
    ("non-default port",
     "http://hoabinh.gov.vn.test:8080/web/guest/-/a", "http://hoabinh.gov.vn.test/web/guest/-/a",
     "liferay", True),
    ("different hosts (department and province)",
     "http://snv.tinh-e.gov.vn.test/a", "http://tinh-e.gov.vn.test/a", "dnn", True),
]
# fmt: on


@pytest.mark.parametrize(("why", "variants", "family", "detail"), SAME_PAGE, ids=[c[0] for c in SAME_PAGE])
def test_variants_of_one_page_share_a_canonical_url(
    why: str, variants: list[str], family: str, detail: bool
) -> None:
    forms = {canonicalize(u, family=family, detail=detail) for u in variants}
    assert len(forms) == 1, forms


@pytest.mark.parametrize(
    ("why", "a", "b", "family", "detail"), DIFFERENT_PAGES, ids=[c[0] for c in DIFFERENT_PAGES]
)
def test_different_pages_keep_different_canonical_urls(
    why: str, a: str, b: str, family: str, detail: bool
) -> None:
    assert canonicalize(a, family=family, detail=detail) != canonicalize(b, family=family, detail=detail)


ALL_URLS = [u for _, vs, _, _ in SAME_PAGE for u in vs] + [u for c in DIFFERENT_PAGES for u in c[1:3]]


@pytest.mark.parametrize("url", ALL_URLS)
@pytest.mark.parametrize("family", ["liferay", "sharepoint", "nukeviet", None])
@pytest.mark.parametrize("detail", [True, False])
def test_canonicalize_is_idempotent_and_clean(url: str, family: str | None, detail: bool) -> None:
    once = canonicalize(url, family=family or "", detail=detail)
    assert canonicalize(once, family=family or "", detail=detail) == once
    low = once.lower()
    assert "#" not in once
    assert "jsessionid" not in low
    assert "utm_" not in low
    assert "p_p_auth" not in low
    assert "redirect=" not in low
    assert ":80/" not in once and ":443/" not in once
    assert once.split("://", 1)[0] == once.split("://", 1)[0].lower()


def test_position_parameters_are_kept_on_listings_and_dropped_on_details() -> None:
    url = "http://tb.gov.vn.test/tintuc/Pages/a.aspx?ItemID=9&page=3"
    assert "page=3" in canonicalize(url, family="sharepoint", detail=False)
    assert "page=" not in canonicalize(url, family="sharepoint", detail=True)


def test_detail_is_decided_by_the_registry_when_not_given() -> None:
    from crawler import registry

    assert registry.MOCKS, "the portal registry (crawler/portals/mock.toml) has no mock portal"
    portal = registry.by_name("thaibinh")
    detail = f"http://{portal.hosts[0]}/tintuc/Pages/tin-so-nganh.aspx?ItemID=12&page=3"
    listing = f"http://{portal.hosts[0]}/tintuc/Pages/tin-so-nganh.aspx?date=&EventID=0&page=3"
    assert "page=" not in canonicalize(detail)
    assert "page=3" in canonicalize(listing)
    # the registry says SharePoint: case variants collapse without passing a family
    assert canonicalize(detail.replace("/tintuc/Pages/", "/TinTuc/pages/")) == canonicalize(detail)


# fmt: off
VARIANTS = [
    ("http://sotaichinh.tayninh.gov.vn.test/vi/news/print/thi-dua/hoi-nghi-12.html", "print"),
    ("http://sotaichinh.tayninh.gov.vn.test/vi/news/savefile/thi-dua/hoi-nghi-12.html", "savefile"),
    ("http://sotaichinh.tayninh.gov.vn.test/vi/news/sendmail/thi-dua/hoi-nghi-12.html", "sendmail"),
    ("http://stttt.binhphuoc.gov.vn.test/vn/print.aspx?news_id=3", "print"),
    ("http://tinh-e.gov.vn.test/portal/pages/print.aspx?p=77", "print"),
    ("http://hoabinh.gov.vn.test/web/guest/tin-so-nganh/-/asset_publisher/A/content/x"
     "?redirect=%2F&p_p_state=pop_up&_101_INSTANCE_A_viewMode=print", "popup"),
    ("http://hoabinh.gov.vn.test/web/guest/x?_101_INSTANCE_A_viewMode=print", "print"),
    ("http://sotaichinh.tayninh.gov.vn.test/vi/news/thi-dua/hoi-nghi-12.html?download=1&id=0", "attachment"),
    ("http://sotaichinh.tayninh.gov.vn.test/vi/news/thi-dua/hoi-nghi-12.html?pdf=1&id=0", "attachment"),
]
NOT_VARIANTS = [
    "http://sotaichinh.tayninh.gov.vn.test/vi/news/thi-dua/hoi-nghi-12.html",
    "http://stttt.binhphuoc.gov.vn.test/vn/NewsDetail.aspx?news_id=3",
    "http://hoabinh.gov.vn.test/web/guest/-/in-an-bao-chi",
    "http://toaan.quangnam.gov.vn.test/printing-press-news/",
    "http://hoabinh.gov.vn.test/web/guest/x?p_p_state=normal",
]
# fmt: on


@pytest.mark.parametrize(("url", "kind"), VARIANTS)
def test_variant_views_are_recognised(url: str, kind: str) -> None:
    assert variant_kind(url) == kind
    assert is_variant(url)


@pytest.mark.parametrize("url", NOT_VARIANTS)
def test_articles_are_not_variants(url: str) -> None:
    assert variant_kind(url) is None


@pytest.mark.parametrize(
    "href",
    [
        "javascript:;",
        "javascript:void(0)",
        "JavaScript:__doPostBack('a','')",
        "mailto:a@b.vn",
        "#",
        "#top",
        "",
        "   ",
        "tel:0200",
        None,
    ],
)
def test_links_that_lead_nowhere_are_absent(href: str | None) -> None:
    assert absolute_link("http://hoabinh.gov.vn.test/web/guest/-/a", href) is None


def test_relative_links_resolve_and_lose_their_fragment() -> None:
    base = "http://hoabinh.gov.vn.test/tin-so-nganh/-/view_content/1-a"
    assert absolute_link(base, "en/") == "http://hoabinh.gov.vn.test/tin-so-nganh/-/view_content/en/"
    assert absolute_link(base, "/web/guest/-/b#top") == "http://hoabinh.gov.vn.test/web/guest/-/b"
    assert absolute_link(base, "ftp://hoabinh.gov.vn.test/x") is None


# hrefs whose resolution could depend on more of the base than its scheme and host
TRICKY_HREFS = [
    "/x", "/x/../y", "/./a//b/", "/a?", "/#", "/", "//other.vn.test/x", "/\\evil", " /x ", "/a;p?q=1",
    "http://hoabinh.gov.vn.test/x", "HTTP://hoabinh.gov.vn.test/x?", "https://hoabinh.gov.vn.test",
    "http://hoabinh.gov.vn.test:/x", "http:///x", "http:x", "http://\t/x", "http://h.vn\t/x",
    "javascript:;", "#top", "", "x/y", "../z", "?p=2", "/%20a b", "/tin/ạ.html", "\t/x", None,
]  # fmt: skip
BASES = [
    "http://hoabinh.gov.vn.test/a/b/c.html?x=1#f", "HTTP://hoabinh.gov.vn.test/a/", "https://h.vn.test:8443",
    "http://h.vn.test/a;p/b?q", "http:///a/b", "ftp://h.vn.test/a/",
]  # fmt: skip


@pytest.mark.parametrize("base", BASES)
def test_absolute_links_resolve_each_href_as_absolute_link_does(base: str) -> None:
    want = [u for u in (absolute_link(base, h) for h in TRICKY_HREFS) if u is not None]
    assert absolute_links(base, TRICKY_HREFS) == want
    assert absolute_links(base, TRICKY_HREFS) == want  # again, from what the first call kept


def test_absolute_links_resolve_a_root_relative_href_per_site() -> None:
    # the same href on two sites, or under two schemes, is two different links
    assert absolute_links("http://a.vn.test/x/y", ["/tin/1.html", "http://a.vn.test/z?"]) == [
        "http://a.vn.test/tin/1.html",
        "http://a.vn.test/z",
    ]
    assert absolute_links("https://b.vn.test/", ["/tin/1.html", "http://a.vn.test/z?"]) == [
        "https://b.vn.test/tin/1.html",
        "http://a.vn.test/z?",
    ]


def test_host_in_accepts_subdomains_only_on_a_dot_boundary() -> None:
    hosts = ("tinh-e.gov.vn.test",)
    assert host_in("http://tinh-e.gov.vn.test/a", hosts)
    assert host_in("http://SNV.tinh-e.gov.vn.test/a", hosts)
    assert not host_in("http://eviltinh-e.gov.vn.test/a", hosts)
    assert not host_in("http://kuwin.example/viewspace-1.html", hosts)
