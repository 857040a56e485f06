"""GX 1.x validation with Great Expectations' pandas datasource in an ephemeral,
in-memory context: nothing is written to disk and nothing calls home. GX is imported
inside the functions (~3 s to import): only a process that validates pays for it.

(GX's SQL datasource would need duckdb-engine through SQLAlchemy; in a trial it failed
every expectation with a metric-resolution error, so Rapport validates rows fetched
from DuckDB instead.)"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# GX 1.24 has no usage statistics left to send, but older 1.x releases read this
# variable; set it before GX is imported so a different pinned version stays quiet too.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


def preload() -> threading.Thread:
    """Import GX on a thread of its own, e.g. while dbt builds in its subprocess, so the
    quality checks after it do not start with ~2.5 s of imports. A later import of GX
    waits for this one (Python's import lock) and never runs twice."""

    def load() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import great_expectations  # noqa: F401

    thread = threading.Thread(target=load, name="rapport-gx-import", daemon=True)
    thread.start()
    return thread


def _context():
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def validate(
    name: str,
    frame,
    expectations: list[Any],
    *,
    key_columns: tuple[str, ...] = (),
    parameters: dict[str, Any] | None = None,
    sample_rows: int = 5,
) -> list[Any]:
    """Validate `frame` against `expectations` as the suite `name`; one GX
    ExpectationValidationResult per expectation, in order.

    An expectation's result depends only on its configuration, the columns it reads and
    the parameters. Results already computed in this process for the same inputs are
    reused, so checking a warehouse where one value changed validates only the few
    expectations reading that column (GX costs ~10-30 ms per expectation)."""
    parameters = parameters or {}
    digests = _ColumnDigests(frame, key_columns, parameters, sample_rows)
    keys = [digests.key(e) for e in expectations]
    for key in keys:
        if key not in _RESULTS and (kept := _KEPT.recall(key)) is not None:
            _RESULTS[key] = kept
    todo = [(e, k) for e, k in zip(expectations, keys, strict=True) if k not in _RESULTS]
    if todo:
        results = _run_gx(
            name,
            frame,
            [e for e, _ in todo],
            key_columns=key_columns,
            parameters=parameters,
            sample_rows=sample_rows,
        )
        for (_, key), result in zip(todo, results, strict=True):
            _RESULTS[key] = result
    found = [_RESULTS[k] for k in keys]
    _KEPT.used(keys, found)
    # Least recently used goes first: this call's results are the newest, so trimming
    # can never drop one of them before it is returned (a long process, e.g. the test
    # suite, fills the cache past its size).
    for key in keys:
        _RESULTS.move_to_end(key)
    while len(_RESULTS) > _RESULTS_SIZE:
        _RESULTS.popitem(last=False)
    return found


_RESULTS_SIZE = 4096
_RESULTS: OrderedDict[str, Any] = OrderedDict()


class _KeptResults:
    """The results of the last checks run on a warehouse, kept beside it as JSON
    (`<warehouse>.gx-results.json`), so the next process checking the same content does
    not validate it again: a build that changed nothing, or changed one mart, costs GX
    only what changed. The key is the same content hash as in memory (expectation,
    parameters, the columns read), plus GX's version; a result is GX's own, stored with
    to_json_dict() and rebuilt as an ExpectationValidationResult. Written once, at the
    end of the run, with exactly the results that run used: the file never grows."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.stored: dict[str, dict] = {}
        self.run: dict[str, Any] = {}

    def open(self, path: Path) -> None:
        self.path, self.stored, self.run = path, {}, {}
        try:
            data = json.loads(path.read_text())
            if data.get("format") == _KEPT_FORMAT and data.get("gx") == _gx_version():
                self.stored = data["results"]
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            self.stored = {}  # none kept yet, or unreadable: validate everything

    def recall(self, key: str):
        if self.path is None or (stored := self.stored.get(key)) is None:
            return None
        try:
            return _result_from_json(stored)
        except Exception:  # noqa: BLE001 - a result that cannot be rebuilt is validated anew
            return None

    def used(self, keys: list[str], results: list[Any]) -> None:
        if self.path is not None:
            self.run.update(zip(keys, results, strict=True))

    def close(self) -> None:
        path, run = self.path, self.run
        self.path, self.stored, self.run = None, {}, {}
        if path is None:
            return
        payload = {
            "format": _KEPT_FORMAT,
            "gx": _gx_version(),
            "results": {k: r.to_json_dict() for k, r in run.items()},
        }
        staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            staging.write_text(json.dumps(payload, default=str))
            os.replace(staging, path)
        except OSError:
            staging.unlink(missing_ok=True)  # a read-only folder: nothing kept, nothing lost


_KEPT_FORMAT = 1
_KEPT = _KeptResults()


@contextlib.contextmanager
def results_kept_beside(warehouse: Path) -> Iterator[None]:
    """Within the block, reuse and then keep the results of the checks run on this
    warehouse (the caller holds the warehouse's write lock, so runs do not interleave)."""
    _KEPT.open(warehouse.with_name(warehouse.name + ".gx-results.json"))
    try:
        yield
    finally:
        _KEPT.close()


def _gx_version() -> str:
    import great_expectations as gx

    return gx.__version__


def _result_from_json(stored: dict):
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    config = stored["expectation_config"]
    return ExpectationValidationResult(
        success=stored["success"],
        expectation_config=ExpectationConfiguration(
            type=config["type"], kwargs=config["kwargs"], meta=config.get("meta")
        ),
        result=stored.get("result") or {},
        exception_info=stored.get("exception_info") or {},
        meta=stored.get("meta") or {},
    )


class _ColumnDigests:
    """Content hashes of a frame's columns, computed once per column."""

    def __init__(self, frame, key_columns, parameters, sample_rows) -> None:
        self.frame = frame
        self.cache: dict[str, str] = {}
        self.context = json.dumps(
            [len(frame), list(key_columns), parameters, sample_rows], default=str, sort_keys=True
        )
        self.key_columns = list(key_columns)

    def column(self, name: str) -> str:
        if name not in self.cache:
            import pandas as pd

            series = self.frame[name] if name in self.frame.columns else None
            digest = hashlib.sha256(f"{name}:{getattr(series, 'dtype', None)}".encode())
            if series is not None:
                try:
                    values = pd.util.hash_pandas_object(series, index=True)
                except TypeError:  # lists (e.g. mentions) are not hashable as they are
                    values = pd.util.hash_pandas_object(series.astype(str), index=True)
                digest.update(values.values.tobytes())
            self.cache[name] = digest.hexdigest()
        return self.cache[name]

    def key(self, expectation) -> str:
        config = json.dumps(expectation.configuration.to_json_dict(), sort_keys=True, default=str)
        read = _columns_read(json.loads(config).get("kwargs", {})) or list(self.frame.columns)
        parts = [
            config,
            self.context,
            *(self.column(c) for c in sorted({*read, *self.key_columns})),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _columns_read(kwargs: dict) -> list[str]:
    """Every column an expectation's kwargs name, row conditions included."""
    found = [kwargs[k] for k in ("column", "column_A", "column_B") if kwargs.get(k)]
    found += list(kwargs.get("column_list") or [])

    def walk(node) -> None:
        if isinstance(node, dict):
            column = node.get("column")
            if isinstance(column, dict) and isinstance(column.get("name"), str):
                found.append(column["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(kwargs.get("row_condition"))
    return found


def _run_gx(name, frame, expectations, *, key_columns, parameters, sample_rows) -> list[Any]:
    import great_expectations as gx

    context = _context()
    batch = (
        context.data_sources.add_pandas(name)
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe(name)
    )
    suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=name, data=batch, suite=suite)
    )
    result_format: dict[str, Any] = {
        "result_format": "COMPLETE" if key_columns else "SUMMARY",
        "partial_unexpected_count": sample_rows,
    }
    if key_columns:
        result_format["unexpected_index_column_names"] = list(key_columns)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas deprecations raised inside GX
        result = definition.run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters,
            result_format=result_format,
        )
    # GX does not keep the suite's order; match each result to its expectation by id.
    by_id = {r.expectation_config.id: r for r in result.results}
    return [by_id[e.id] for e in suite.expectations]
