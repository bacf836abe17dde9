"""Domain word lists loaded once from extract/data: units, abbreviations, head words.

The unit gazetteer starts from the research team's units-gazetteer.tsv (canonical name, type,
variants); `{tỉnh}` templates expand with every province name, `{huyện}`/`{thị xã}`/`{thành phố}`/`{quận}`
with every district of that kind. Provinces and districts come from extract.places (the
vietnamadminunits package's data), not from tables of our own.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from extract.namekeys import ukey as ukey  # re-exported: the key moved to extract.namekeys
from extract.places import Province, places
from extract.textnorm import normalize

__all__ = ["UNIT_HEADS", "Lexicon", "Province", "kind_word", "lexicon", "ukey"]

_WORD_RE = re.compile(r"[a-z0-9]+")
_SLOT_RE = re.compile(r"\{(huyện|thị xã|thành phố|quận)\}")


def _rows(name: str) -> list[list[str]]:
    text = resources.files("extract.data").joinpath(name).read_text(encoding="utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.reader(lines, delimiter="\t"))


@dataclass(slots=True)
class Lexicon:
    units: dict[str, str] = field(default_factory=dict)  # ukey → canonical
    unit_types: dict[str, str] = field(default_factory=dict)  # canonical → type
    phrases: list[str] = field(default_factory=list)  # surface forms for the phrase matcher
    abbreviations: list[tuple[str, str]] = field(default_factory=list)
    provinces: list[Province] = field(default_factory=list)
    province_by_key: dict[str, Province] = field(default_factory=dict)

    def canonical_unit(self, name: str) -> str | None:
        return self.units.get(ukey(name))

    def province(self, name: str) -> Province | None:
        return self.province_by_key.get(ukey(name))

    def province_of_unit(self, unit: str) -> Province | None:
        """The province a unit name is, or ends with ("Sở Y tế tỉnh Gia Lai", "Gia Lai"); None otherwise."""
        return next((p for p in self.provinces if unit == p.name or unit.endswith(" " + p.name)), None)


@cache
def lexicon() -> Lexicon:
    """Return the shared lexicon (built once per process)."""
    lex = Lexicon()
    pl = places()
    lex.provinces = list(pl.provinces)
    for p in lex.provinces:
        for v in (p.name, *p.variants):
            lex.province_by_key.setdefault(ukey(v), p)
    lex.abbreviations = sorted(
        ((normalize(r[0]).text, r[1]) for r in _rows("abbreviations.tsv") if len(r) >= 2),
        key=lambda ab: len(ab[0]),
        reverse=True,
    )
    districts: dict[str, list[str]] = {}  # kind → names, for the {huyện}, {thị xã} … templates
    for dist in pl.districts:
        districts.setdefault(dist.kind, []).append(dist.name)
    for row in _rows("units-gazetteer.tsv")[1:]:
        canonical, utype = normalize(row[0]).text, row[1]
        variants = [normalize(v).text for v in (row[2].split("|") if len(row) > 2 else []) if v]
        names = [canonical, *variants]
        if "{" in canonical:
            if "{tỉnh}" not in canonical:
                slot = _SLOT_RE.search(canonical)  # "UBND huyện {huyện}" for every district
                if slot:
                    for d in districts.get(slot.group(1), ()):
                        for n in names:
                            _add_unit(
                                lex, n.replace(slot.group(0), d), canonical.replace(slot.group(0), d), utype
                            )
                continue
            for p in lex.provinces:
                # a state office's name says its province's kind ("Công an thành phố Hải Phòng"); a paper's
                # or a school's does not ("Báo Hải Phòng")
                says_kind = re.search(r"(?:tỉnh|phố)\s+\{tỉnh\}", canonical)
                named = utype.startswith(_KIND_NAMED_TYPES) and not says_kind
                where = f"{kind_word(p)} {p.name}" if named else p.name
                for n in names:
                    _add_unit(lex, n.replace("{tỉnh}", p.name), canonical.replace("{tỉnh}", where), utype)
            continue
        for n in names:
            _add_unit(lex, n, canonical, utype)
    for surface, canonical, utype in _EXTRA_UNITS:
        _add_unit(lex, surface, canonical, utype)
    lex.phrases = sorted(set(lex.phrases), key=len, reverse=True)
    return lex


# unit types whose official names carry "tỉnh"/"thành phố" before the province
_KIND_NAMED_TYPES = ("luc_luong_vu_trang", "nganh_doc", "bao_hiem")


def kind_word(p: Province) -> str:
    """ "thành phố" for a province that is a city under that very name, else "tỉnh" (dropped by keys)."""
    return "thành phố" if p.kind == "thành phố" and f"Thành phố {p.name}" in p.variants else "tỉnh"


def _add_unit(lex: Lexicon, surface: str, canonical: str, utype: str) -> None:
    k = ukey(surface)
    if not k:
        return
    lex.units.setdefault(k, canonical)
    lex.unit_types.setdefault(canonical, utype)
    lex.phrases.append(surface)


# Spellings seen in portal prose that the research gazetteer lacks (written for this project).
_EXTRA_UNITS: tuple[tuple[str, str, str], ...] = (
    ("Viện Kiểm sát tỉnh", "Viện Kiểm sát nhân dân tỉnh", "tu_phap"),
    ("Tòa án tỉnh", "Tòa án nhân dân tỉnh", "tu_phap"),
    ("Đài Phát thanh - Truyền hình tỉnh", "Đài Phát thanh và Truyền hình tỉnh", "bao_chi_pre2025"),
    ("Đài Phát thanh Truyền hình tỉnh", "Đài Phát thanh và Truyền hình tỉnh", "bao_chi_pre2025"),
    ("Ủy ban Kiểm tra", "Ủy ban Kiểm tra Tỉnh ủy", "dang"),
    ("Tỉnh Đoàn", "Tỉnh đoàn", "doan_the"),
    ("Đoàn Thanh niên Cộng sản Hồ Chí Minh tỉnh", "Tỉnh đoàn", "doan_the"),
    ("Liên minh các Hợp tác xã tỉnh", "Liên minh Hợp tác xã tỉnh", "hoi"),
    ("Cục Thống kê", "Cục Thống kê tỉnh", "nganh_doc_pre2025"),
    (
        "Ban Quản lý khu kinh tế và các khu công nghiệp tỉnh",
        "Ban Quản lý khu kinh tế và các khu công nghiệp tỉnh",
        "ban",
    ),
)

# Words that open a unit name. Longest first when matched.
UNIT_HEADS: tuple[str, ...] = (
    "Sở",
    "Ban",
    "Ủy ban",
    "Văn phòng",
    "Thanh tra",
    "Trường",
    "Học viện",
    "Đại học",
    "Trung tâm",
    "Công ty",
    "Cty",
    "Tổng công ty",
    "Tập đoàn",
    "Bệnh viện",
    "Hội",
    "Liên đoàn",
    "Liên hiệp",
    "Liên minh",
    "Đài",
    "Báo",
    "Tạp chí",
    "Cục",
    "Chi cục",
    "Viện",
    "Tòa án",
    "Công an",
    "Bộ Chỉ huy",
    "Bộ Tư lệnh",
    "Bộ đội",
    "Kho bạc",
    "Ngân hàng",
    "Bảo hiểm xã hội",
    "Bảo tàng",
    "Thư viện",
    "Trại giam",
    "Lữ đoàn",
    "Trung đoàn",
    "Sư đoàn",
    "Hải đoàn",
    "Hải đội",
    "Tiểu đoàn",
    "Đồn Biên phòng",
    "Tỉnh đoàn",
    "Đoàn Thanh niên",
    "Đoàn thanh niên",
    "Đoàn TNCS",
    "Tỉnh Đoàn",
    "Thành đoàn",
    "Huyện đoàn",
    "Phòng",
    "Bưu điện",
    "Viễn thông",
    "Điện lực",
    "Truyền tải điện",
    "Đảng ủy",
    "Vườn quốc gia",
    "Vườn Quốc gia",
    "Quỹ",
    "Chi nhánh",
    "CN NH",  # "CN NH Công thương …": the branch of a bank, as bank lists abbreviate it
    "CN Ngân hàng",
    "Phân hiệu",
    "Nhà máy",
    "Xí nghiệp",
    "Hợp tác xã",
    "Tỉnh ủy",
    "Thành ủy",
    "Huyện ủy",
    "Thị ủy",
    "Quận ủy",
    "Cổng Thông tin",
    "Nhà xuất bản",
    "Trạm",
    "Hạt Kiểm lâm",
    "Kiểm lâm",
    "Hải quan",
    "Thuế",
    "Mặt trận",
    "Ủy ban nhân dân",
    "UBND",
    "VKSND",
    "TAND",
    "BHXH",
    "LĐLĐ",
    "BQL",
    "UBMTTQ",
    "Bộ",
    "Văn phòng Đoàn",
)
