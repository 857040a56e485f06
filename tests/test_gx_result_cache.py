"""The GX result cache (pipelines/quality/gx_validate.py) reuses results across checks in
one process and is bounded. When it is full, the results a call needs must survive the
trimming that call does: a long process (the test suite, a long-lived code server) used
to evict an older cached result of the same call and fail with a KeyError."""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd

from pipelines.quality import gx_validate


def test_a_full_cache_never_drops_a_result_the_call_returns(monkeypatch):
    monkeypatch.setattr(gx_validate, "_RESULTS", type(gx_validate._RESULTS)())
    monkeypatch.setattr(gx_validate, "_RESULTS_SIZE", 2)
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [4, 5, 6]})

    def between(column: str, high: int):
        return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=high)

    first = gx_validate.validate("t", frame, [between("a", 10)])  # cached, oldest
    # a (cached) plus two new ones: three results, a cache of two
    results = gx_validate.validate(
        "t", frame, [between("a", 10), between("b", 10), between("b", 5)]
    )
    assert [r.success for r in results] == [True, True, False]
    assert first[0].success
    assert len(gx_validate._RESULTS) == 2
