"""Vietnam's administrative units — provinces, districts, towns, wards and communes, before and after the
two-level reorganisation of 1 July 2025 — read from the data of the `vietnamadminunits` package.

The package is kept up to date by its author (63 provinces with their ~700 districts and ~10,000 wards,
the 34 provinces and ~3,300 wards and communes since July 2025, and which old province became part of
which new one); the project keeps only what it lacks, in extract/data/province-spellings.tsv.

We read its bundled data files instead of importing it: `import vietnamadminunits` takes about 1.5 s and
70 MiB (it imports shapely and geopy, loads 4 MB of JSON and compiles large patterns at import time) —
as much as the rest of the extractor's load — while we only need names. Its SQLite dataset
(data/dataset.db) and its province map (data/converter_2025.json) are opened read-only, found with
`importlib.util.find_spec` (which locates the package without running it), once per process:
provinces and districts in about 50 ms, wards indexed on first use. Nothing is downloaded.

Names are normalised like article text (NFC, one tone-mark convention: `textnorm.normalize_name`) and
compared by a key without case, diacritics or punctuation (`place_key`).
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from extract.errors import PlaceDataError
from extract.textnorm import fold, normalize_name

PACKAGE: Final = "vietnamadminunits"
DISTRICT_KINDS: Final = ("huyện", "thị xã", "thành phố", "quận")  # cấp huyện, until 1 July 2025
WARD_KINDS: Final = ("phường", "xã", "thị trấn", "đặc khu")  # cấp xã (thị trấn until 2025, đặc khu since)

# A kind word before a place name, with the abbreviations portals use ("TP. Đồng Xoài", "TX Bình Long").
_KIND_RE = re.compile(
    r"^(?:(thành phố|thị xã|thị trấn|huyện|quận|phường|xã|đặc khu|tỉnh)\s+|(tp|tx)(?:\.\s*|\s+))",
    re.IGNORECASE,
)
_KIND_ABBREV = {"tp": "thành phố", "tx": "thị xã"}
_WORD_RE = re.compile(r"[a-z0-9]+")


# Vietnamese letters → ASCII, as `fold` does, in one str.translate (fold is 3x slower on 13,000 wards)
_ASCII = {c: fold(chr(c)) for c in range(0xC0, 0x1EFA) if chr(c).isalpha() and fold(chr(c)).isascii()}


def place_key(name: str) -> str:
    """Comparison key of a place name: no case, diacritics or punctuation, numbers without leading zeros
    ("Phường 01" and "phường 1" are one key)."""
    words = _WORD_RE.findall(unicodedata.normalize("NFC", name).lower().translate(_ASCII))
    return " ".join(w.lstrip("0") or "0" if w.isdigit() else w for w in words)


def split_kind(name: str) -> tuple[str | None, str]:
    """ "huyện Lộc Ninh" → ("huyện", "Lộc Ninh"); "TP. Đồng Xoài" → ("thành phố", "Đồng Xoài"); a bare
    name has no kind."""
    s = normalize_name(name)
    m = _KIND_RE.match(s)
    if not m or m.end() == len(s):
        return None, s
    kind = (m.group(1) or m.group(2)).lower()
    return _KIND_ABBREV.get(kind, kind), s[m.end() :].strip()


@dataclass(frozen=True, slots=True)
class Province:
    name: str  # as articles of its time name it ("Thừa Thiên Huế", "Bà Rịa - Vũng Tàu"), SCHEMA.md style
    variants: tuple[str, ...]  # other spellings ("TP. Cần Thơ", "BR-VT", "Huế")
    slug: str  # ascii, no spaces: "thuathienhue" (portal hosts)
    merged_into: str = ""  # the province it is or is part of since 1 July 2025 ("Quảng Nam" → "Đà Nẵng")
    kind: str = "tỉnh"  # "tỉnh", or "thành phố" for a centrally-run city (as the package's 63-list has it)
    code: str = ""  # its code in the 63-province list ("27" for Bắc Ninh)
    in_2025: bool = False  # one of the 34 provinces since 1 July 2025


@dataclass(frozen=True, slots=True)
class District:
    name: str  # without its kind: "Lộc Ninh", "1" (Quận 1)
    kind: str  # one of DISTRICT_KINDS
    province: str  # Province.name (the 63-province structure: districts were abolished in 2025)


@dataclass(frozen=True, slots=True)
class Ward:
    name: str  # without its kind: "Tân Định", "1" (Phường 1)
    kind: str  # one of WARD_KINDS
    province: str  # Province.name before 2025; the 34-province name for a ward of 2025
    district: str  # its district before 2025 ("huyện Lộc Ninh"); "" for a ward of 2025
    in_2025: bool  # a ward or commune of the 34-province structure (else one of the 63-province structure)


@dataclass(slots=True)
class Places:
    """Provinces and districts, built once (`places()`); wards are indexed apart, on first use."""

    provinces: tuple[Province, ...] = ()
    districts: tuple[District, ...] = ()
    province_by_key: dict[str, Province] = field(default_factory=dict)  # place_key of any spelling
    canonical_by_key: dict[str, str] = field(default_factory=dict)  # spelling → the name it stands for
    by_package_name: dict[str, Province] = field(default_factory=dict)  # the package's short name ("Huế")
    districts_by_key: dict[str, tuple[District, ...]] = field(default_factory=dict)

    def province(self, name: str) -> Province | None:
        """The province `name` spells, with or without "tỉnh" ("thành phố"/"TP." for a centrally-run city
        only); None if none."""
        key = _province_key(name)
        return self.province_by_key.get(key) if key else None


# ---------------------------------------------------------------------------------------------- loading


def _data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise PlaceDataError(f"the {PACKAGE} package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _query(sql: str) -> list[tuple[str | None, ...]]:
    path = _data_dir() / "dataset.db"
    if not path.is_file():
        raise PlaceDataError(f"{path} is missing: reinstall {PACKAGE} (`make install`)")
    try:
        # immutable: the file lives in site-packages and never changes under us (no locking, no journal)
        with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro&immutable=1", uri=True)) as con:
            return con.execute(sql).fetchall()
    except sqlite3.Error as e:
        raise PlaceDataError(f"cannot read {path} ({e}): has {PACKAGE} changed its data format?") from e


def _old_to_new() -> dict[str, str]:
    """provinceKey of each of the 63 provinces → provinceKey of the one of 34 it belongs to."""
    path = _data_dir() / "converter_2025.json"
    try:
        table = json.loads(path.read_text(encoding="utf-8"))["DICT_PROVINCE"]
    except (OSError, ValueError, KeyError) as e:
        raise PlaceDataError(f"cannot read the province map in {path} ({e!r})") from e
    return {old: new for new, olds in table.items() for old in olds}


def _spellings() -> list[tuple[str, str, str]]:
    """(package short name, spelling, canonical name) rows of extract/data/province-spellings.tsv."""
    text = resources.files("extract.data").joinpath("province-spellings.tsv").read_text(encoding="utf-8")
    rows = csv.reader(
        (ln for ln in text.splitlines()[1:] if ln.strip() and not ln.startswith("#")), delimiter="\t"
    )
    return [(normalize_name(r[0]), normalize_name(r[1]), normalize_name(r[2])) for r in rows]


def _province_key(name: str) -> str:
    """ "tỉnh" is dropped; "thành phố"/"TP" are kept, spelled out for centrally-run cities only, so that
    "thành phố Bắc Giang" (a city inside Bắc Giang province) is no spelling of the province."""
    kind, rest = split_kind(name)
    return place_key(rest if kind == "tỉnh" else name)


def _strip_kind(full: str, kind: str | None) -> str:
    """ "Huyện Kỳ Anh" → "Kỳ Anh", using the kind the data gives (the short names carry "(Huyện)" tags)."""
    s = normalize_name(full)
    if kind and s.lower().startswith(kind.lower() + " "):
        return s[len(kind) + 1 :]
    return split_kind(s)[1]


@cache
def places() -> Places:
    """The shared provinces and districts (built once per process)."""
    old_rows = _query(
        "SELECT DISTINCT provinceCode, provinceKey, province, provinceShort FROM admin_units_legacy"
        " ORDER BY provinceCode"
    )
    new_rows = _query("SELECT DISTINCT provinceKey, provinceShort FROM admin_units")
    new_short = {k: normalize_name(s or "") for k, s in new_rows if k}
    old_to_new = _old_to_new()
    if len(old_rows) != 63 or len(new_short) != 34 or not set(old_to_new.values()) <= set(new_short):
        raise PlaceDataError(
            f"{PACKAGE}: expected 63 provinces mapped onto 34, found {len(old_rows)} and {len(new_short)}"
        )
    extra: dict[str, list[tuple[str, str]]] = {}
    for short, spelling, canonical in _spellings():
        extra.setdefault(short, []).append((spelling, canonical))

    out = Places()
    provinces: list[Province] = []
    for code, key, full, short_raw in old_rows:
        short = normalize_name(short_raw or "")
        rows = extra.get(short, [])
        # a province renamed before July 2025 keeps, for its articles, the name the supplement gives
        name = next((c for _, c in rows if c != short), short)
        kind = "thành phố" if normalize_name(full or "").lower().startswith("thành phố") else "tỉnh"
        variants = [short] if name != short else []
        if kind == "thành phố":
            variants += [f"Thành phố {short}", f"TP {short}", f"TP. {short}"]
        variants += [s for s, _ in rows if s != name]
        new = new_short[old_to_new[str(key)]]
        p = Province(
            name=name,
            variants=tuple(dict.fromkeys(variants)),
            slug="".join(_WORD_RE.findall(fold(name))),
            merged_into=new,
            kind=kind,
            code=str(code),
            in_2025=short in new_short.values(),
        )
        provinces.append(p)
        out.by_package_name[short] = p
        out.canonical_by_key.setdefault(place_key(name), name)
        for v in p.variants:
            # a spelling of the package's own (new) name stands for it: "thành phố Huế" is "Huế"
            meant = next((c for s, c in rows if s == v), short)
            out.canonical_by_key.setdefault(_province_key(v), meant)
    out.provinces = tuple(provinces)
    for p in provinces:
        for v in (p.name, *p.variants):
            out.province_by_key.setdefault(_province_key(v), p)

    districts = []
    for pshort, full, dkind in _query(
        "SELECT DISTINCT provinceShort, district, districtType FROM admin_units_legacy ORDER BY districtCode"
    ):
        kind = (dkind or "").lower()
        if full and kind in DISTRICT_KINDS:
            prov = out.by_package_name[normalize_name(pshort or "")].name
            districts.append(District(_strip_kind(full, dkind), kind, prov))
    out.districts = tuple(districts)
    index: dict[str, list[District]] = {}
    for d in districts:
        index.setdefault(place_key(d.name), []).append(d)
    out.districts_by_key = {k: tuple(v) for k, v in index.items()}
    return out


_WARD_PREFIX_RE = re.compile(r"(phường|xã|thị trấn|đặc khu) ", re.IGNORECASE)


@cache
def _wards() -> dict[str, tuple[Ward, ...]]:
    """place_key of a ward's name → the wards of that name, before and since July 2025.

    Built on first use (about 0.15 s for ~13,000 rows): most articles never ask about a commune.
    """
    by_package_name = places().by_package_name
    index: dict[str, list[Ward]] = {}
    districts: dict[tuple[str | None, str | None], str] = {}
    provinces: dict[str | None, str] = {}

    def add(raw: str | None, wtype: str | None, province: str, district: str, new: bool) -> None:
        if not raw:
            return
        name = normalize_name(raw)
        # the kind the name itself starts with: a few rows' wardType disagrees with their name
        m = _WARD_PREFIX_RE.match(name)
        kind, name = (m.group(1).lower(), name[m.end() :]) if m else ((wtype or "").lower(), name)
        if kind in WARD_KINDS:
            index.setdefault(place_key(name), []).append(Ward(name, kind, province, district, new))

    for short, dfull, dtype, ward, wtype in _query(
        "SELECT provinceShort, district, districtType, ward, wardType FROM admin_units_legacy"
    ):
        if short not in provinces:
            provinces[short] = by_package_name[normalize_name(short or "")].name
        if (dfull, dtype) not in districts:
            districts[dfull, dtype] = f"{(dtype or '').lower()} {_strip_kind(dfull or '', dtype)}".strip()
        add(ward, wtype, provinces[short], districts[dfull, dtype], False)
    new_names: dict[str | None, str] = {}
    for short, ward, wtype in _query("SELECT provinceShort, ward, wardType FROM admin_units"):
        add(ward, wtype, new_names.setdefault(short, normalize_name(short or "")), "", True)
    return {k: tuple(v) for k, v in index.items()}


# ---------------------------------------------------------------------------------------------- lookups


def province_named(name: str) -> Province | None:
    """The province `name` spells ("tỉnh Bình Phước", "TP.HCM", "Thừa Thiên - Huế"); None otherwise."""
    return places().province(name)


def canonical_province(name: str) -> str | None:
    """The canonical name (SCHEMA.md: no "tỉnh"/"thành phố") of the province `name` spells, as the text
    names it — no conversion to the 34 provinces: "tỉnh Bắc Giang" → "Bắc Giang", "TP. Hồ Chí Minh" →
    "Hồ Chí Minh", "Thừa Thiên Huế" → "Thừa Thiên Huế" but "thành phố Huế" → "Huế". None if no province."""
    key = _province_key(name)
    return places().canonical_by_key.get(key) if key else None


def province_2025(name: str) -> str | None:
    """The province (of the 34 since 1 July 2025) that the province `name` is or became part of:
    "Bình Phước" → "Đồng Nai", "Thừa Thiên Huế" → "Huế". None if `name` is no province."""
    p = province_named(name)
    return p.merged_into if p else None


def _province_filter(province: str | None) -> tuple[Province | None, bool]:
    """(the province to filter by, whether the filter can match anything)."""
    if province is None:
        return None, True
    p = province_named(province)
    return p, p is not None


def _old_place_in(place_province: str, p: Province) -> bool:
    """A place of the 63-province structure lies in `p`, or in the province `p` became part of."""
    if place_province == p.name:
        return True
    old = places().province(place_province)
    return bool(p.in_2025 and old and old.merged_into == p.merged_into)


def districts_named(name: str, province: str | None = None) -> tuple[District, ...]:
    """The districts (before July 2025) `name` can be: "huyện Châu Thành" is one in several provinces.

    `name` may carry its kind ("thị xã Bình Long", "TX. Bình Long", "Quận 1"); then only that kind
    counts. `province` (any spelling, old or new) keeps the districts of that province, or of the old
    provinces that became part of it ("Lộc Ninh" is in "Bình Phước" and so, since 2025, in "Đồng Nai").
    """
    kind, rest = split_kind(name)
    if kind == "tỉnh":
        return ()
    p, ok = _province_filter(province)
    if not ok:
        return ()
    return tuple(
        d
        for d in places().districts_by_key.get(place_key(rest), ())
        if (kind is None or d.kind == kind) and (p is None or _old_place_in(d.province, p))
    )


def is_district(name: str, province: str | None = None) -> bool:
    """Is `name` a district, town or provincial city of before July 2025 (in `province`, if given)?"""
    return bool(districts_named(name, province))


def district_kinds(name: str, province: str | None = None) -> frozenset[str]:
    """The kinds a district name has: {"huyện"} for "Lộc Ninh", {"huyện", "thị xã"} for "Kỳ Anh"."""
    return frozenset(d.kind for d in districts_named(name, province))


def district_kind(name: str, province: str | None = None) -> str | None:
    """The kind of district `name` is ("huyện", "thị xã", "thành phố", "quận") when only one fits; None
    when it names no district or districts of several kinds ("Kỳ Anh", huyện and thị xã)."""
    kinds = district_kinds(name, province)
    return next(iter(kinds)) if len(kinds) == 1 else None


def wards_named(name: str, province: str | None = None) -> tuple[Ward, ...]:
    """The wards and communes `name` can be, before or since July 2025 ("xã Tân Lập" is in many provinces).

    `name` may carry its kind ("phường Tân Định", "thị trấn Lộc Ninh"); `province` (any spelling) keeps
    the wards of that province: the old ones of it or of the old provinces that became part of it, and,
    for one of the 34 provinces, its wards since 2025.
    """
    kind, rest = split_kind(name)
    if kind is not None and kind not in WARD_KINDS:
        return ()
    p, ok = _province_filter(province)
    if not ok:
        return ()
    return tuple(
        w
        for w in _wards().get(place_key(rest), ())
        if (kind is None or w.kind == kind)
        and (
            p is None
            or (w.in_2025 and p.in_2025 and w.province == p.merged_into)
            or (not w.in_2025 and _old_place_in(w.province, p))
        )
    )


def is_ward(name: str, province: str | None = None) -> bool:
    """Is `name` a ward, commune, township or special zone (in `province`, if given)?"""
    return bool(wards_named(name, province))


def ward_kind(name: str, province: str | None = None) -> str | None:
    """ "phường", "xã", "thị trấn" or "đặc khu" when only one kind fits `name`; None otherwise."""
    kinds = {w.kind for w in wards_named(name, province)}
    return next(iter(kinds)) if len(kinds) == 1 else None


def _one(names: Iterable[str]) -> str | None:
    found = set(names)
    return found.pop() if len(found) == 1 else None


def province_of_place(name: str, *, before_2025: bool | None = None) -> str | None:
    """The province a place belongs to, when only one fits; None otherwise.

    A province is its own ("TP. Cần Thơ" → "Cần Thơ"); a district or ward gives its province:
    "huyện Lộc Ninh" → "Bình Phước". `before_2025`: True reads the 63-province structure, False the 34
    (a district then gives the province it became part of: "huyện Lộc Ninh" → "Đồng Nai"); None (the
    default) the 63-province answer if there is one, else the 34-province one. Names shared by several
    provinces ("huyện Châu Thành", "xã Tân Lập") give None.
    """
    kind, _ = split_kind(name)
    if kind in (None, "tỉnh", "thành phố"):
        canonical = canonical_province(name)
        if canonical:
            return province_2025(name) if before_2025 is False else canonical
    pl = places()
    districts = districts_named(name) if kind is None or kind in DISTRICT_KINDS else ()
    wards = wards_named(name) if kind is None or kind in WARD_KINDS else ()  # (indexed on first use)
    old = _one([*(d.province for d in districts), *(w.province for w in wards if not w.in_2025)])
    if before_2025 is False or (before_2025 is None and old is None):
        new_names = [pl.province(d.province) for d in districts] + [
            pl.province(w.province) for w in wards if not w.in_2025
        ]
        return _one([*(p.merged_into for p in new_names if p), *(w.province for w in wards if w.in_2025)])
    return old


def longest_place(text: str, kind: str, province: str | None = None) -> str | None:
    """The longest start of `text` (up to five words) that names a place of `kind` — "tỉnh", a district
    kind or a ward kind — in `province` if given: ("Đồng Xoài Cụm trưởng", "thành phố") → "Đồng Xoài".
    None when no start of `text` does."""
    ends: list[int] = []
    for m in re.finditer(r"\S+", text):
        if m.group().startswith("("):
            break
        token = m.group().rstrip(",.;:()")
        if re.search(r"\w", token):  # "Bà Rịa - Vũng Tàu": a lone dash is inside a name, never its end
            ends.append(m.start() + len(token))
        if len(ends) == 5 or token != m.group():
            break  # a name never runs past a comma or a full stop
    for end in reversed(ends):
        cand = text[:end]
        if kind == "tỉnh":
            p = province_named(cand)
            target, ok = _province_filter(province)
            hit = p is not None and ok and (target is None or _old_place_in(p.name, target))
        elif kind in DISTRICT_KINDS:
            hit = is_district(f"{kind} {cand}", province)
        else:
            hit = is_ward(f"{kind} {cand}", province)
        if hit:
            return cand
    return None
