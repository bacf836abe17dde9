"""Build the annotated UNIT corpus and train the shipped spaCy span model (``thidua train``).

The model (extract/models/units) finds organisation names in a sentence, above all open-class names in no
list ("Trường Trung cấp Nghề Vạn Ninh"), as a second opinion behind the gazetteer and head-word rules of
extract/units.py. Everything here is offline and deterministic for a given seed:

* ``build_corpus()`` generates sentences from the pieces in extract/data/train/pieces.txt (names, frames,
  distractors) and adds the hand-written sentences of extract/data/train/hand.txt. Every piece list that
  makes up names is split train/dev by a seeded shuffle, and dev sentences use dev pieces and dev-only
  frames, so the dev half scores names (and wordings) the model never saw. The result is stored in
  extract/data/train/units.jsonl (``thidua train --rebuild-corpus`` rewrites it).
* ``train()`` reads that file, trains tok2vec + spancat (rule tokenizer, ngram suggester 1..12) for a fixed
  number of steps with a fixed seed, scores the dev half and writes the model, metrics.json and README.md.

The research note (../shared/research/vn-nlp-domain.md §3.3) measured that a spancat trained on a few
templates memorises names (47 F1 on unseen units); the generator therefore varies heads, name tails,
casing, abbreviations, list punctuation and sentence frames as much as it can.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from extract.model import MODEL_DIR, SPANS_KEY, decode_spans

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_DIR = DATA_DIR / "train"
CORPUS_FILE = TRAIN_DIR / "units.jsonl"
PIECES_FILE = TRAIN_DIR / "pieces.txt"
HAND_FILE = TRAIN_DIR / "hand.txt"
PLACES_FILE = TRAIN_DIR / "places.tsv"
LABEL = "UNIT"
MAX_SPAN_TOKENS = 12  # the suggester's largest n-gram; longer gold names could never be proposed
DEFAULT_STEPS = 1000

Span3 = tuple[int, int, str]
Record = dict[str, Any]  # {"text", "spans": [[start, end, "UNIT"]], "split", "source"}

# Piece lists that make up names: each row goes to train or dev (seeded), so dev names are unseen.
_SPLIT_SECTIONS = (
    "so_fields",
    "party_boards",
    "province_boards",
    "associations",
    "centres",
    "sub_departments",
    "agencies",
    "district_offices",
    "police_offices",
    "school_names",
    "communes",
    "colleges",
    "universities",
    "hospitals",
    "company_desc",
    "company_brands",
    "brand_syllables",
    "magazine_names",
    "theatres",
    "frames",
    "negatives",
)
_DEV_SHARE = 0.2
_FORCED_DEV_PLACES = ("Vạn Ninh",)  # tests/extract/test_model.py uses it as an unseen name


# --------------------------------------------------------------------------------------------- data files


def read_sections(path: Path) -> dict[str, list[str]]:
    """The "[section]" lists of a pieces-style file; "#" lines are comments, trailing spaces are kept."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = unicodedata.normalize("NFC", raw.rstrip("\r\n"))
        if not line.strip() or line.startswith("#"):
            continue
        m = re.fullmatch(r"\[([a-z_]+)\]\s*", line)
        if m:
            current = out.setdefault(m.group(1), [])
        elif current is None:
            raise ValueError(f"{path}: text before the first [section]: {line!r}")
        else:
            current.append(line)
    return out


_MARK_RE = re.compile(r"\[\[(.+?)\]\]")


def parse_marked(line: str) -> tuple[str, list[Span3]]:
    """ "[[Sở Y tế]] được tặng …" → ("Sở Y tế được tặng …", [(0, 7, "UNIT")])."""
    text, spans, pos = [], [], 0
    length = 0
    for m in _MARK_RE.finditer(line):
        before = line[pos : m.start()]
        text.append(before)
        length += len(before)
        spans.append((length, length + len(m.group(1)), LABEL))
        text.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    text.append(line[pos:])
    return "".join(text), spans


@cache
def tokenizer_nlp() -> Language:
    """Blank Vietnamese with spaCy's rule tokenizer, as extract/units.py and the model use."""
    return spacy.blank("vi", config={"nlp": {"tokenizer": {"@tokenizers": "spacy.Tokenizer.v1"}}})


def misaligned(record: Record) -> list[Span3]:
    """The spans of a record that do not start and end on token boundaries (should be none)."""
    doc = tokenizer_nlp().make_doc(record["text"])
    return [
        (s, e, lab)
        for s, e, lab in record["spans"]
        if doc.char_span(s, e, alignment_mode="strict") is None
        or record["text"][s:e].strip() != record["text"][s:e]
    ]


def _places() -> tuple[list[str], list[tuple[str, str]]]:
    """Provinces and (kind, name) districts from places.tsv, a frozen copy of the project's place lists."""
    provinces, districts = [], []
    for line in PLACES_FILE.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        kind, name = line.split("\t")
        if kind == "province":
            provinces.append(name)
        else:
            districts.append((kind, name))
    return sorted(set(provinces)), sorted(set(districts))


# ---------------------------------------------------------------------------------------------- generator

_ROMAN = [
    *("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII"),
    *("XIV", "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV"),
]
_ROLES = (
    "Khối trưởng",
    "Khối phó",
    "Trưởng Khối",
    "Phó Trưởng Khối",
    "Cụm trưởng",
    "Cụm phó",
    "Trưởng khối",
    "Phó khối trưởng",
)

Part = tuple[str, bool]  # (text, is a UNIT span)


@dataclass
class _Pools:
    lists: dict[str, list[str]]
    provinces: list[str]
    districts: list[tuple[str, str]]


