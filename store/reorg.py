"""The 2025 reorganisation, as the store links entities across it (issue 8, item 4).

Three kinds of change, each from its own source:

- **Provinces** (63 → 34 on 1 July 2025): `extract.places.province_2025`, from the
  `vietnamadminunits` package. A unit of an old province has a successor of the same name in the
  province it became part of ("Sở Y tế" of Bình Phước → "Sở Y tế" of Đồng Nai).
- **Departments** merged in March 2025 ("Sở Kế hoạch và Đầu tư" → "Sở Tài chính"):
  store/data/departments-2025.tsv, a small file with its sources stated.
- **Communes and wards** merged on 1 July 2025 (districts were abolished): the package's map of
  old wards onto new ones (data/converter_2025.json with data/dataset.db). A unit named after an
  old commune ("UBND xã Lộc Hiệp", Bình Phước) has as successor the same unit of the commune it
  became part of ("Ủy ban nhân dân xã Lộc Quang", Đồng Nai); a commune split between several
  new ones has one successor each.

The package's data files are read directly, as `extract.places` does, because importing the
package costs about 1.5 s (it imports shapely and geopy) and we only need names.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import re
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Final

from extract.namekeys import ukey
from extract.places import WARD_KINDS, districts_named, place_key, province_named, split_kind
from extract.textnorm import normalize_name
from store.errors import StoreError

PACKAGE: Final = "vietnamadminunits"
DEPARTMENTS_FILE: Final = "departments-2025.tsv"
PROVINCE_SOURCE: Final = "vietnamadminunits: provinces 63 → 34 (Nghị quyết 202/2025/QH15)"
WARD_SOURCE: Final = "vietnamadminunits: communes and wards merged 1 July 2025"

# "Ủy ban nhân dân xã Lộc Hiệp", "Huyện ủy Lộc Ninh" is not matched (no kind word before the
# place); the organ before the place kind is kept and put before the new place
_PLACE_UNIT = re.compile(
    r"^(?P<organ>(?:Ủy ban nhân dân|Hội đồng nhân dân|Ủy ban Mặt trận Tổ quốc|Đảng ủy|Công an)\s+)?"
    r"(?P<kind>huyện|thị xã|thành phố|quận|xã|phường|thị trấn|đặc khu)\s+(?P<place>\S.*)$",
    re.IGNORECASE,
)


class ReorgDataError(StoreError):
    """Raised when the reorganisation data (ours or the package's) cannot be read."""


@dataclass(frozen=True, slots=True)
class Department:
    """One row of departments-2025.tsv."""

    old_name: str
    new_name: str
    effective: str
    source: str


@cache
def departments() -> dict[str, Department]:
    """Return the merged departments by the name key of their old name."""
    try:
        text = resources.files("store.data").joinpath(DEPARTMENTS_FILE).read_text(encoding="utf-8")
    except OSError as exc:
        raise ReorgDataError(f"cannot read store/data/{DEPARTMENTS_FILE} ({exc})") from exc
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    out = {}
    for row in csv.DictReader(lines, delimiter="\t"):
        dep = Department(*(normalize_name(row[k]) for k in ("old_name", "new_name", "effective", "source")))
        out[ukey(dep.old_name)] = dep
    return out


def department_successor(key: str) -> Department | None:
    """Return the merger that `key` (a unit's name key, no province) took part in, if any."""
    return departments().get(key)


@dataclass(frozen=True, slots=True)
class PlaceUnit:
    """A unit named after a district or commune: its organ ("Ủy ban nhân dân "), kind and place."""

    organ: str
    kind: str
    place: str

    def renamed(self, kind: str, place: str) -> str:
        return f"{self.organ}{kind} {place}".strip()


def place_unit(name: str, province: str | None) -> PlaceUnit | None:
    """Return the district or commune `name` is named after, if it is one of `province`'s.

    `name` has its abbreviations spelled out ("Ủy ban nhân dân xã Lộc Hiệp"). A commune or ward
    must be one `extract.places` knows in that province (old or new); a district one of before
    July 2025.
    """
    m = _PLACE_UNIT.match(normalize_name(name))
    if not m:
        return None
    kind, place = m.group("kind").lower(), m.group("place").strip()
    if kind in WARD_KINDS:
        from extract.places import wards_named  # indexed on first use (about 0.15 s)

        known = bool(wards_named(f"{kind} {place}", province))
    else:
        known = bool(districts_named(f"{kind} {place}", province))
    return PlaceUnit(m.group("organ") or "", kind, place) if known else None


# --- communes and wards -------------------------------------------------------------------


def _data_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ReorgDataError(f"the {PACKAGE} package is not installed: run `make install`")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@dataclass(frozen=True, slots=True)
class _Wards:
    # (old province short name's key, ward place key, ward kind) -> old ward keys ("prov_dist_ward")
    old: dict[tuple[str, str, str], list[str]]
    # old ward key -> (new province short name, kind, name) of the new wards it became part of
    new_of_old: dict[str, list[tuple[str, str, str]]]


@cache
def _wards() -> _Wards:
    root = _data_dir()
    try:
        table = json.loads((root / "converter_2025.json").read_text(encoding="utf-8"))
        with closing(
            sqlite3.connect(f"{(root / 'dataset.db').as_uri()}?mode=ro&immutable=1", uri=True)
        ) as con:
            legacy = con.execute(
                "SELECT provinceShort, ward, wardType, provinceKey, districtKey, wardKey"
                " FROM admin_units_legacy"
            ).fetchall()
            current = con.execute(
                "SELECT provinceShort, ward, wardType, provinceKey, wardKey FROM admin_units"
            ).fetchall()
    except (OSError, ValueError, sqlite3.Error) as exc:
        raise ReorgDataError(f"cannot read {PACKAGE}'s ward data in {root} ({exc!r})") from exc
    old: dict[tuple[str, str, str], list[str]] = {}
    for short, ward, wtype, pkey, dkey, wkey in legacy:
        if not ward:
            continue
        kind, rest = split_kind(ward)
        kind = kind or (wtype or "").lower()
        old.setdefault((place_key(short or ""), place_key(rest), kind), []).append(f"{pkey}_{dkey}_{wkey}")
    names: dict[tuple[str, str], tuple[str, str, str]] = {}
    for short, ward, wtype, pkey, wkey in current:
        kind, rest = split_kind(ward or "")
        names[pkey, wkey] = (normalize_name(short or ""), kind or (wtype or "").lower(), rest)
    new_of_old: dict[str, list[tuple[str, str, str]]] = {}
    for pkey, wards in table.get("DICT_PROVINCE_WARD_NO_DIVIDED", {}).items():
        for wkey, olds in wards.items():
            for o in olds:
                if (pkey, wkey) in names:
                    new_of_old.setdefault(o, []).append(names[pkey, wkey])
    for pkey, olds in table.get("DICT_PROVINCE_WARD_DIVIDED", {}).items():
        for o, targets in olds.items():
            for t in targets:
                if (pkey, t.get("newWardKey")) in names:
                    new_of_old.setdefault(o, []).append(names[pkey, t["newWardKey"]])
    return _Wards(old, new_of_old)


def ward_successors(kind: str, place: str, province: str) -> list[tuple[str, str, str]]:
    """Return (province of 2025, kind, name) of the communes an old commune became part of.

    Empty when `province` has no such commune before July 2025, when two of its old communes
    share the name (no telling which), or when the commune is already one of 2025.
    """
    p = province_named(province)
    if p is None:
        return []
    w = _wards()
    # the package's short name of the province is `p.name` or one of its variants
    for short in (p.name, *p.variants):
        olds = w.old.get((place_key(short), place_key(place), kind))
        if olds is not None:
            break
    else:
        return []
    if len(olds) != 1:
        return []
    found = list(dict.fromkeys(w.new_of_old.get(olds[0], [])))
    # a commune that kept its name and province needs no successor: it is itself
    return [f for f in found if not (f[1] == kind and place_key(f[2]) == place_key(place))]
