"""Comparison keys for unit, bloc and province names, as ../shared/eval/SCHEMA.md ("Names") defines them.

A key ignores case, diacritics, punctuation, spacing and the words "và"/"tỉnh"; `name_key` also
drops a trailing name of the article's own province. The scorer (`extract.scoring`), the extractor
and the store (`store.keys`) all compare names through this module, so the store never has to
import the evaluation code to get the same keys. It depends only on `extract.textnorm.fold`: no
word lists, no models.
"""

from __future__ import annotations

import re
from functools import lru_cache

from extract.textnorm import fold

_WORD_RE = re.compile(r"[a-z0-9]+")
_KEY_DROP = frozenset({"va", "tinh"})
# What is left of "<locality word> <province>" when the province is stripped: such a name is the
# locality itself ("thị xã Bắc Kạn"), so the province must stay in its key.
_LOCALITY = frozenset({"", "thanh pho", "tp", "thi xa", "huyen", "quan", "thi tran", "xa", "phuong"})


# Keys are asked for the same few thousand names (units, provinces, list items) over and over while
# an article is read: memoised, they cost a dictionary lookup.
@lru_cache(maxsize=1 << 16)
def ukey(name: str) -> str:
    """Comparison key of a unit name: no case, diacritics, punctuation, "và"/"tỉnh" (as scored)."""
    words = _WORD_RE.findall(fold(name).replace("&", " va "))
    return " ".join(w for w in words if w not in _KEY_DROP)


def _words(name: object) -> list[str]:
    return ukey(name).split() if isinstance(name, str) else []


def province_key(name: object) -> str:
    """Key of a province name without a leading "thành phố"/"TP." ("" for a non-string)."""
    words = _words(name)
    while words[:1] == ["tp"] or words[:2] == ["thanh", "pho"]:
        words = words[1:] if words[:1] == ["tp"] else words[2:]
    return " ".join(words)


def name_key(name: object, province: object = None) -> str:
    """Key of a unit or bloc name; a trailing name of `province` (the article's own) is dropped."""
    words = _words(name)
    tail = province_key(province).split()
    if tail and len(words) > len(tail) and words[-len(tail) :] == tail:
        rest = words[: -len(tail)]
        if rest[-2:] == ["thanh", "pho"]:
            rest = rest[:-2]
        elif rest[-1:] == ["tp"]:
            rest = rest[:-1]
        if " ".join(rest) not in _LOCALITY:
            words = rest
    return " ".join(words)


def name_keys(name: object, province: object = None) -> set[str]:
    """Keys of a gold name, which may be one string or a list of accepted spellings (empty keys dropped)."""
    names = name if isinstance(name, list) else [name]
    return {name_key(n, province) for n in names} - {""}