@dataclass
class _Generator:
    rng: random.Random
    pools: _Pools
    shared: dict[str, list[str]]
    avoid: set[str] = field(default_factory=set)  # names the dev half must not reuse (all train names)

    # --- small pickers
    def pick(self, section: str) -> str:
        src = self.pools.lists.get(section) or self.shared[section]
        return self.rng.choice(src)

    def variant(self, section: str, p_full: float = 0.65) -> str:
        forms = self.pick(section).split("|")
        return forms[0] if len(forms) == 1 or self.rng.random() < p_full else self.rng.choice(forms[1:])

    def maybe_lower(self, words: str, p: float = 0.15) -> str:
        if self.rng.random() >= p:
            return words
        return " ".join(w if sum(c.isupper() for c in w) > 1 else w.lower() for w in words.split(" "))

    def province(self) -> str:
        return self.rng.choice(self.pools.provinces)

    def district(self) -> tuple[str, str]:
        return self.rng.choice(self.pools.districts)

    def commune(self) -> str:
        return self.pick("communes")

    def prov_tail(self, p_none: float = 0.15) -> str:
        r = self.rng.random()
        if r < p_none:
            return ""
        if r < p_none + 0.4:
            return " tỉnh"
        if r < p_none + 0.72:
            return " tỉnh " + self.province()
        if r < p_none + 0.8:
            return " thành phố " + self.province()
        return " " + self.province()

    def district_tail(self) -> str:
        kind, name = self.district()
        r = self.rng.random()
        if r < 0.65:
            return f" {kind} {name}"
        if r < 0.75 and kind == "thành phố":
            return f" TP. {name}" if self.rng.random() < 0.5 else f" TP {name}"
        return " " + name

    def place_tail(self) -> str:
        return self.prov_tail() if self.rng.random() < 0.5 else self.district_tail()

    def year(self) -> str:
        return str(self.rng.randint(2015, 2025))

    def count(self) -> str:
        n = self.rng.randint(2, 15)
        return f"{n:02d}" if self.rng.random() < 0.3 else str(n)

    def date(self) -> str:
        d, m = self.rng.randint(1, 28), self.rng.randint(1, 12)
        y = self.year()
        return self.rng.choice([f"{d}/{m}", f"{d:02d}/{m:02d}/{y}", f"{d}/{m}/{y}", f"{d:02d}/{m}"])

    def long_date(self) -> str:
        return f"ngày {self.rng.randint(1, 28):02d} tháng {self.rng.randint(1, 12)} năm {self.year()}"

    def brand(self) -> str:
        if self.rng.random() < 0.5:
            return self.pick("company_brands")
        a, b = self.pick("brand_syllables"), self.pick("brand_syllables")
        return f"{a} {b}" if a != b else a

    def short_person(self) -> str:
        return f"{self.pick('surnames')} {self.pick('given_names')}"

    def person(self) -> str:
        return f"{self.pick('surnames')} {self.pick('middle_names')} {self.pick('given_names')}"

    def fill_simple(self, s: str) -> str:
        return (
            s.replace("{n}", str(self.rng.randint(1, 12)))
            .replace("{r}", self.rng.choice(_ROMAN[:12]))
            .replace("{y}", self.year())
            .replace("{d}", self.date())
            .replace("{l}", self.long_date())
        )

    # --- unit families: each returns a name; the key says which person titles fit it
    def f_so(self) -> str:
        field_ = self.variant("so_fields")
        tail = "" if "&" in field_ or field_.isupper() else self.prov_tail(0.45)
        return f"Sở {field_}{tail}"

    def f_party(self) -> str:
        board = self.variant("party_boards")
        _kind, name = self.district()
        owner = self.rng.choice(
            ["Tỉnh ủy", "Tỉnh ủy", "Tỉnh ủy", f"Huyện ủy {name}", f"Thành ủy {name}", "TU"]
        )
        if self.rng.random() < 0.1:
            return self.rng.choice([f"Văn phòng {owner}", f"Ủy ban Kiểm tra {owner}"])
        return f"Ban {board} {owner}" if self.rng.random() < 0.85 else f"Ban {board}"

    def f_province_board(self) -> str:
        return f"Ban {self.maybe_lower(self.variant('province_boards'), 0.1)}{self.place_tail()}"

    def f_gov(self) -> str:
        kind, name = self.district()
        c = self.commune()
        return self.rng.choice(
            [
                f"UBND {kind} {name}",
                f"Ủy ban nhân dân {kind} {name}",
                f"UBND {kind} {name}",
                f"HĐND {kind} {name}",
                f"Huyện ủy {name}",
                f"Thị ủy {name}",
                f"Thành ủy {name}",
                f"Ủy ban MTTQ Việt Nam {kind} {name}",
                f"Ủy ban Mặt trận Tổ quốc Việt Nam {kind} {name}",
                f"Đảng ủy xã {c}",
                f"UBND xã {c}",
                f"UBND phường {c}",
                f"Văn phòng HĐND và UBND {kind} {name}",
                f"Thanh tra {kind} {name}",
                f"Huyện đoàn {name}",
                f"Liên đoàn Lao động {kind} {name}",
                f"LĐLĐ {kind} {name}",
                f"Hội đồng nhân dân {kind} {name}",
            ]
        )

    def f_mass(self) -> str:
        p = self.province()
        return self.rng.choice(
            [
                "Tỉnh đoàn",
                "Tỉnh Đoàn",
                f"Tỉnh đoàn {p}",
                "Liên đoàn Lao động tỉnh",
                f"Liên đoàn Lao động tỉnh {p}",
                "LĐLĐ tỉnh",
                "Liên minh Hợp tác xã tỉnh",
                "Liên hiệp các Hội Khoa học và Kỹ thuật tỉnh",
                "Liên hiệp các tổ chức hữu nghị tỉnh",
                "Ủy ban MTTQ Việt Nam tỉnh",
                "Ủy ban MTTQ tỉnh",
                "UBMTTQ VN tỉnh",
                "Đảng ủy Khối các cơ quan tỉnh",
                "Đảng ủy Khối Doanh nghiệp tỉnh",
                "Văn phòng UBND tỉnh",
                "Văn phòng Tỉnh ủy",
                "Văn phòng Đoàn ĐBQH và HĐND tỉnh",
                "Thanh tra tỉnh",
                f"Thanh tra tỉnh {p}",
                "UBND tỉnh",
                "Ủy ban nhân dân tỉnh",
            ]
        )

    def f_assoc(self) -> str:
        t = self.variant("associations", 0.8)
        tail = self.place_tail() if self.rng.random() < 0.85 else ""
        return f"Hội {self.maybe_lower(t, 0.12)}{tail}"

    def f_centre(self) -> str:
        t = self.variant("centres", 0.8)
        return f"Trung tâm {self.maybe_lower(t)}{self.place_tail()}"

    def f_subdept(self) -> str:
        t = self.variant("sub_departments", 0.8)
        r = self.rng.random()
        if r < 0.2:
            tail = f" khu vực {self.rng.choice(_ROMAN)}"
        elif r < 0.35:
            tail = f" khu vực {self.district()[1]}"
        else:
            tail = self.place_tail()
        return f"Chi cục {self.maybe_lower(t, 0.1)}{tail}"

    def f_agency(self) -> str:
        return f"Cục {self.pick('agencies')}{self.prov_tail(0.05)}"

    def f_district_office(self) -> str:
        return f"Phòng {self.variant('district_offices')}{self.district_tail()}"

    def f_police(self) -> str:
        kind, name = self.district()
        r = self.rng.random()
        if r < 0.45:
            owner = self.rng.choice([" Công an tỉnh", f" Công an tỉnh {self.province()}", ""])
            return f"Phòng {self.pick('police_offices')}{owner}"
        if r < 0.8:
            return f"Công an {kind} {name}"
        return f"Công an tỉnh {self.province()}" if self.rng.random() < 0.5 else "Công an tỉnh"

    def f_justice(self) -> str:
        kind, name = self.district()
        court = self.rng.choice(["Tòa án nhân dân", "TAND", "Viện Kiểm sát nhân dân", "VKSND"])
        return self.rng.choice(
            [
                f"{court} {kind} {name}",
                f"{court} tỉnh",
                f"{court} tỉnh {self.province()}",
                "Bộ Chỉ huy Quân sự tỉnh",
                "Bộ CHQS tỉnh",
                "Bộ Chỉ huy Bộ đội Biên phòng tỉnh",
                "BĐBP tỉnh",
                f"Ban Chỉ huy Quân sự {kind} {name}",
                f"Ban CHQS {kind} {name}",
                f"Đồn Biên phòng {self.commune()}",
                f"Đồn Biên phòng Cửa khẩu {self.commune()}",
                f"Trại giam {self.commune()}",
                f"Trung đoàn {self.rng.randint(2, 999)}",
                f"Lữ đoàn {self.rng.randint(100, 699)}",
                f"Chi cục Thi hành án dân sự {kind} {name}",
                f"Cục Thi hành án dân sự tỉnh {self.province()}",
            ]
        )

    def f_finance(self) -> str:
        kind, name = self.district()
        p = self.province()
        return self.rng.choice(
            [
                f"Kho bạc Nhà nước {kind} {name}",
                f"Kho bạc Nhà nước {name}",
                f"KBNN {name}",
                f"Kho bạc Nhà nước tỉnh {p}",
                f"Kho bạc Nhà nước khu vực {self.rng.choice(_ROMAN)}",
                f"Ngân hàng Nhà nước chi nhánh tỉnh {p}",
                f"Ngân hàng Chính sách xã hội tỉnh {p}",
                f"Ngân hàng Chính sách xã hội {kind} {name}",
                f"Phòng giao dịch Ngân hàng Chính sách xã hội {kind} {name}",
                f"NHCSXH {kind} {name}",
                f"Ngân hàng Nông nghiệp và Phát triển nông thôn chi nhánh {name}",
                f"Agribank chi nhánh {name}",
                f"Agribank {p}",
                f"Vietcombank {p}",
                f"BIDV chi nhánh {p}",
                f"VietinBank {name}",
                f"Bảo hiểm xã hội {kind} {name}",
                f"Bảo hiểm xã hội tỉnh {p}",
                f"BHXH {kind} {name}",
                f"BHXH tỉnh {p}",
                f"Bảo hiểm xã hội khu vực {self.rng.choice(_ROMAN)}",
                f"Quỹ Đầu tư phát triển tỉnh {p}",
                "Quỹ Bảo lãnh tín dụng tỉnh",
                "Quỹ Hỗ trợ nông dân tỉnh",
                f"Thuế tỉnh {p}",
                f"Thuế cơ sở {self.rng.randint(1, 12)} tỉnh {p}",
                f"Cục Thuế tỉnh {p}",
            ]
        )

    def f_media(self) -> str:
        p = self.province()
        kind, name = self.district()
        tv = self.variant("media_names", 0.5)
        return self.rng.choice(
            [
                f"Báo {p}",
                f"Báo {p}",
                f"Đài {tv} {p}",
                f"Đài {tv} tỉnh",
                f"Đài {tv} tỉnh {p}",
                f"Báo và Đài {tv} {p}",
                f"Báo và {tv} {p}",
                f"Tạp chí {self.pick('magazine_names')} {p}",
                f"Nhà xuất bản {p}",
                f"Cổng Thông tin điện tử tỉnh {p}",
                f"Trung tâm Truyền thông tỉnh {p}",
                f"Đài Truyền thanh - Truyền hình {kind} {name}",
                f"Trung tâm Văn hóa - Thông tin và Thể thao {kind} {name}",
            ]
        )

    def f_school(self) -> str:
        level = self.pick("school_levels")
        r = self.rng.random()
        if r < 0.3:
            tail = self.pick("school_names")
        elif r < 0.6:
            tail = self.person() if self.rng.random() < 0.5 else self.short_person()
        elif r < 0.8:
            tail = self.commune()
        elif r < 0.9:
            tail = f"thị trấn {self.commune()}"
        else:
            tail = self.district()[1]
        name = f"Trường {level} {tail}"
        if self.rng.random() < 0.12:
            name += self.rng.choice([f" - {self.district()[1]}", self.district_tail()])
        return name

    def f_college(self) -> str:
        t = self.pick("colleges")
        r = self.rng.random()
        if r < 0.45:
            tail = " " + self.province()
        elif r < 0.6:
            tail = " tỉnh" if self.rng.random() < 0.5 else " tỉnh " + self.province()
        elif r < 0.8:
            tail = " " + self.district()[1]
        elif r < 0.9:
            tail = " " + self.pick("school_names")
        else:
            tail = ""
        return f"Trường {self.maybe_lower(t, 0.1)}{tail}"

    def f_university(self) -> str:
        if self.rng.random() < 0.4:
            return f"Trường Đại học {self.province()}"
        tail = self.pick("universities")
        return f"Trường Đại học {tail}" + (f" {self.province()}" if self.rng.random() < 0.2 else "")

    def f_hospital(self) -> str:
        if self.rng.random() < 0.1:
            return f"Bệnh viện Quân y {self.rng.randint(4, 199)}" + self.rng.choice(["", "A", "B"])
        t = self.maybe_lower(self.pick("hospitals"), 0.2)
        r = self.rng.random()
        tail = self.place_tail() if r < 0.75 else (" " + self.commune() if r < 0.9 else "")
        return f"Bệnh viện {t}{tail}"

    def f_health(self) -> str:
        kind, name = self.district()
        return self.rng.choice(
            [
                f"Trung tâm Y tế {kind} {name}",
                f"Trung tâm Y tế {name}",
                f"Trạm Y tế xã {self.commune()}",
                f"Trạm Y tế phường {self.commune()}",
                f"Phòng khám Đa khoa khu vực {self.commune()}",
                f"Trung tâm Kiểm soát bệnh tật tỉnh {self.province()}",
            ]
        )

    def f_company(self) -> str:
        form = self.pick("company_forms")
        r = self.rng.random()
        if r < 0.55:
            desc = self.maybe_lower(self.pick("company_desc"), 0.15)
            tail = self.rng.choice(
                ["", " " + self.province(), " " + self.district()[1], " " + self.commune()]
            )
            return f"Công ty {form} {desc}{tail}"
        if r < 0.7:
            return f"Công ty {form} {self.brand()}"
        return f"Công ty {form} {self.pick('company_desc')} {self.brand()}"

    def f_enterprise(self) -> str:
        head = self.pick("enterprise_heads")
        p = self.province()
        r = self.rng.random()
        if r < 0.5:
            desc = self.pick("company_desc")
            tail = self.rng.choice([" " + p, " " + self.commune(), " " + self.district()[1], ""])
            return f"{head} {desc}{tail}"
        if r < 0.7:
            return f"{head} {self.brand()}"
        kind, name = self.district()
        return self.rng.choice(
            [
                f"Điện lực {name}",
                f"Công ty Điện lực {p}",
                f"Viễn thông {p}",
                f"VNPT {p}",
                f"Viettel {p}",
                f"Chi nhánh Viettel {p}",
                f"Bưu điện tỉnh {p}",
                f"Bưu điện {kind} {name}",
                f"Tổng công ty {self.pick('company_desc')} {p}",
                f"Tổng công ty {self.pick('company_desc')} {p} - CTCP",
                f"Công ty {self.pick('company_desc')} {p} - CTCP",
            ]
        )

    def f_misc(self) -> str:
        """Heads the other families rarely use: clubs, teams, stations, offices, project boards."""
        kind, name = self.district()
        p = self.province()
        n = self.rng.randint(1, 15)
        return self.rng.choice(
            [
                f"Câu lạc bộ {self.pick('associations').split('|')[0]} {self.rng.choice(['tỉnh', p, name])}",
                f"Câu lạc bộ Doanh nhân {self.brand()}",
                f"Đội Quản lý thị trường số {n}",
                f"Đội Cảnh sát PCCC và CNCH khu vực {n}",
                f"Đội Thuế liên xã {self.commune()}",
                "Nhà thi đấu thể thao tỉnh",
                f"Nhà Thiếu nhi tỉnh {p}",
                f"Trạm Khuyến nông {kind} {name}",
                f"Trạm Thú y {kind} {name}",
                f"Hạt Kiểm lâm {kind} {name}",
                f"Hạt Quản lý đường bộ {self.rng.choice(_ROMAN[:8])}",
                f"Văn phòng Công chứng {self.brand()}",
                f"Văn phòng Đăng ký đất đai {kind} {name}",
                f"Chi nhánh Văn phòng Đăng ký đất đai {kind} {name}",
                f"Ban Quản lý dự án đầu tư xây dựng {kind} {name}",
                f"Ban Quản lý rừng phòng hộ {self.commune()}",
                f"Trung tâm Phát triển quỹ đất {kind} {name}",
                f"Cảng vụ Hàng hải {p}",
                f"Trường Bồi dưỡng cán bộ {self.rng.choice(['tỉnh', p])}",
                f"Phân hiệu Trường Đại học {self.pick('universities')} tại {p}",
            ]
        )

    def f_culture(self) -> str:
        p = self.province()
        return self.rng.choice(
            [
                f"Bảo tàng tỉnh {p}",
                "Bảo tàng tỉnh",
                f"Thư viện tỉnh {p}",
                "Thư viện tỉnh",
                f"Nhà Văn hóa Thiếu nhi tỉnh {p}",
                f"Nhà hát {self.pick('theatres')} {p}",
                f"Đoàn Nghệ thuật {self.pick('theatres').lower()} tỉnh {p}",
                f"Vườn quốc gia {self.commune()}",
                f"Khu Bảo tồn thiên nhiên {self.commune()}",
                f"Ban Quản lý Di tích {self.commune()}",
            ]
        )

    _FAMILIES: ClassVar[tuple[tuple[str, str, int], ...]] = (
        ("f_so", "so", 12),
        ("f_party", "ban", 5),
        ("f_province_board", "ban", 5),
        ("f_gov", "gov", 10),
        ("f_mass", "gov", 4),
        ("f_assoc", "assoc", 7),
        ("f_centre", "so", 7),
        ("f_subdept", "so", 5),
        ("f_agency", "so", 2),
        ("f_district_office", "so", 4),
        ("f_police", "justice", 3),
        ("f_justice", "justice", 4),
        ("f_finance", "so", 5),
        ("f_media", "media", 4),
        ("f_school", "school", 9),
        ("f_college", "school", 5),
        ("f_university", "school", 2),
        ("f_hospital", "health", 6),
        ("f_health", "health", 3),
        ("f_company", "company", 9),
        ("f_enterprise", "company", 5),
        ("f_culture", "so", 3),
        ("f_misc", "so", 4),
    )
    _GROUP_TITLES: ClassVar[dict[str, str]] = {
        "so": "titles_so",
        "ban": "titles_ban",
        "gov": "titles_gov",
        "assoc": "titles_assoc",
        "justice": "titles_justice",
        "media": "titles_so",
        "school": "titles_school",
        "health": "titles_so",
        "company": "titles_company",
    }

    def unit(self, group: str | None = None) -> tuple[str, str]:
        fams = [f for f in self._FAMILIES if group is None or f[1] == group]
        for _ in range(200):
            fn, grp, _w = self.rng.choices(fams, weights=[f[2] for f in fams])[0]
            name = getattr(self, fn)()
            if self.rng.random() < 0.05:  # portals that Title-Case Every Word
                name = " ".join(w[:1].upper() + w[1:] for w in name.split(" "))
            name = re.sub(r"\s+", " ", name).strip()
            if len(tokenizer_nlp().make_doc(name)) > MAX_SPAN_TOKENS or name.casefold() in self.avoid:
                continue
            return name, grp
        raise RuntimeError("could not generate a new unit name")

    # --- slot fillers: lists of (text, is_span) parts
    def s_list(self) -> list[Part]:
        n = self.rng.choices([2, 3, 4, 5, 6, 7], weights=[25, 25, 20, 14, 10, 6])[0]
        group = self.unit()[1] if self.rng.random() < 0.45 else None
        names = [self.unit(group)[0] for _ in range(n)]
        style = self.rng.choices(
            ["and", "comma", "semi", "semi_and", "comma_and"], weights=[35, 20, 15, 10, 20]
        )[0]
        sep = "; " if style.startswith("semi") else ", "
        parts: list[Part] = []
        for i, nm in enumerate(names):
            if i:
                last = i == n - 1
                if last and style == "and":
                    parts.append((" và ", False))
                elif last and style in ("semi_and", "comma_and"):
                    parts.append((sep + "và ", False))
                else:
                    parts.append((sep, False))
            parts.append((nm, True))
        return parts

    def s_title_unit(self) -> list[Part]:
        name, grp = self.unit()
        section = self._GROUP_TITLES[grp] if self.rng.random() < 0.85 else "titles_generic"
        return [(self.pick(section) + " ", False), (name, True)]

    def s_shared(self) -> list[Part]:
        if self.rng.random() < 0.55:
            boards = self.rng.sample(
                self.pools.lists["party_boards"], k=min(3, len(self.pools.lists["party_boards"]))
            )
            heads = [f"Ban {b.split('|')[0]}" for b in boards[: self.rng.randint(2, 3)]]
            _kind, name = self.district()
            tail = self.rng.choice([" Tỉnh ủy", " Tỉnh ủy", f" Huyện ủy {name}", " Thành ủy"])
        else:
            assoc = self.rng.sample(
                self.pools.lists["associations"], k=min(3, len(self.pools.lists["associations"]))
            )
            heads = [f"Hội {self.rng.choice(a.split('|'))}" for a in assoc[: self.rng.randint(2, 3)]]
            tail = self.rng.choice([" tỉnh", f" tỉnh {self.province()}", f" huyện {self.district()[1]}"])
        names = [h + (tail if i == len(heads) - 1 else "") for i, h in enumerate(heads)]
        if any(n.casefold() in self.avoid for n in names):
            return self.s_shared()
        parts: list[Part] = []
        for i, n in enumerate(names):
            if i:
                parts.append((", ", False))
            parts.append((n, True))
        return parts

    def s_elided(self) -> list[Part]:
        pool = [f for f in self.pools.lists["so_fields"] if f.split("|")[0].casefold() not in self.avoid]
        fields = self.rng.sample(pool, k=min(self.rng.randint(2, 5), len(pool)))
        parts: list[Part] = []
        for i, f in enumerate(fields):
            if i:
                parts.append((" và " if i == len(fields) - 1 and self.rng.random() < 0.6 else ", ", False))
            parts.append((f.split("|")[0], True))
        return parts

    def fill(self, template: str) -> list[Part]:
        parts: list[Part] = []
        for tok in re.split(r"(\{[A-Z]+(?::[a-z]+)?\}|\[\[.+?\]\])", template):
            if not tok:
                continue
            if tok.startswith("[["):
                parts.append((tok[2:-2], True))
            elif tok == "{U}":
                parts.append((self.unit()[0], True))
            elif tok.startswith("{U:"):
                group = {"assoc": "assoc", "media": "media", "school": "school", "health": "health"}.get(
                    tok[3:-1], tok[3:-1]
                )
                parts.append((self.unit(group)[0], True))
            elif tok == "{UL}":
                parts += self.s_list()
            elif tok == "{TU}":
                parts += self.s_title_unit()
            elif tok == "{SHARED}":
                parts += self.s_shared()
            elif tok == "{ELIDED}":
                parts += self.s_elided()
            else:
                parts.append((self.fill_slot(tok), False))
        return parts

    def fill_slot(self, tok: str) -> str:
        match tok:
            case "{O}":
                return self.fill_simple(self.pick("openers")) if self.rng.random() < 0.45 else ""
            case "{B}":
                return self.fill_simple(self.pick("blocs"))
            case "{A}":
                return self.fill_simple(self.pick("awards"))
            case "{Y}":
                return self.year()
            case "{D}":
                return self.date()
            case "{N}":
                return self.count()
            case "{P}":
                return self.person()
            case "{PP}":
                return f"{self.pick('person_prefix')} {self.person()}"
            case "{ROLE}":
                return self.rng.choice(_ROLES)
        return self.fill_simple(tok)

    def sentence(self) -> tuple[str, list[Span3]]:
        while True:
            r = self.rng.random()
            parts = self.fill(self.pick("negatives") if r < 0.13 else self.pick("frames"))
            if self.rng.random() < 0.12:
                extra = self.fill(self.pick("negatives") if self.rng.random() < 0.5 else self.pick("frames"))
                parts += [(" ", False), *_capitalised(extra)]
            text, spans = _assemble(parts, upper=self.rng.random() < 0.015)
            # the rule tokenizer keeps "Á." or "7A." whole at a sentence end: such a span cannot be learnt
            if not misaligned({"text": text, "spans": spans}):
                return text, spans


