"""What one check found, independent of who ran it: Dagster turns it into an
AssetCheckResult, `rapport check` prints it, ops.check_results stores it."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

import dagster as dg

Severity = Literal["ERROR", "WARN"]


@dataclass(frozen=True)
class Failure:
    """One failed expectation or condition: what was expected of which columns, how many
    rows broke it and a few of them."""

    expectation: str  # e.g. expect_column_values_to_be_between, or a plain-words name
    columns: tuple[str, ...]
    unexpected_count: int
    observed: Any = None  # the aggregate GX observed, for table-level expectations
    samples: tuple[dict, ...] = ()

    def describe(self) -> str:
        if self.columns:
            text = f"{self.expectation}({', '.join(self.columns)}): "
            text += f"{self.unexpected_count} unexpected"
        else:  # a condition in plain words, e.g. "posts quarantined"
            text = f"{self.unexpected_count} {self.expectation}"
        if self.observed is not None:
            text += f", observed {_short(self.observed)}"
        if self.samples:
            text += f", e.g. {_short(self.samples[0])}"
        return text


@dataclass(frozen=True)
class CheckOutcome:
    check_name: str
    asset: str  # asset key as a path string, e.g. marts/conversation_metrics
    blocking: bool
    passed: bool
    severity: Severity  # what a failure means: ERROR (blocking) or WARN
    summary: str  # one line: what was checked, or what failed
    failures: tuple[Failure, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def status(self) -> Literal["pass", "warn", "fail"]:
        if self.passed:
            return "pass"
        return "warn" if self.severity == "WARN" else "fail"

    @property
    def blocks(self) -> bool:
        """Dagster stops downstream assets only for a failed ERROR on a blocking check."""
        return self.blocking and self.status == "fail"

    @property
    def unexpected_count(self) -> int:
        return sum(f.unexpected_count for f in self.failures)

    @property
    def samples(self) -> list[dict]:
        return [
            {"expectation": f.expectation, "columns": list(f.columns), **s}
            for f in self.failures
            for s in f.samples
        ]

    @property
    def detail(self) -> str:
        if not self.failures:
            return self.summary
        return "\n".join(f.describe() for f in self.failures)

    def to_asset_check_result(self) -> dg.AssetCheckResult:
        metadata: dict[str, Any] = {
            "status": self.status,
            "summary": self.summary,
            "unexpected_count": dg.MetadataValue.int(self.unexpected_count),
            **{k: _metadata_value(v) for k, v in self.metadata.items()},
        }
        if self.failures:
            metadata["failed_expectations"] = dg.MetadataValue.md(
                "\n".join(f"- `{f.describe()}`" for f in self.failures)
            )
            metadata["sample_rows"] = dg.MetadataValue.json(plain(self.samples))
        return dg.AssetCheckResult(
            asset_key=dg.AssetKey(self.asset.split("/")),
            check_name=self.check_name,
            passed=self.passed,
            severity=dg.AssetCheckSeverity[self.severity],
            metadata=metadata,
            description=self.detail[:1000],
        )


def _metadata_value(value: Any) -> Any:
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        return dg.MetadataValue.int(value)
    if isinstance(value, float):
        return dg.MetadataValue.float(value)
    return dg.MetadataValue.json(plain(value))


def plain(value: Any) -> Any:
    """JSON-safe copy: numpy/pandas scalars to Python, NaN/NA to None, times to ISO."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | str):
        return value
    if hasattr(value, "item") and not isinstance(value, list | dict):  # numpy scalar
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float):
        return None if math.isnan(value) else value
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _short(value: Any, limit: int = 160) -> str:
    text = json.dumps(plain(value), default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."
