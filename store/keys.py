"""Comparison keys for names, as ../shared/eval/SCHEMA.md ("Names") compares them.

A key ignores case, diacritics, punctuation, spacing and the words "và"/"tỉnh", so
"Sở Lao động - Thương binh và Xã hội" and "sở lao động, thương binh & xã hội" share one key.
The store keeps the original spelling beside the key; only matching uses the key.
Changing these functions changes stored key columns: ship a migration that recomputes them.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import date

_DROP_WORDS = frozenset({"va", "tinh"})
_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")


def _plain_words(name: str) -> list[str]:
    # "Đ" has no decomposition in Unicode, so NFD alone would leave it in place
    s = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    s = "".join(c for c in s if unicodedata.category(c) != "Mn").lower().replace("&", " va ")
    return _WORD.findall(s)


def name_key(name: str | None) -> str:
    """Return the matching key of a unit or bloc name ("" for an empty name)."""
    if not name:
        return ""
    return " ".join(w for w in _plain_words(name) if w not in _DROP_WORDS)


def province_key(name: str | None) -> str:
    """Return the matching key of a province, without a leading "thành phố"/"TP."."""
    words = [w for w in _plain_words(name or "") if w not in _DROP_WORDS]
    while words[:1] == ["tp"] or words[:2] == ["thanh", "pho"]:
        words = words[1:] if words[0] == "tp" else words[2:]
    return " ".join(words)


def content_key(*, title: str | None, published: date | None, text: str) -> str:
    """Return the cross-URL duplicate key of an article (hex sha256).

    The key covers the normalised title, the publication date and the first 200 characters of
    the normalised text, so a print view or a syndicated copy that only differs in markup,
    spacing or letter case gets the same key as the original.
    """

    def norm(s: str) -> str:
        return _SPACE.sub(" ", unicodedata.normalize("NFC", s)).strip().casefold()

    parts = (norm(title or ""), published.isoformat() if published else "", norm(text)[:200])
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