def _capitalised(parts: list[Part]) -> list[Part]:
    for i, (chunk, is_span) in enumerate(parts):
        if chunk:
            return [*parts[:i], (chunk[0].upper() + chunk[1:], is_span), *parts[i + 1 :]]
    return parts


def _assemble(parts: Sequence[Part], *, upper: bool = False) -> tuple[str, list[Span3]]:
    text, spans = "", []
    for chunk, is_span in parts:
        if is_span:
            spans.append((len(text), len(text) + len(chunk), LABEL))
        text += chunk
    if text[:1].islower():
        text = text[0].upper() + text[1:]
    if upper and len(text.upper()) == len(text):
        text = text.upper()
    return text, spans


def _split_pools(sections: dict[str, list[str]], seed: int) -> tuple[_Pools, _Pools, dict[str, list[str]]]:
    rng = random.Random(f"split-{seed}")
    train: dict[str, list[str]] = {}
    dev: dict[str, list[str]] = {}
    for name in _SPLIT_SECTIONS:
        rows = list(sections[name])
        if name == "frames":  # frames with a fixed [[span]] stay in train: their names are not unseen
            fixed = [r for r in rows if "[[" in r]
            rows = [r for r in rows if "[[" not in r]
        else:
            fixed = []
        rng.shuffle(rows)
        k = max(1, round(len(rows) * _DEV_SHARE))
        dev[name], train[name] = rows[:k], rows[k:] + fixed
    provinces, districts = _places()
    names = sorted({*provinces, *(n for _, n in districts)})
    rng.shuffle(names)
    k = round(len(names) * _DEV_SHARE)
    dev_names = set(names[:k]) | set(_FORCED_DEV_PLACES)
    # a dev place must not reappear as a commune name in train lists
    train["communes"] = [c for c in train["communes"] if c not in dev_names]
    shared = {k2: v for k2, v in sections.items() if k2 not in _SPLIT_SECTIONS}
    return (
        _Pools(
            train,
            [p for p in provinces if p not in dev_names],
            [d for d in districts if d[1] not in dev_names],
        ),
        _Pools(dev, [p for p in provinces if p in dev_names], [d for d in districts if d[1] in dev_names]),
        shared,
    )


