"""Is this page bloc news? (stub: the real filter is being written)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Relevance:
    is_bloc_news: bool
    score: float
    reason: str


def assess(text: str, title: str | None = None) -> Relevance:
    """Decide whether an article reports on an emulation bloc or cluster."""
    low = (title or "").lower() + "\n" + text.lower()
    hit = "khối thi đua" in low or "cụm thi đua" in low
    return Relevance(hit, 1.0 if hit else 0.0, "stub keyword match" if hit else "no bloc words")
