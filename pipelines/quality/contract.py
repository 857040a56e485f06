"""The source contract's own figures: how many stored posts were quarantined (checked,
blocking above a share) and how much input the parsers rejected (a warning)."""

from __future__ import annotations

import duckdb

from pipelines.quality.gx_runner import fetch_frame
from pipelines.quality.outcome import CheckOutcome, Failure
from pipelines.quality.thresholds import QualityThresholds

QUARANTINE_SAMPLE_SQL = """
select q.platform, q.post_id, q.reason, f.original_name as file
from intermediate.int_posts__quarantined as q
left join ops.raw_files as f on f.raw_file_id = q.raw_file_id
order by q.reason, q.platform, q.post_id
limit $sample_rows
"""

REJECTED_FILES_SQL = """
select
    original_name as file,
    source,
    rows_loaded,
    rows_rejected,
    round(rows_rejected / (rows_loaded + rows_rejected), 4) as rejected_share,
    count(*) over () as offending
from ops.raw_files
where rows_rejected > 0
  and rows_rejected > $max_share * (rows_loaded + rows_rejected)
order by rows_rejected / (rows_loaded + rows_rejected) desc, original_name
limit $sample_rows
"""


def _quarantine(con: duckdb.DuckDBPyConnection, t: QualityThresholds, *, blocking: bool):
    stored = con.execute("select count(*) from staging.stg_canonical__posts").fetchone()[0]
    by_reason = dict(
        con.execute(
            "select reason, count(*) from intermediate.int_posts__quarantined "
            "group by reason order by reason"
        ).fetchall()
    )
    quarantined = sum(by_reason.values())
    share = quarantined / stored if stored else 0.0
    failed = share > t.max_quarantined_share if blocking else quarantined > 0
    samples: tuple[dict, ...] = ()
    if failed:
        frame = fetch_frame(con, QUARANTINE_SAMPLE_SQL, {"sample_rows": t.sample_rows})
        samples = tuple(frame.to_dict(orient="records"))
    what = (
        f"of {stored} posts quarantined ({share:.2%}; blocking above {t.max_quarantined_share:.2%})"
    )
    return CheckOutcome(
        check_name="quarantined_posts" if blocking else "no_quarantined_posts",
        asset="intermediate/int_posts__quarantined",
        blocking=blocking,
        passed=not failed,
        severity="ERROR" if blocking else "WARN",
        summary=f"{quarantined} {what}",
        failures=(Failure(what, (), quarantined, samples=samples),) if failed else (),
        metadata={
            "quarantined": quarantined,
            "stored_posts": stored,
            "quarantined_share": share,
            "by_reason": by_reason,
        },
    )


def quarantined_posts(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    """Blocking: fails (ERROR) when more than max_quarantined_share of stored posts broke
    the source contract; the figures would rest on too little of the data."""
    return _quarantine(con, t, blocking=True)


def no_quarantined_posts(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    """Warning: any quarantined post at all, so a few bad rows are looked at without
    stopping the reports they were kept out of. (A separate check, so a blocking check
    only ever fails with severity ERROR and a warning never comes from one.)"""
    return _quarantine(con, t, blocking=False)


def rejected_input(con: duckdb.DuckDBPyConnection, t: QualityThresholds) -> CheckOutcome:
    """Warn when a loaded file had more than max_rejected_share of its items rejected."""
    total = con.execute("select count(*) from canonical.rejects").fetchone()[0]
    frame = fetch_frame(
        con, REJECTED_FILES_SQL, {"max_share": t.max_rejected_share, "sample_rows": t.sample_rows}
    )
    offending = int(frame["offending"].iloc[0]) if len(frame) else 0
    samples = tuple(frame.drop(columns=["offending"]).to_dict(orient="records"))
    what = f"file(s) with more than {t.max_rejected_share:.0%} of their items rejected"
    return CheckOutcome(
        check_name="rejected_input",
        asset="canonical/rejects",
        blocking=False,
        passed=not offending,
        severity="WARN",
        summary=f"{total} rejected item(s) in canonical.rejects; no file above "
        f"{t.max_rejected_share:.0%}"
        if not offending
        else f"{offending} {what}",
        failures=(Failure(what, (), offending, samples=samples),) if offending else (),
        metadata={"rejected_items": total},
    )
