"""Measured quality, live: the stored extractor versions scored against the verified records.

The store reads the records (`store.quality.verified_sets`); scoring them by SCHEMA.md's rules
(`extract.scoring`) happens here, above the store, as for ``thidua eval DIR``. `thidua eval
--verified` and the web app's /quality page both call `measured_quality`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from extract.scoring import Counts, score
from store.quality import verified_sets


def _prf(counts: Counts) -> dict[str, Any]:
    p, r, f1 = counts.prf()
    return {"precision": p, "recall": r, "f1": f1, "tp": counts.tp, "gold": counts.gold, "pred": counts.pred}


def measured_quality(session: Session) -> dict[str, Any]:
    """Return the extractor's quality against the records editors verified.

    Returns:
        ``verified_records``; ``by_version``: for each extractor version (oldest first),
        ``records`` scored and ``fields`` (each SCHEMA.md field and ``overall``: precision,
        recall, f1, tp, gold, pred); ``queue``: ``facts_ranked``, ``fixes``,
        ``in_first_fifth``, ``share`` (None without fixes) and ``unranked``
        (`store.quality`).
    """
    sets = verified_sets(session)
    versions = []
    for version, preds in sets.by_version.items():
        result = score({d: g for d, g in sets.golds.items() if d in preds}, preds)
        fields = {name: _prf(c) for name, c in result.fields.items()}
        fields["overall"] = _prf(result.overall)
        versions.append({"extractor_version": version, "records": len(preds), "fields": fields})
    return {"verified_records": len(sets.golds), "by_version": versions, "queue": sets.queue}
