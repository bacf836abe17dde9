"""Is this page bloc news? It is when it names an emulation bloc or cluster.

The same bloc-name rules as extraction (extract.blocs) decide, so "Đảng ủy Khối …",
"khối lượng" or a building's "Khối 4" never make a page relevant.
"""

from __future__ import annotations

from dataclasses import dataclass

from extract.blocs import find_mentions
from extract.textnorm import normalize


@dataclass(frozen=True, slots=True)
class Relevance:
    is_bloc_news: bool
    score: float
    reason: str


def assess(text: str, title: str | None = None) -> Relevance:
    """Decide whether an article reports on an emulation bloc or cluster."""
    work = normalize(((title or "") + "\n" + text) if title else text).text
    # a named "Khối …" alone may be a sports team or a department's wing; a bloc is named with
    # "thi đua"/"giao ước" or a number somewhere in the article
    mentions = find_mentions(work)
    if not any(m.number or "thi đua" in m.name.lower() or "giao ước" in m.name.lower() for m in mentions):
        mentions = []
    if not mentions:
        return Relevance(False, 0.0, "no emulation bloc or cluster named")
    names = sorted({m.name for m in mentions})
    score = min(1.0, 0.5 + 0.1 * len(mentions))
    return Relevance(True, score, f"names {len(mentions)} bloc mention(s): {', '.join(names[:3])}")