def _names(record: Record) -> set[str]:
    return {record["text"][s:e].casefold() for s, e, _ in record["spans"]}


def build_corpus(seed: int = 0, *, n_train: int = 3000, n_dev: int = 500) -> list[Record]:
    """The annotated corpus: generated train and dev sentences plus the hand-written ones.

    Dev sentences use only dev pieces and dev frames, and a dev unit name never occurs in a train sentence.
    """
    sections = read_sections(PIECES_FILE)
    hand = read_sections(HAND_FILE)
    train_pools, dev_pools, shared = _split_pools(sections, seed)
    rng = random.Random(seed)
    records: list[Record] = []

    def add(text: str, spans: Iterable[Span3], split: str, source: str) -> None:
        records.append({"text": text, "spans": [list(s) for s in spans], "split": split, "source": source})

    for line in hand.get("train", []):
        add(*parse_marked(line), "train", "hand")
    gen = _Generator(rng, train_pools, shared)
    for _ in range(n_train):
        add(*gen.sentence(), "train", "generated")
    train_names = set().union(*(_names(r) for r in records))
    dev_gen = _Generator(rng, dev_pools, shared, avoid=train_names)
    for _ in range(n_dev):
        add(*dev_gen.sentence(), "dev", "generated")
    for line in hand.get("dev", []):
        add(*parse_marked(line), "dev", "hand")
    dev_names = set().union(*(_names(r) for r in records if r["split"] == "dev"))
    # hand-written dev names must be unseen too: drop any train sentence that happens to contain one
    records = [r for r in records if r["split"] == "dev" or not (_names(r) & dev_names)]
    bad = [r["text"] for r in records if misaligned(r)]
    if bad:
        raise ValueError(f"{len(bad)} sentences have spans off token boundaries, e.g. {bad[0]!r}")
    return records


