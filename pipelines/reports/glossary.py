"""Metric definitions for the report, quoted from the dbt YAML (through the manifest),
so the report never restates a formula in its own words."""

from __future__ import annotations

import json
from pathlib import Path

SCORECARD_NODE = "model.rapport.audit_scorecard"


def scorecard_definitions(manifest_path: Path) -> dict[str, str]:
    """Column -> description of marts.audit_scorecard, whitespace collapsed."""
    manifest = json.loads(manifest_path.read_text())
    columns = manifest["nodes"][SCORECARD_NODE]["columns"]
    return {name: " ".join(col["description"].split()) for name, col in columns.items()}
