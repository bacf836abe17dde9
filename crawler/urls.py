"""Canonical URLs and URL-shape helpers for the crawler.

Provincial portals serve one article under many URLs (portals.md §4.4): session ids in the path,
Liferay `redirect`/`p_p_auth` parameters, a listing `page` kept on detail links, `:443`, case
variants on SharePoint/ASP.NET, print/savefile/sendmail views. `canonicalize` maps those forms
to one string used for request deduplication and as the page's identity in the store.
The canonical form is an identity key: requests still go to the URL as the portal wrote it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

from crawler import registry

# ASP.NET (and SharePoint on it) resolve paths and query keys case-insensitively, so
# /Trang/ChiTietTinTuc.aspx?NID=1 and /trang/chitiettintuc.aspx?nid=1 are the same page.
CASE_INSENSITIVE_FAMILIES = frozenset({"sharepoint", "aspnet", "dnn"})

_DEFAULT_PORTS = {"http": 80, "https": 443}
# session ids in the path: Java's `;jsessionid=…` (and PHP's `;phpsessid=…`), ASP.NET's cookieless
# `/(S(…))/` or `/(X(1)S(…))/` segment
_PATH_SESSION = re.compile(r";(?:jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.IGNORECASE)
_ASPNET_COOKIELESS = re.compile(r"/\((?:[A-Z]\([^()/]*\))+\)(?=/)", re.IGNORECASE)

# Query keys compared in lower case. Liferay prefixes portlet parameters with the portlet
# namespace (`_101_INSTANCE_Ab12Cd34Ef56_redirect`), hence the suffix rules. Session ids
# (jsessionid, ASP.NET_SessionId, PHPSESSID, ColdFusion's CFID/CFTOKEN) and click trackers
# (Facebook, Google, Microsoft, Zalo's zarsrc/gidzl, Mailchimp) name no content.
_DROP_KEYS = frozenset(
    {
        "redirect",
        "inheritredirect",
        "p_p_auth",
        "jsessionid",
        "asp.net_sessionid",
        "aspsessionid",
        "phpsessid",
        "sessionid",
        "session_id",
        "cfid",
        "cftoken",
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "zarsrc",
        "gidzl",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
    }
)
_DROP_KEY_SUFFIXES = ("_redirect", "_p_p_auth")
_DROP_KEY_PREFIXES = ("utm_",)
# `sid` is a session id on some CMSs and a section or story id on others: dropped only when its
# value looks like a session token (16+ letters and digits, both present), never a short number
_SID_TOKEN = re.compile(r"(?=.*[a-z])(?=.*\d)[a-z0-9]{16,}", re.IGNORECASE)
# Listing position kept on detail links (Yên Bái `page=3`, Liferay `_cur=2`): the article is the
# same whichever listing page linked to it. Kept on listing URLs, where it selects the page.
_DETAIL_POSITION_KEYS = frozenset({"page", "cur", "_cur", "resetcur"})
_DETAIL_POSITION_SUFFIXES = ("_cur", "_resetcur", "_delta")

_NOT_LINKS = ("javascript:", "mailto:", "tel:", "data:", "about:", "#")

# Variant views of an article that carry no content of their own (portals.md §4.4)
_VARIANT_PATH = re.compile(
    r"/(?P<kind>print|savefile|sendmail)/|/(?P<aspx>print)\.aspx$",
    re.IGNORECASE,
)


def _drop_key(key: str, *, detail: bool, value: str = "") -> bool:
    k = key.lower()
    if k in _DROP_KEYS or k.endswith(_DROP_KEY_SUFFIXES) or k.startswith(_DROP_KEY_PREFIXES):
        return True
    if k == "sid" and _SID_TOKEN.fullmatch(value.strip()):
        return True
    return detail and (k in _DETAIL_POSITION_KEYS or k.endswith(_DETAIL_POSITION_SUFFIXES))


def _lookup(url: str) -> tuple[str | None, bool]:
    """Return the registered portal's family for `url` and whether it is an article URL."""
    portal = registry.for_url(url)
    if portal is None:
        return None, False
    return portal.family, any(re.search(rx, url) for rx in portal.article)


# A crawl canonicalises each URL several times (fingerprint, stored-page check, the page item,
# every listing's links to the other listings): a pure function of its arguments, so cached
@functools.lru_cache(maxsize=16384)
def canonicalize(url: str, *, family: str | None = None, detail: bool | None = None) -> str:
    """Return the canonical form of `url`.

    Args:
        url: an absolute http(s) URL.
        family: the portal's CMS family; looked up in crawler/registry.py when omitted.
        detail: whether `url` is an article (detail) URL; decided by the registry's `article`
            rules when omitted. Listing-position parameters are dropped only on detail URLs.

    Returns:
        The URL with a lower-case scheme and host without `www.`, no default port, no session
        id, no tracking/redirect/auth parameters, a sorted query, no fragment, and (for
        case-insensitive families) a lower-case path and query keys.
    """
    if family is None or detail is None:
        found_family, found_detail = _lookup(url)
        family = found_family if family is None else family
        detail = found_detail if detail is None else detail
    # the spider names the family and kind, the fingerprinter looks them up: one cached result
    return _canonical(url, family in CASE_INSENSITIVE_FAMILIES, bool(detail))


