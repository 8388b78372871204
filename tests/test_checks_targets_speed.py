"""Fast paths of the target advice's encoding: rows located many at a time (`_locate`, in chunks)
and records encoded from shared pieces must equal the plain ways (bisect per row, orjson per record),
on real rows, across chunk and cache boundaries, with forms without rows among them."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

import numpy as np
import orjson
import pytest

from reason_miner import LoadResult, advise_targets
from reason_miner.advise_targets import TargetAdvice, suggest_targets
from reason_miner.checks import check_forms
from reason_miner.model import Form


def _forms(sample: LoadResult) -> list[Form]:
    """The sample's forms twice, with forms without rows first, between and last."""
    empty = replace(sample.forms[0], indicators=[])
    return [empty, *sample.forms, empty, empty, *sample.forms, empty]


@pytest.fixture(scope="module")
def advice(sample: LoadResult) -> TargetAdvice:
    forms = _forms(sample)
    return suggest_targets(forms, check_forms(forms))


def test_locate_equals_bisect(sample: LoadResult) -> None:
    forms = _forms(sample)
    starts = advise_targets._starts(forms)
    rows = np.arange(starts[-1], dtype=np.intc)
    fi, ii = advise_targets._locate(np.asarray(starts[:-1]), rows)
    expected = [(bisect_right(starts[:-1], n) - 1, n - starts[bisect_right(starts[:-1], n) - 1]) for n in rows.tolist()]
    assert list(zip(fi, ii, strict=True)) == expected
    assert all(forms[f].indicators[i] for f, i in expected)  # every row found in its own form
    assert all(type(x) is int for x in fi + ii)  # plain ints: the records format them with %d


@pytest.mark.parametrize("step", [1, 2, 5, 1 << 16])
def test_positions_in_chunks_equal_row_by_row(advice: TargetAdvice, monkeypatch: pytest.MonkeyPatch,
                                             step: int) -> None:
    """Iterating the changed suggestions (rows located a chunk at a time) gives what indexing them one
    by one (bisect) gives; so do the records and their encoded bytes."""
    monkeypatch.setattr(advise_targets, "_STEP", step)
    changed = advice.changed
    one_by_one = [changed[i] for i in range(len(changed))]
    assert len(one_by_one) > 20
    assert list(changed) == one_by_one
    records = list(changed.records())
    assert [(r["form_index"], r["indicator_index"]) for r in records] == [
        (s.form_index, s.indicator_index) for s in one_by_one]
    assert list(changed.encoded()) == [orjson.dumps(r) for r in records]


def test_encoded_equal_when_its_caches_are_emptied(advice: TargetAdvice, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pieces kept while encoding (changes, names) are bounded: emptied when full, same bytes;
    and rows of one form after a form without rows take the right form's head."""
    whole = list(advice.changed.encoded())
    monkeypatch.setattr(advise_targets, "_TAILS", 1)
    monkeypatch.setattr(advise_targets, "_STEP", 3)
    assert list(advice.changed.encoded()) == whole
    assert {orjson.loads(b)["form_index"] for b in whole} == {1, 2, 3, 6, 7, 8}  # the forms with rows
