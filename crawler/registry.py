"""The portal registry: data in crawler/portals/*.toml, validated here; spiders stay generic.

    families.toml   URL-rule templates per CMS family (Liferay, SharePoint, ASP.NET, NukeViet, …)
    provinces.toml  a portal and a Sở Nội vụ entry for each of the 63 provinces (crawler/registry_gen.py)
    sites.toml      department and national sites seen by the research
    mock.toml       the project's mock portals (`mock = true`), served by `thidua serve-mock`
    faults.toml     rehearsal mocks, one fault each (`fault = true`: crawled only when named)

Each entry is checked against `PortalEntry` (pydantic): known family, level and province, unique
name and hosts, start URLs on its hosts, rules that compile. An entry without its own `article`,
`listing` or `deny` rules gets its family's, with `{h}` standing for its host. A bad file stops
the import with `RegistryError` naming the file, the entry and the problem.
"""

from __future__ import annotations

import functools
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

REGISTRY_DIR = Path(__file__).resolve().parent / "portals"
FILES = ("provinces.toml", "sites.toml", "mock.toml", "faults.toml")
Level = Literal["province", "department", "national"]


class RegistryError(Exception):
    """The registry files are unreadable or an entry breaks the schema; the message says where."""


@dataclass(frozen=True, slots=True)
class Portal:
    name: str
    province: str | None  # canonical province name (63-province list), None for national sites
    family: str  # a [family.*] of families.toml
    hosts: tuple[str, ...]
    start_urls: tuple[str, ...]
    article: tuple[str, ...]  # URL regexes of article pages
    listing: tuple[str, ...]  # URL regexes of listing / pagination pages to follow
    deny: tuple[str, ...] = ()  # URL regexes never requested (print views, traps, spam)
    max_pages: int = 400
    notes: str = field(default="", compare=False)
    sitemaps: tuple[str, ...] = ()  # sitemap.xml URLs, where the portal publishes them
    feeds: tuple[str, ...] = ()  # RSS feed URLs, where the portal publishes them
    mock: bool = False  # one of the project's mock portals (*.test hosts)
    level: str = "province"  # province portal, department site or national site
    department: str = ""  # the department, for a department site
    current: bool = True  # its province is one of the 34 of 1 July 2025
    merged_into: str | None = None  # the 2025 province a merged one joined
    verified: bool = False  # someone has seen its pages; False: host and family are guesses
    # TLS of a portal whose HTTPS is broken (crawler/tls.py): accept its certificate unverified,
    # allow TLS 1.0 and RSA-only ciphers; each use is a warning in the run report
    tls_verify: bool = True
    tls_legacy: bool = False
    download_timeout: float | None = None  # seconds; None: THIDUA_CRAWL_TIMEOUT
    fault: bool = False  # a rehearsal mock (faults.toml): never crawled unless named


class Family(BaseModel):
    model_config = ConfigDict(extra="forbid")

    article: list[str]
    listing: list[str]
    deny: list[str] = []
    start_paths: list[str] = ["/"]
    sitemaps: list[str] = []
    feeds: list[str] = []


def _known_province(name: str) -> str:
    from extract.places import province_named

    found = province_named(name)
    if found is None:
        raise ValueError(f"{name!r} is not a province extract.places knows")
    return found.name


