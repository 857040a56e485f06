"""The GX result cache (pipelines/quality/gx_validate.py) reuses results across checks in
one process and is bounded. When it is full, the results a call needs must survive the
trimming that call does: a long process (the test suite, a long-lived code server) used
to evict an older cached result of the same call and fail with a KeyError."""

from __future__ import annotations

import json

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


def _between(column: str, high: int):
    return gxe.ExpectColumnValuesToBeBetween(column=column, min_value=0, max_value=high)


def _spy_gx(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = gx_validate._run_gx

    def counting(name, frame, expectations, **kw):
        calls.append(len(expectations))
        return real(name, frame, expectations, **kw)

    monkeypatch.setattr(gx_validate, "_run_gx", counting)
    return calls


def _new_process(monkeypatch) -> None:
    monkeypatch.setattr(gx_validate, "_RESULTS", type(gx_validate._RESULTS)())


def test_results_kept_beside_the_warehouse_serve_the_next_process(tmp_path, monkeypatch):
    warehouse = tmp_path / "rapport.duckdb"
    frame = pd.DataFrame({"k": ["x", "y", "z"], "a": [1, 2, 30], "b": [4, 5, 6]})
    suite = [_between("a", 10), _between("b", 10)]
    calls = _spy_gx(monkeypatch)
    _new_process(monkeypatch)
    with gx_validate.results_kept_beside(warehouse):
        fresh = gx_validate.validate("t", frame, suite, key_columns=("k",))
    assert calls == [2] and (tmp_path / "rapport.duckdb.gx-results.json").exists()

    _new_process(monkeypatch)  # the next build: same content, nothing validated again
    with gx_validate.results_kept_beside(warehouse):
        kept = gx_validate.validate(
            "t", frame, [_between("a", 10), _between("b", 10)], key_columns=("k",)
        )
    assert calls == [2]
    assert [r.success for r in kept] == [r.success for r in fresh] == [False, True]
    assert kept[0].result["unexpected_count"] == 1
    assert kept[0].result["partial_unexpected_list"] == [30]

    _new_process(monkeypatch)  # one column changed: only what reads it is validated
    changed = frame.assign(b=[4, 5, 60])
    with gx_validate.results_kept_beside(warehouse):
        again = gx_validate.validate(
            "t", changed, [_between("a", 10), _between("b", 10)], key_columns=("k",)
        )
    assert calls == [2, 1]
    assert [r.success for r in again] == [False, False]


def test_kept_results_of_another_gx_or_an_unreadable_file_are_ignored(tmp_path, monkeypatch):
    warehouse = tmp_path / "rapport.duckdb"
    kept = tmp_path / "rapport.duckdb.gx-results.json"
    frame = pd.DataFrame({"a": [1, 2, 3]})
    calls = _spy_gx(monkeypatch)
    _new_process(monkeypatch)
    with gx_validate.results_kept_beside(warehouse):
        gx_validate.validate("t", frame, [_between("a", 10)])
    data = json.loads(kept.read_text())
    kept.write_text(json.dumps({**data, "gx": "0.0.1"}))
    _new_process(monkeypatch)
    with gx_validate.results_kept_beside(warehouse):
        assert gx_validate.validate("t", frame, [_between("a", 10)])[0].success
    assert calls == [1, 1]
    kept.write_text("{not json")
    _new_process(monkeypatch)
    with gx_validate.results_kept_beside(warehouse):
        assert gx_validate.validate("t", frame, [_between("a", 10)])[0].success
    assert calls == [1, 1, 1]
    assert json.loads(kept.read_text())["format"] == 1  # rewritten whole
