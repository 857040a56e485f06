"""Whether the marts and a notebook (pandas, DuckDB, polars) agree: every shared column,
every row."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd


def agreement(warehouse: Path, notebook_dir: Path) -> str:
    """Do the marts and the notebook that wrote `notebook_dir` agree? Every shared column,
    every row."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        cm = con.execute(
            # an audited handle never seen has no account_id; in TWCS the handle is the id
            "SELECT coalesce(account_id, handle) AS account_id, posts, replies, inbound, answered, "
            "median_first_response_min, p90_first_response_min FROM marts.conversation_metrics"
        ).df()
        mix = con.execute(
            "SELECT account_id, posts, originals, replies, broadcast_posts FROM marts.post_mix"
        ).df()
    p_cm = pd.read_csv(notebook_dir / "conversation_metrics.csv", dtype={"account_id": str})
    p_mix = pd.read_csv(notebook_dir / "post_mix.csv", dtype={"account_id": str})
    problems = []
    for name, ours, theirs in (("conversation_metrics", cm, p_cm), ("post_mix", mix, p_mix)):
        joined = ours.merge(theirs, on="account_id", how="outer", suffixes=("", "_pd"))
        if len(joined) != len(ours) or len(joined) != len(theirs):
            problems.append(f"{name}: {len(ours)} vs {len(theirs)} rows")
            continue
        for col in ours.columns.drop("account_id"):
            a, b = joined[col].astype(float), joined[col + "_pd"].astype(float)
            bad = ~(((a - b).abs() < 1e-6) | (a.isna() & b.isna()))
            if bad.any():
                problems.append(f"{name}.{col}: {int(bad.sum())} rows differ")
    return "identical" if not problems else "DIFFER: " + "; ".join(problems)
