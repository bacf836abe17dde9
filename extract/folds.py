"""Fixed folds of an evaluation corpus, for honest first-look scores (issue 7).

The dev articles are split once, by a fixed seed, into `N_FOLDS` folds of near-equal size. Before
anyone works on a fold its score is recorded as it is (the *first-look* score, our estimate for
unseen text); the last fold stays sealed until the others are done. The split depends only on the
sorted article ids and the seed, so every checkout and every machine draws the same folds.
"""

from __future__ import annotations

import random
from collections.abc import Iterable

N_FOLDS = 4
# Chosen once, before any fold was scored; changing it would unseal the sealed fold.
FOLD_SEED = 20261205


class FoldError(ValueError):
    """A fold number outside 1..N_FOLDS."""


def assign_folds(doc_ids: Iterable[str], *, seed: int = FOLD_SEED, n_folds: int = N_FOLDS) -> dict[str, int]:
    """Map each article id to its fold, 1..n_folds: shuffle the sorted ids, then deal them round-robin."""
    ids = sorted(set(doc_ids))
    random.Random(seed).shuffle(ids)
    return {doc_id: i % n_folds + 1 for i, doc_id in enumerate(ids)}


def select_folds(doc_ids: Iterable[str], folds: Iterable[int], *, seed: int = FOLD_SEED) -> set[str]:
    """The ids among `doc_ids` that fall in any of `folds`."""
    wanted = set(folds)
    bad = sorted(f for f in wanted if not 1 <= f <= N_FOLDS)
    if bad:
        raise FoldError(f"fold {bad[0]} does not exist: folds are numbered 1 to {N_FOLDS}")
    return {d for d, f in assign_folds(doc_ids, seed=seed).items() if f in wanted}