def write_corpus(path: Path = CORPUS_FILE, seed: int = 0) -> list[Record]:
    records = build_corpus(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for r in records:
            fh.write(json.dumps(r, ensure_ascii=False) + "\n")
    return records


def load_corpus(path: Path = CORPUS_FILE) -> list[Record]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


# ----------------------------------------------------------------------------------------------- training


def config_text(*, seed: int, max_steps: int, learn_rate: float = 0.001) -> str:
    """The spaCy config of the model: blank vi, rule tokenizer, tok2vec + spancat (efficiency, CPU)."""
    return f"""
[paths]
train = null
dev = null
vectors = null
init_tok2vec = null

[system]
gpu_allocator = null
seed = {seed}

[nlp]
lang = "vi"
pipeline = ["tok2vec","spancat"]
batch_size = 256
disabled = []
before_creation = null
after_creation = null
after_pipeline_creation = null

[nlp.tokenizer]
@tokenizers = "spacy.Tokenizer.v1"

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = ${{components.tok2vec.model.encode.width}}
attrs = ["NORM","PREFIX","SUFFIX","SHAPE"]
rows = [5000,1000,2500,2500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[components.spancat]
factory = "spancat"
max_positive = null
spans_key = "{SPANS_KEY}"
threshold = 0.5

[components.spancat.model]
@architectures = "spacy.SpanCategorizer.v1"

[components.spancat.model.reducer]
@layers = "spacy.mean_max_reducer.v1"
hidden_size = 128

[components.spancat.model.scorer]
@layers = "spacy.LinearLogistic.v1"
nO = null
nI = null

[components.spancat.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = ${{components.tok2vec.model.encode.width}}
upstream = "*"

[components.spancat.suggester]
@misc = "spacy.ngram_suggester.v1"
sizes = {list(range(1, MAX_SPAN_TOKENS + 1))}

[components.spancat.scorer]
@scorers = "spacy.spancat_scorer.v1"

[corpora]

[training]
seed = ${{system.seed}}
gpu_allocator = ${{system.gpu_allocator}}
dropout = 0.1
accumulate_gradient = 1
patience = 0
max_epochs = 0
max_steps = {max_steps}
eval_frequency = {max_steps}
frozen_components = []
annotating_components = []
before_to_disk = null
before_update = null
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = false
eps = 0.00000001
learn_rate = {learn_rate}

[training.batcher]
@batchers = "spacy.batch_by_sequence.v1"
get_length = null

[training.batcher.size]
@schedules = "compounding.v1"
start = 8
stop = 32
compound = 1.002
t = 0.0

[training.score_weights]
spans_{SPANS_KEY}_f = 1.0
spans_{SPANS_KEY}_p = 0.0
spans_{SPANS_KEY}_r = 0.0

[initialize]
vectors = null
init_tok2vec = null
vocab_data = null
lookups = null
before_init = null
after_init = null

[initialize.components]

[initialize.tokenizer]
"""


def _example(nlp: Language, record: Record) -> Example:
    pred = nlp.make_doc(record["text"])
    ref = nlp.make_doc(record["text"])
    spans = []
    for s, e, label in record["spans"]:
        sp = ref.char_span(s, e, label=label, alignment_mode="strict")
        if sp is None:
            raise ValueError(f"span {s}-{e} off token boundaries in {record['text']!r}")
        spans.append(sp)
    ref.spans[SPANS_KEY] = spans
    return Example(pred, ref)


def predict_spans(
    nlp: Language, texts: Sequence[str], threshold: float = 0.5, batch_size: int = 64
) -> list[list[tuple[int, int, float]]]:
    """Non-overlapping (start, end, score) character spans for each text (see extract.model)."""
    tok2vec: Any = nlp.get_pipe("tok2vec")
    spancat: Any = nlp.get_pipe("spancat")
    out: list[list[tuple[int, int, float]]] = []
    for i in range(0, len(texts), batch_size):
        docs: list[Doc] = list(tok2vec.pipe(nlp.make_doc(t) for t in texts[i : i + batch_size]))
        out += decode_spans(docs, spancat.predict(docs), threshold)
    return out


def _prf(tp: int, gold: int, pred: int) -> dict[str, float | int]:
    p = tp / pred if pred else 0.0
    r = tp / gold if gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(f, 4),
        "tp": tp,
        "gold": gold,
        "pred": pred,
    }


