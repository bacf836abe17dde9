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

# extract.namekeys, not extract.scoring: the store must not depend on the evaluation code
# (tests/store/test_store_imports.py checks it).
from extract.namekeys import province_key as _province_key
from extract.namekeys import ukey

_SPACE = re.compile(r"\s+")

# the separator between the keys of a bloc's name and aliases in BlocFact.names_key and
# CurrentFact.name_key; keys only hold [a-z0-9 ], so a whole-word search can never match across
# two names
NAMES_KEY_SEPARATOR = " | "


def name_key(name: str | None) -> str:
    """Return the matching key of a unit or bloc name ("" for an empty name)."""
    return ukey(name) if name else ""


def province_key(name: str | None) -> str:
    """Return the matching key of a province, without a leading "thành phố"/"TP."."""
    return _province_key(name)


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


def article_doc_id(article_id: int) -> str:
    """Return the record `doc_id` of a stored article ("article-12"), as the crawler writes it."""
    return f"article-{article_id}"