class PortalEntry(BaseModel):
    """One `[[portal]]` table of a registry file."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9.-]*$")
    level: Level = "province"
    province: str = ""
    department: str = ""
    family: str
    hosts: list[str] = Field(min_length=1)
    start_urls: list[str] = Field(min_length=1)
    article: list[str] | None = None
    listing: list[str] | None = None
    deny: list[str] | None = None
    sitemaps: list[str] | None = None
    feeds: list[str] | None = None
    max_pages: int = Field(default=400, ge=1)
    mock: bool = False
    current: bool | None = None  # default: not merged_into another province
    merged_into: str = ""
    verified: bool = False
    notes: str = ""
    tls_verify: bool = True
    tls_legacy: bool = False
    download_timeout: float | None = Field(default=None, gt=0, le=600)
    fault: bool = False

    @field_validator("hosts")
    @classmethod
    def _hosts(cls, hosts: list[str]) -> list[str]:
        for h in hosts:
            if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", h):
                raise ValueError(f"host {h!r} is not a lower-case host name")
        return hosts

    @field_validator("province", "merged_into")
    @classmethod
    def _province(cls, value: str) -> str:
        return _known_province(value) if value else ""

    @model_validator(mode="after")
    def _consistent(self) -> PortalEntry:
        if self.level == "national" and self.province:
            raise ValueError("a national site has no province")
        if self.level != "national" and not self.province:
            raise ValueError(f"a {self.level} site names its province")
        if self.current is None:
            self.current = not self.merged_into
        if self.current and self.merged_into:
            raise ValueError("a site of a current province is not merged_into another (set current = false)")
        if self.fault and not self.mock:
            raise ValueError("fault = true marks a rehearsal mock; set mock = true too")
        if (not self.tls_verify or self.tls_legacy) and not self.notes:
            raise ValueError(
                "tls_verify = false or tls_legacy = true needs notes saying why (who checked the site)"
            )
        for url in self.start_urls + (self.sitemaps or []) + (self.feeds or []):
            host = (urlsplit(url).hostname or "").lower()
            if not any(host == h or host.endswith("." + h) for h in self.hosts):
                raise ValueError(f"{url} is not on its hosts {self.hosts}")
        return self


def _host_re(host: str) -> str:
    """The `{h}` of a rule template: scheme, optional www., the host, an optional port."""
    bare = host.removeprefix("www.")
    return r"^https?://(?:www\.)?" + re.escape(bare) + r"(?::\d+)?"


def _expand(templates: Iterable[str], hosts: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for t in templates:
        out.extend(t.replace("{h}", _host_re(h)) for h in hosts) if "{h}" in t else out.append(t)
    return tuple(dict.fromkeys(out))


def _compile_all(entry: PortalEntry, portal: Portal) -> None:
    for kind in ("article", "listing", "deny"):
        for rule in getattr(portal, kind):
            try:
                re.compile(rule)
            except re.error as exc:
                raise ValueError(f"{kind} rule {rule!r} does not compile: {exc}") from exc
    if not portal.article or not portal.listing:
        raise ValueError(f"{entry.name}: no article or listing rules (family {entry.family} has none?)")


def _portal(entry: PortalEntry, families: dict[str, Family]) -> Portal:
    family = families.get(entry.family)
    if family is None:
        raise ValueError(f"family {entry.family!r} is not one of {', '.join(sorted(families))}")
    first = entry.start_urls[0]
    root = f"{urlsplit(first).scheme}://{urlsplit(first).netloc}"
    portal = Portal(
        name=entry.name,
        province=entry.province or None,
        family=entry.family,
        hosts=tuple(entry.hosts),
        start_urls=tuple(entry.start_urls),
        article=tuple(entry.article) if entry.article is not None else _expand(family.article, entry.hosts),
        listing=tuple(entry.listing) if entry.listing is not None else _expand(family.listing, entry.hosts),
        deny=tuple(entry.deny) if entry.deny is not None else _expand(family.deny, entry.hosts),
        max_pages=entry.max_pages,
        notes=entry.notes,
        sitemaps=tuple(entry.sitemaps if entry.sitemaps is not None else (root + p for p in family.sitemaps)),
        feeds=tuple(entry.feeds if entry.feeds is not None else (root + p for p in family.feeds)),
        mock=entry.mock,
        level=entry.level,
        department=entry.department,
        current=bool(entry.current),
        merged_into=entry.merged_into or None,
        verified=entry.verified,
        tls_verify=entry.tls_verify,
        tls_legacy=entry.tls_legacy,
        download_timeout=entry.download_timeout,
        fault=entry.fault,
    )
    _compile_all(entry, portal)
    return portal


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RegistryError(f"cannot read the portal registry file {path}: {exc}") from exc


def load(directory: Path = REGISTRY_DIR, files: Sequence[str] = FILES) -> tuple[Portal, ...]:
    """Read and validate the registry files; return every portal, in file order.

    Raises:
        RegistryError: a file is unreadable, an entry breaks the schema, or two entries share a
            name or a host.
    """
    raw_families = _read(directory / "families.toml").get("family", {})
    try:
        families = {name: Family.model_validate(f) for name, f in raw_families.items()}
    except ValidationError as exc:
        raise RegistryError(f"{directory / 'families.toml'}: {_first(exc)}") from exc
    portals: list[Portal] = []
    names: dict[str, str] = {}
    hosts: dict[str, str] = {}
    for file in files:
        for i, raw in enumerate(_read(directory / file).get("portal", [])):
            where = f"{directory / file}, portal #{i + 1} ({raw.get('name', '?')})"
            try:
                portal = _portal(PortalEntry.model_validate(raw), families)
            except ValidationError as exc:
                raise RegistryError(f"{where}: {_first(exc)}") from exc
            except ValueError as exc:
                raise RegistryError(f"{where}: {exc}") from exc
            if portal.name in names:
                raise RegistryError(
                    f"{where}: the name {portal.name} is taken by an entry of {names[portal.name]}"
                )
            for h in portal.hosts:
                if h in hosts:
                    raise RegistryError(f"{where}: the host {h} belongs to {hosts[h]} already")
                hosts[h] = portal.name
            names[portal.name] = file
            portals.append(portal)
    return tuple(portals)


def _first(exc: ValidationError) -> str:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err["loc"])
    more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"{loc + ': ' if loc else ''}{err['msg'].removeprefix('Value error, ')}{more}"


ALL: tuple[Portal, ...] = load()
MOCKS: tuple[Portal, ...] = tuple(p for p in ALL if p.mock and not p.fault)
REAL: tuple[Portal, ...] = tuple(p for p in ALL if not p.mock)
REHEARSALS: tuple[Portal, ...] = tuple(p for p in ALL if p.fault)


def default_portals(mock: bool) -> tuple[Portal, ...]:
    """The portals a crawl takes when none is named: the mock ones (demo, tests) or the real ones."""
    return MOCKS if mock else REAL


def by_name(name: str) -> Portal:
    """Return the registered portal called `name`."""
    for p in ALL:
        if p.name == name:
            return p
    shown = ", ".join(p.name for p in MOCKS) + f" and {len(REAL)} real ones (`thidua portals`)"
    raise KeyError(f"no portal named {name!r} in crawler/portals/*.toml (known: {shown})")


def for_url(url: str) -> Portal | None:
    """Return the portal whose hosts include the URL's host (longest host suffix wins)."""
    return _for_host((urlsplit(url).hostname or "").lower())


@functools.lru_cache(maxsize=4096)
def _for_host(host: str) -> Portal | None:
    """`for_url` by host, cached: the registry is fixed once loaded, and a crawl asks per link."""
    best: tuple[int, Portal] | None = None
    for p in ALL:
        for h in p.hosts:
            matches = host == h or host.endswith("." + h)
            if matches and (best is None or len(h) > best[0]):
                best = (len(h), p)
    return best[1] if best else None