@functools.lru_cache(maxsize=16384)
def _canonical(url: str, ci: bool, detail: bool) -> str:
    """`canonicalize` once the family's case rule (`ci`) and the URL's kind are known."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    # www.x and x serve the same site on every portal seen (portals.md §4.4)
    host = (parts.hostname or "").lower().rstrip(".").removeprefix("www.")
    netloc = host
    try:
        port = parts.port
    except ValueError:  # a malformed port is kept verbatim rather than guessed at
        port, netloc = None, parts.netloc.lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{port}"

    path = _ASPNET_COOKIELESS.sub("", _PATH_SESSION.sub("", parts.path)) or "/"
    pairs = []
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        key = key.strip()
        if not key or _drop_key(key, detail=detail, value=value):
            continue
        # padded values such as l=Tintrongtinh%2F+++++ select the same page unpadded
        pairs.append((key.lower() if ci else key, value.strip()))
    query = urlencode(sorted(pairs))

    out = canonicalize_url(urlunsplit((scheme, netloc, path, query, "")))
    if ci:
        p = urlsplit(out)
        out = urlunsplit((p.scheme, p.netloc, p.path.lower(), p.query, ""))
    return out


_SESSION_KEYS = frozenset(
    {
        "jsessionid",
        "asp.net_sessionid",
        "aspsessionid",
        "phpsessid",
        "sessionid",
        "session_id",
        "cfid",
        "cftoken",
    }
)


def strip_session(url: str) -> str:
    """Return `url` without its session id (path parameter, cookieless segment or query key).

    A session id changes on every visit, so a URL carrying one is no address worth keeping;
    everything else of the URL (case, `www.`, tracking parameters) is left as written.
    """
    parts = urlsplit(url)
    path = _ASPNET_COOKIELESS.sub("", _PATH_SESSION.sub("", parts.path))
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [
        (k, v)
        for k, v in pairs
        if k.lower() not in _SESSION_KEYS and not (k.lower() == "sid" and _SID_TOKEN.fullmatch(v.strip()))
    ]
    query = urlencode(kept) if len(kept) != len(pairs) else parts.query
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def variant_kind(url: str) -> str | None:
    """Return "print", "savefile", "sendmail", "popup" or "attachment" for a variant view, else None.

    Variants repeat an article (or hold a file) and are never requested.
    """
    parts = urlsplit(url)
    m = _VARIANT_PATH.search(parts.path)
    if m:
        return (m.group("kind") or m.group("aspx")).lower()
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        k, v = key.lower(), value.lower()
        if k == "p_p_state" and v in {"pop_up", "exclusive"}:
            return "popup"
        if k.endswith("viewmode") and v == "print":
            return "print"
        if k == "print" and v not in {"", "0"}:
            return "print"
        if k in {"download", "pdf"}:
            return "attachment"
    return None


def is_variant(url: str) -> bool:
    """Tell whether `url` is a print/savefile/sendmail/pop-up/attachment view."""
    return variant_kind(url) is not None


def absolute_link(base_url: str, href: str | None) -> str | None:
    """Resolve `href` against `base_url`; return None for links that lead nowhere.

    `javascript:` pagers (Liferay's last pager link), `mailto:`, in-page anchors and
    empty hrefs are treated as absent.
    """
    if href is None:
        return None
    href = href.strip()
    if not href or href.lower().startswith(_NOT_LINKS):
        return None
    url = urljoin(base_url, href)
    scheme = urlsplit(url).scheme.lower()
    if scheme not in {"http", "https"}:
        return None
    return url.split("#", 1)[0]


# An absolute http(s) link with a plain host: `urljoin` resolves it the same against any base of
# the same scheme
_PLAIN_ABSOLUTE = re.compile(r"https?://[a-z0-9.-]+(?::\d*)?(?:[/?#]|$)", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)
def _link_from(origin: str, href: str) -> str | None:
    return absolute_link(origin, href)


def absolute_links(base_url: str, hrefs: Iterable[str | None]) -> list[str]:
    """Return `absolute_link(base_url, href)` of each href, in order, leaving out the Nones.

    The same as calling `absolute_link` for each, in less time: `urljoin` resolves a
    root-relative href (`/a/b`) or an absolute one with a plain host against the scheme and host
    of the base only, not its path, so those are resolved once per site rather than once per
    page (menus, pagers and footers repeat them on every page).
    """
    parts = urlsplit(base_url)
    # only http(s) bases: urljoin resolves against other schemes differently
    origin = f"{parts.scheme}://{parts.netloc}/" if parts.scheme in ("http", "https") else None
    out: list[str] = []
    for href in hrefs:
        if href is None:
            continue
        h = href.strip()
        if origin is not None and (
            (h[:1] == "/" and h[1:2] not in ("/", "\\")) or _PLAIN_ABSOLUTE.match(h) is not None
        ):
            url = _link_from(origin, h)
        else:
            url = absolute_link(base_url, h)
        if url is not None:
            out.append(url)
    return out


def host_in(url: str, hosts: Iterable[str]) -> bool:
    """Tell whether `url`'s host is one of `hosts` or a subdomain of one (`www.` ignored)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".").removeprefix("www.")
    for h in hosts:
        h = h.lower().removeprefix("www.")
        if host == h or host.endswith("." + h):
            return True
    return False
