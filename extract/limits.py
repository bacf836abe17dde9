"""Input limits that keep extraction's cost linear in the size of its input (issue 7, item 8).

Two kinds of bound:

* `MAX_ARTICLE_BYTES` (defined in thidua/settings.py, the bottom layer) refuses an article before
  any work is done (checked on the raw bytes by `thidua extract-text`, on the UTF-8 length of the
  string by `extract.api.extract_article`).
* `WINDOW_CHARS` and `GAZETTEER_WINDOW_CHARS` cut text no real article has (sentences and lines
  thousands of characters long) into bounded windows, so the per-sentence rules, whose cost grows
  with the square of a sentence's length, never see more than a window at a time. Real sentences
  stay far below them (the longest in our corpora is about 750 characters), so they never change a
  normal article's record.
"""

from __future__ import annotations

from extract.errors import ArticleTooLargeError
from thidua.settings import MAX_ARTICLE_BYTES  # the default of THIDUA_MAX_ARTICLE_BYTES

__all__ = [
    "GAZETTEER_WINDOW_CHARS",
    "MAX_ARTICLE_BYTES",
    "MAX_META_BYTES",
    "WINDOW_CHARS",
    "check_size",
    "check_text_size",
]

# A sentence longer than this is read in windows of at most this many characters.
WINDOW_CHARS = 2_000
# spaCy's gazetteer matcher reads one line at a time; a longer line is read in overlapping windows
# of this size (spaCy's own limit is 1,000,000 characters, at about 70 bytes of memory each).
GAZETTEER_WINDOW_CHARS = 20_000
# A .meta.json beside an article holds a URL and a date: anything larger is not metadata.
MAX_META_BYTES = 64 * 1024


def check_size(n_bytes: int, *, what: str = "article", cap: int = MAX_ARTICLE_BYTES) -> None:
    """Raise ArticleTooLargeError if `n_bytes` exceeds `cap`."""
    if n_bytes > cap:
        raise ArticleTooLargeError(
            f"{what} is {n_bytes:,} bytes, above the cap of {cap:,} bytes (MAX_ARTICLE_BYTES): not read"
        )


def check_text_size(text: str, *, cap: int = MAX_ARTICLE_BYTES) -> None:
    """Raise ArticleTooLargeError if `text` is longer than `cap` bytes in UTF-8.

    A character takes 1 to 4 bytes, so only a string that might be over the cap is encoded.
    """
    if len(text) * 4 > cap:
        check_size(len(text.encode("utf-8", "surrogatepass")), cap=cap)
