"""The province an article's bloc belongs to, read last because it depends on the blocs and members.

A cluster of provinces or a bloc of ministries belongs to none; otherwise the portal's province
(registry hint, then URL host) wins over the province the text names most. An article that names no
province may still name a district of one ("tại TP Hạ Long"), or carry one in its URL path
(".../ldld-soc-trang/..."); extract.places tells which.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from urllib.parse import unquote, urlsplit

from extract.blocs import COUNT_WORDS
from extract.lexicon import lexicon
from extract.places import (
    DISTRICT_KINDS,
    canonical_province,
    longest_place,
    places,
    province_of_place,
    split_kind,
)
from extract.record import Evidence, EvidenceMaker, Record, ScalarFact
from extract.textnorm import fold

# Bare spellings that name the city only after "thành phố"/"TP": alone, "Hồ Chí Minh" is the President
# ("tư tưởng, đạo đức Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh") and "Huế" is often the old capital in prose.
_CITY_WORD_NEEDED = frozenset({"Hồ Chí Minh", "Huế"})


@cache
def _province_matcher() -> tuple[dict[str, str], re.Pattern[str]]:
    """One pattern for every province name and variant (longest first), and the name each spelling means."""
    names: dict[str, str] = {}
    for p in places().provinces:
        for v in {p.name, *(x for x in p.variants if len(x) > 4)}:
            names.setdefault(v, p.name)
    names.setdefault("Huế", "Thừa Thiên Huế")  # only after "thành phố"/"TP" (_CITY_WORD_NEEDED)
    alt = "|".join(re.escape(v) for v in sorted(names, key=len, reverse=True))
    return names, re.compile(rf"(?<![\wÀ-ỹ])(?:{alt})(?![\wÀ-ỹ])")


# A bloc introduced by a count of provinces or cities ("Cụm thi đua 7 tỉnh trung du …", "Cụm thi đua
# 5 thành phố trực thuộc Trung ương") or by a region of several provinces spans provinces. A number
# followed by one province's name ("Khối thi đua 3 tỉnh Thái Bình") is the bloc's number instead.
_REGIONS = (
    r"Bắc Trung Bộ|Nam Trung Bộ|Trung Bộ|Tây Nguyên|Đông Nam Bộ|Tây Nam Bộ|Nam Bộ|Tây Bắc|Đông Bắc"
    r"|Đồng bằng sông Hồng|Đồng bằng sông Cửu Long|miền núi phía Bắc|trung du|duyên hải|miền Trung|miền Đông"
    r"|miền Tây|trực thuộc (?i:trung ương)"
)
_SPANS_PROVINCES_RE = re.compile(
    rf"(?:[Kk]hối|[Cc]ụm)(?:\s+thi\s+đua)?\s+(?:\d+\s+|các\s+|{COUNT_WORDS}\s+)(?:tỉnh|thành\s+phố|TP)"
    r"(?:,\s*thành\s+phố)?"
    rf"(?:\s+[^.;:]{{0,30}}?)?\s*(?:{_REGIONS})"
    rf"|(?:[Kk]hối|[Cc]ụm)(?:\s+thi\s+đua)?\s+(?:\d+|{COUNT_WORDS})\s+(?:tỉnh|thành\s+phố|TP)(?!\s+[A-ZĐ])"
)


# Members from this many provinces (or a bloc name naming this many) make a cluster of provinces,
# which belongs to none of them
_MIN_PROVINCES_SPANNED = 2


def _assign(rec: Record, w: str, url: str | None, hint: str | None, ev: EvidenceMaker) -> None:
    """Set `rec.province`, or leave it unset for a bloc that spans provinces or is national.

    Runs last: whether the bloc spans provinces is told by its name and its members.
    """
    lex = lexicon()
    # a cluster of several provinces belongs to none of them
    # (by the province each belongs to since 2025: a merged province's old parts are one province)
    provs_in_members = {
        p.merged_into or p.name for m in rec.members for p in [lex.province_of_unit(m.unit)] if p
    }
    bloc_names = " ".join(b.name for b in rec.blocs)
    if re.search(r"\b[Bb]ộ,|các\s+[Bb]ộ(?:\s|,)|[Bb]ộ\s+ngành", bloc_names):
        return  # a bloc of ministries is national
    if (
        len(provs_in_members) >= _MIN_PROVINCES_SPANNED
        or re.search(r"(?<!số )(?<!đua )(?<!khối )(?<!cụm )\b\d+\s+tỉnh|các\s+tỉnh", bloc_names, re.I)
        or _SPANS_PROVINCES_RE.search(w)
        or sum(1 for p in places().provinces if p.name in bloc_names) >= _MIN_PROVINCES_SPANNED
        # a national body's bloc, unless the body is its provincial or district branch
        # ("Ủy ban MTTQ Việt Nam tỉnh X", "… Việt Nam các huyện")
        or re.search(r"\bBộ\s|Việt Nam(?!\s+(?:các\s+)?(?:tỉnh|thành\s+phố|huyện|quận|thị\s+xã))", bloc_names)
    ):
        return
    if hint:  # the registry's spelling, in SCHEMA.md form ("TP. Hồ Chí Minh" → "Hồ Chí Minh")
        value = canonical_province(hint) or hint
        rec.province = ScalarFact(None, 0.95, "registry", field_name="province", value=value)
        return
    if url:
        host = (urlsplit(url).hostname or "").lower().replace("-", "")
        best = max((p for p in places().provinces if p.slug in host), key=lambda p: len(p.slug), default=None)
        if best:
            rec.province = ScalarFact(None, 0.9, "url_host", field_name="province", value=best.name)
            return
    if _from_districts(rec, w, ev, members_only=True):
        return  # the bloc's member districts all lie in one province: a venue elsewhere does not move it
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, int]] = {}
    names, rx = _province_matcher()
    for m in rx.finditer(w):
        name = names[m.group(0)]
        if m.group(0) in _CITY_WORD_NEEDED and not re.search(
            r"(?:thành phố|TP\.?)\s*$", w[max(0, m.start() - 12) : m.start()], re.I
        ):
            continue
        counts[name] += 1
        first.setdefault(name, (m.start(), m.end()))
    if counts:
        name, n = counts.most_common(1)[0]
        s, e = first[name]
        rec.province = ScalarFact(
            ev(s, e), 0.6 if n == 1 else 0.75, "text_mention", field_name="province", value=name
        )
        return
    _from_districts(rec, w, ev) or _from_url_path(rec, url) or _from_url_host_district(rec, url)


# a district-level place named with its kind: "TP Hạ Long", "huyện Củ Chi", "thị xã Bình Long"
_DISTRICT_RE = re.compile(
    r"(?<![\wÀ-ỹ])(?P<kind>[Hh]uyện|[Tt]hị xã|TX\.?|[Tt]hành phố|TP\.?|[Qq]uận)\s*"
    r"(?P<name>[A-ZĐ0-9][\wÀ-ỹ]*(?:\s+(?:[-–]\s+)?[A-ZĐ0-9][\wÀ-ỹ]*){0,4})"
)


def _from_districts(rec: Record, w: str, ev: EvidenceMaker, *, members_only: bool = False) -> bool:
    """The province of the districts the text names, when they all lie in one (names that several
    provinces share, "huyện Châu Thành", tell nothing). Districts were abolished on 1 July 2025: an
    article of that time gets the province they became part of."""
    date = rec.event_date or rec.published
    before_2025 = not (date and date.value and date.value >= "2025-07-01")
    found: dict[str, Evidence | None] = {}
    hits = 0
    # the text, then the members' names: "UBND các huyện: Lộc Ninh, …" names "huyện Lộc Ninh" only there
    sources = [] if members_only else [(w, None)]
    for text, evidence in [*sources, *((m.unit, m.evidence) for m in rec.members)]:
        for m in _DISTRICT_RE.finditer(text):
            kind = split_kind(f"{m.group('kind')} x")[0]
            known = longest_place(m.group("name"), kind) if kind in DISTRICT_KINDS else None
            prov = province_of_place(f"{kind} {known}", before_2025=before_2025) if known else None
            hits += bool(prov)
            if prov and prov not in found:
                found[prov] = evidence or ev(m.start(), m.start("name") + len(known or ""))
    if len(found) != 1 or (members_only and hits < _MIN_MEMBER_DISTRICTS):
        return False
    name, evidence = next(iter(found.items()))
    rule = "member_districts" if members_only else "district_mention"
    conf = MEMBER_DISTRICTS_CONF if members_only else DISTRICT_MENTION_CONF
    rec.province = ScalarFact(evidence, conf, rule, field_name="province", value=name)
    return True


# members that are districts of one province tell the province when there are at least this many
_MIN_MEMBER_DISTRICTS = 2
# the bloc's own districts are surer than districts named anywhere in the text
MEMBER_DISTRICTS_CONF = 0.7
DISTRICT_MENTION_CONF = 0.55


def _ascii_words(s: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", fold(s)))


def _from_url_path(rec: Record, url: str | None) -> bool:
    """The one province whose name the URL path spells ("/ldld-soc-trang/…" → Sóc Trăng)."""
    if not url:
        return False
    path = " " + " ".join(re.findall(r"[a-z0-9]+", unquote(urlsplit(url).path).lower())) + " "
    hits = {
        p.name for p in places().provinces if f" {' '.join(re.findall(r'[a-z0-9]+', fold(p.name)))} " in path
    }
    if len(hits) != 1:
        return False
    rec.province = ScalarFact(None, 0.5, "url_path", field_name="province", value=hits.pop())
    return True


# a district's name in a host is a district site's only when it is this long ("giangthanh"); short
# ones ("an", "ba") sit inside other words
_MIN_HOST_DISTRICT_CHARS = 8


@cache
def _district_slugs() -> tuple[tuple[str, str], ...]:
    """(ascii slug, province) of every district whose name is long enough to tell a host by."""
    slugs = (("".join(re.findall(r"[a-z0-9]+", fold(d.name))), d.province) for d in places().districts)
    return tuple((slug, prov) for slug, prov in slugs if len(slug) >= _MIN_HOST_DISTRICT_CHARS)


def _from_url_host_district(rec: Record, url: str | None) -> bool:
    """The province of the one district a host is named after ("giangthanh.edu.vn": a school site of
    that district)."""
    if not url:
        return False
    parts = urlsplit(url)
    labels = (parts.hostname or "").lower().replace("-", "").split(".")
    path_words = set(re.findall(r"[a-z0-9]+", unquote(parts.path).lower().replace("-", "")))
    if any(p.slug in path_words for p in places().provinces):
        return False  # a site of one place carrying another province's section ("…/nghean/…")
    hits = {prov for slug, prov in _district_slugs() if slug in labels}
    if len(hits) != 1:
        return False
    rec.province = ScalarFact(None, 0.5, "url_host_district", field_name="province", value=hits.pop())
    return True


def assign_province(rec: Record, w: str, url: str | None, hint: str | None, ev: EvidenceMaker) -> None:
    """The bloc's province: from the registry, the URL host or the text; none for a cluster of provinces."""
    _assign(rec, w, url, hint, ev)
    if (
        rec.province is not None
        and rec.province.value == "Thừa Thiên Huế"
        and (re.search(r"(?:thành phố|TP\.?)\s+Huế", w, re.I) and "Thừa Thiên" not in w)
    ):
        rec.province.value = (
            "Huế"  # a centrally-run city since 2025: articles of that time say "thành phố Huế"
        )
