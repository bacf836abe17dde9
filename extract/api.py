"""Public entry points of the extractor."""

from __future__ import annotations

from extract.pipeline import extract_record
from extract.record import Record

EXTRACTOR_VERSION = "0.4.0.dev2"


def extract_article(
    *,
    doc_id: str,
    text: str,
    url: str | None = None,
    published: str | None = None,
    province_hint: str | None = None,
) -> Record:
    """Extract the SCHEMA.md record from one article's stored clean text.

    Args:
        doc_id: the record's id (file stem or article id).
        text: the stored clean text; evidence offsets point into it.
        url: the article URL, used for the province and as a title fallback.
        published: ISO publication date from the page metadata, if known.
        province_hint: the portal registry's province, if known.

    Returns:
        The record with evidence, confidence and review flags for every fact.
    """
    return extract_record(text, doc_id=doc_id, url=url, published=published, province_hint=province_hint)
