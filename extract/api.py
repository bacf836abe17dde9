"""Public entry points of the extractor."""

from __future__ import annotations

from extract.limits import MAX_ARTICLE_BYTES
from extract.pipeline import extract_record
from extract.record import Record

EXTRACTOR_VERSION = "0.6.0"


def extract_article(
    *,
    doc_id: str,
    text: str,
    url: str | None = None,
    published: str | None = None,
    province_hint: str | None = None,
    max_bytes: int = MAX_ARTICLE_BYTES,
) -> Record:
    """Extract the SCHEMA.md record from one article's stored clean text.

    Args:
        doc_id: the record's id (file stem or article id).
        text: the stored clean text; evidence offsets point into it.
        url: the article URL, used for the province and as a title fallback.
        published: ISO publication date from the page metadata, if known.
        province_hint: the portal registry's province, if known.
        max_bytes: the size cap (UTF-8 bytes) above which the article is refused before any work.

    Returns:
        The record with evidence, confidence and review flags for every fact.

    Raises:
        ArticleTooLargeError: the text is above `max_bytes` (see extract/limits.py).
        NotTextError: the text is mostly control characters.
    """
    return extract_record(
        text,
        doc_id=doc_id,
        url=url,
        published=published,
        province_hint=province_hint,
        max_bytes=max_bytes,
    )