def evaluate(nlp: Language, records: Sequence[Record], threshold: float = 0.5) -> dict[str, Any]:
    """Exact-boundary P/R/F of UNIT spans, plus how many gold spans were found with wrong boundaries."""
    preds = predict_spans(nlp, [r["text"] for r in records], threshold)
    tp = gold = pred = overlap = 0
    for r, ps in zip(records, preds, strict=True):
        g = {(s, e) for s, e, _ in r["spans"]}
        p = {(s, e) for s, e, _ in ps}
        tp += len(g & p)
        gold += len(g)
        pred += len(p)
        overlap += sum(1 for gs, ge in g - p if any(ps_ < ge and gs < pe for ps_, pe in p))
    out = _prf(tp, gold, pred)
    out["gold_found_with_wrong_boundaries"] = overlap
    out["sentences"] = len(records)
    return out


def _safe_replace(src: Path, dst: Path) -> None:
    if dst.exists():
        if any(dst.iterdir()) and not (dst / "meta.json").exists():
            raise FileExistsError(f"{dst} exists and is not a spaCy model directory; not overwriting it")
        shutil.rmtree(dst)
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, dst)


def train(
    out_dir: Path = MODEL_DIR,
    *,
    seed: int = 0,
    max_steps: int = DEFAULT_STEPS,
    corpus: Path = CORPUS_FILE,
    limit: int | None = None,
    hand_weight: int = 3,
    learn_rate: float = 0.001,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Train the UNIT spancat on the corpus's train half, score the dev half, save model + metrics.json.

    `limit` keeps only the first N train sentences (for quick tests); `hand_weight` repeats each hand-written
    train sentence that many times. Returns the metrics written to OUT/metrics.json.
    """
    from thinc.api import fix_random_seed

    started = time.monotonic()
    records = load_corpus(corpus)
    train_recs = [r for r in records if r["split"] == "train"]
    dev_recs = [r for r in records if r["split"] == "dev"]
    if limit is not None:
        train_recs = train_recs[:limit]
        dev_recs = dev_recs[: max(10, limit // 5)]
    fix_random_seed(seed)
    config = spacy.util.load_config_from_str(
        config_text(seed=seed, max_steps=max_steps, learn_rate=learn_rate)
    )
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    examples = [
        _example(nlp, r) for r in train_recs for _ in range(hand_weight if r["source"] == "hand" else 1)
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    losses: dict[str, float] = {}
    step, epoch = 0, 0
    log(f"training on {len(train_recs)} sentences ({len(examples)} examples), {max_steps} steps, seed {seed}")
    while step < max_steps:
        order = list(examples)
        rng.shuffle(order)
        i = 0
        while i < len(order) and step < max_steps:
            n = int(min(32.0, 8.0 * 1.002**step))  # compounding batch size, 8 -> 32 sentences
            nlp.update(order[i : i + n], drop=0.1, sgd=optimizer, losses=losses)
            i += n
            step += 1
            if step % 200 == 0 or step == max_steps:
                log(f"  step {step:>5}  epoch {epoch}  loss {losses.get('spancat', 0.0):.2f}")
                losses = {}
        epoch += 1
    train_seconds = time.monotonic() - started
    gen_dev = [r for r in dev_recs if r["source"] == "generated"]
    hand_dev = [r for r in dev_recs if r["source"] == "hand"]
    seen = [r for r in train_recs if r["source"] == "generated"][:300]
    t0 = time.monotonic()
    metrics: dict[str, Any] = {
        "label": LABEL,
        "threshold": 0.5,
        "matching": "exact character boundaries; overlapping predictions resolved by score (extract.model)",
        "dev_unseen": evaluate(nlp, dev_recs),
        "dev_unseen_generated": evaluate(nlp, gen_dev),
        "dev_unseen_handwritten": evaluate(nlp, hand_dev),
        "train_seen_sample": evaluate(nlp, seen),
    }
    n_sent = len(dev_recs) + len(seen)
    eval_ms = (time.monotonic() - t0) * 1000 / max(1, n_sent)
    metrics["training"] = {
        "seed": seed,
        "steps": max_steps,
        "epochs_started": epoch,
        "batch_sentences": "compounding 8 -> 32",
        "train_sentences": len(train_recs),
        "train_sentences_handwritten": sum(r["source"] == "hand" for r in train_recs),
        "hand_weight": hand_weight,
        "train_spans": sum(len(r["spans"]) for r in train_recs),
        "dev_sentences": len(dev_recs),
        "dev_sentences_handwritten": len(hand_dev),
        "dev_spans": sum(len(r["spans"]) for r in dev_recs),
        "seconds": round(train_seconds, 1),
        "batched_inference_ms_per_sentence": round(eval_ms, 2),
        "spacy": spacy.about.__version__,
    }
    nlp.meta.update(
        {
            "name": "thidua_units",
            "version": "0.1.0",
            "description": "UNIT spans (organisation names) in Vietnamese provincial news; see README.md",
            "license": "GPL-3.0-or-later",
            "author": "thidua project",
            "performance": {"dev_unseen": metrics["dev_unseen"]},
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        staged = Path(tmp) / "model"
        nlp.to_disk(staged)
        (staged / "metrics.json").write_text(
            json.dumps(metrics, ensure_ascii=False, indent=1) + "\n", "utf-8"
        )
        (staged / "README.md").write_text(_readme(metrics), "utf-8")
        _safe_replace(staged, Path(out_dir))
    log(f"saved to {out_dir} in {time.monotonic() - started:.1f} s")
    return metrics


def _fmt(m: dict[str, Any]) -> str:
    return f"| {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['gold']} | {m['sentences']} |"


def _readme(metrics: dict[str, Any]) -> str:
    t = metrics["training"]
    hand_gold = metrics["dev_unseen_handwritten"]["gold"]
    return f"""# UNIT span model (thidua)

A spaCy {t["spacy"]} pipeline (blank `vi`, rule tokenizer `spacy.Tokenizer.v1`, `tok2vec` + `spancat` with an
n-gram suggester of 1–{MAX_SPAN_TOKENS} tokens) that marks organisation names ("UNIT") in a sentence of
Vietnamese provincial news: departments, boards, schools, companies, hospitals, associations, people's and
party committees, media, banks. It is a second opinion behind the gazetteer and head-word rules of
`extract/units.py`, used through `extract.model.unit_spans()`. Nothing is downloaded at run time.

This directory is the output of one run of `thidua train` (`make train`); that command rebuilds it
exactly from `extract/data/train/units.jsonl` (seed {t["seed"]}, {t["steps"]} steps).

## Data

`extract/data/train/units.jsonl`, written by `extract/train.py` `build_corpus()` (`thidua train
--rebuild-corpus`): sentences generated from the pieces in `extract/data/train/pieces.txt` (name heads and
tails, provinces and districts, abbreviations, names with commas and "và" inside, list punctuation, person
titles, 100+ sentence frames, distractors such as "Khối lượng công việc", "Hội nghị", "Trường hợp") plus the
hand-written sentences of `extract/data/train/hand.txt`. No text comes from any article corpus.

* train: {t["train_sentences"]} sentences ({t["train_sentences_handwritten"]} hand-written, each used
  {t["hand_weight"]}× per epoch), {t["train_spans"]} spans
* dev: {t["dev_sentences"]} sentences ({t["dev_sentences_handwritten"]} hand-written), {t["dev_spans"]} spans.
  The dev half is split **by unit name**: its names, name pieces, places and sentence frames are held out of
  training, so its scores are for units the model has never seen.

Annotation rules are at the top of `hand.txt` (guests and award givers acting in a sentence are units;
organisations inside an award name, blocs, persons and titles are not).

## Scores (exact boundaries, threshold 0.5)

| set | P | R | F1 | gold spans | sentences |
| --- | --- | --- | --- | --- | --- |
| dev, unseen names (all) {_fmt(metrics["dev_unseen"])}
| dev, unseen, generated {_fmt(metrics["dev_unseen_generated"])}
| dev, unseen, hand-written {_fmt(metrics["dev_unseen_handwritten"])}
| train sample, seen names {_fmt(metrics["train_seen_sample"])}

Training took {t["seconds"]} s on the CPU. Generated sentences, even held out, share the generator's
style; the hand-written dev row is closer to real articles but small ({hand_gold} spans). No real article was
scored. Trust the model as a proposer of candidates that the rules confirm, not as a sole source.

## Use and limits

```python
from extract.model import unit_spans
unit_spans(text, start, end)  # [(start, end, score), ...] inside text[start:end], no overlaps
```

About 4 ms per 25-syllable sentence on one core, plus about 1 s to load on the first call. Known misses:
names longer than {MAX_SPAN_TOKENS} syllables (the suggester cannot propose them, e.g. "Ban Quản lý dự án
Đầu tư xây dựng thị xã …"); list members whose head word the list left out when the name is unseen ("các
sở: Ngoại vụ, Nội vụ"); unseen names with a comma or "và" inside ("Ban Bảo vệ, chăm sóc sức khỏe cán bộ",
"Bệnh viện Lao và Bệnh phổi") are often split; head words absent from the data are not recognised.

## Licence

GPL-3.0-or-later, the licence of the thidua project (the training data was written for the project).
"""


def main_rebuild(seed: int = 0) -> int:
    """Rewrite units.jsonl from the pieces and hand-written sentences; return the sentence count."""
    return len(write_corpus(CORPUS_FILE, seed))
