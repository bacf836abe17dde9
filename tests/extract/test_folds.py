"""The fixed dev folds: deterministic, balanced, and refusing folds that do not exist."""

from __future__ import annotations

import pytest

from extract.folds import N_FOLDS, FoldError, assign_folds, select_folds


def test_folds_are_balanced_and_cover_every_article() -> None:
    ids = [f"a{i:03d}" for i in range(138)]
    folds = assign_folds(ids)
    assert set(folds) == set(ids)
    sizes = sorted(list(folds.values()).count(f) for f in range(1, N_FOLDS + 1))
    assert sizes == [34, 34, 35, 35]


def test_folds_do_not_depend_on_the_order_ids_are_given_in() -> None:
    ids = [f"d{i}" for i in range(40)]
    assert assign_folds(ids) == assign_folds(list(reversed(ids)))
    # another seed draws other folds: the split is the seed's, not the ids' order
    assert assign_folds(ids, seed=1) != assign_folds(ids)


def test_select_folds_returns_the_union() -> None:
    ids = [f"d{i}" for i in range(40)]
    one, two = select_folds(ids, [1]), select_folds(ids, [2])
    assert one and two and not one & two
    assert select_folds(ids, [1, 2]) == one | two


@pytest.mark.parametrize("bad", [0, N_FOLDS + 1, -1])
def test_a_fold_that_does_not_exist_is_refused(bad: int) -> None:
    with pytest.raises(FoldError, match="folds are numbered 1 to"):
        select_folds(["a", "b"], [bad])
