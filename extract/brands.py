"""Enterprises named by their brand alone ("Vinatex được bầu làm Khối trưởng", "Sabeco là doanh nghiệp …").

Blocs of enterprises write a member by its trading name, with no head word ("Công ty …") for the
open-class capture to start from. A brand is recognised by what it is — a word in Latin letters that
no Vietnamese syllable spells (a mixed-case coinage) or an upper-case acronym — and by where it
stands: the subject of a verb that gives a unit a role or an award ("được bầu", "được đề nghị
tặng", "là doanh nghiệp"). Both must hold, so a foreign word in passing is not a unit.
"""

from __future__ import annotations

import re

from extract.units import UnitSpan

# the verbs that make the word before them a unit of the bloc: elected, proposed or awarded, or
# introduced as an enterprise or a unit
_SUBJECT_OF_RE = re.compile(
    r"\s+(?:là\s+(?:doanh\s+nghiệp|đơn\s+vị|công\s+ty|tập\s+đoàn)"
    r"|(?:đã\s+|cũng\s+)?được\s+(?:[^,.;]{0,20}?\s)?(?:bầu|đề\s+nghị|đề\s+xuất|tặng|trao|nhận|suy\s+tôn|bình\s+xét))(?!\w)",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"(?<![\w-])([A-Z][A-Za-z0-9]{2,15})(?![\w-])")
# one Vietnamese syllable written without tone marks: initial consonants, a vowel nucleus, a final
_SYLLABLE_RE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|th|tr|qu|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ng|nh|ch|[cmnpt])?"
)
# administrative acronyms that head a unit's name; they are never a unit on their own
_ADMIN_ACRONYMS = frozenset(
    {"UBND", "MTTQ", "HTX", "CLB", "BCH", "BTV", "KCN", "KKT", "TNHH", "MTV", "BHXH", "CTCP", "TW"}
)
# a brand found by position alone is less sure than a unit found by its head word
BRAND_CONF = 0.6


def _is_brand(word: str) -> bool:
    if word.isupper():
        return len(word) >= 3 and word not in _ADMIN_ACRONYMS and not word.isdigit()
    # "Thaco", "Viettel": mixed case that no single syllable spells
    return word[1:].islower() and not _SYLLABLE_RE.fullmatch(word.lower())


def brand_units(text: str, start: int, end: int, taken: list[tuple[int, int]]) -> list[UnitSpan]:
    """Brands standing as the subject of a role or award verb in text[start:end], outside `taken`."""
    out: list[UnitSpan] = []
    for m in _WORD_RE.finditer(text, start, end):
        s, e = m.span(1)
        if any(a <= s < b for a, b in taken) or not _is_brand(m.group(1)):
            continue
        if _SUBJECT_OF_RE.match(text, e, end):
            out.append(UnitSpan(s, e, m.group(1), BRAND_CONF, "brand"))
    return out
