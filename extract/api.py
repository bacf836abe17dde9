"""Public entry points of the extractor (stub: the NLP pipeline is being written)."""

from __future__ import annotations

from extract.record import Record

EXTRACTOR_VERSION = "0.1.0"


def extract_article(
    *,
    doc_id: str,
    text: str,
    url: str | None = None,
    published: str | None = None,
    province_hint: str | None = None,
) -> Record:
    """Extract the SCHEMA.md record from one article's stored clean text."""
    return Record(doc_id=doc_id)
