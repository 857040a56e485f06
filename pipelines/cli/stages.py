"""One line per stage of a CLI run, printed as the stage ends: what it did and how long
it took ("  models   31 models built, 95 dbt tests passed   8.4 s"). A person sees the
run advance without reading Dagster's event log; on a terminal a live line counts the
seconds of the stage under way.

The lines come from the run's own events (Dagster's run storage under DAGSTER_HOME),
read by a thread while the in-process run executes: the same facts the UI shows."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import dagster as dg

# A run's steps, by the stage a person knows them as (step keys of pipelines/defs).
STAGE_OF_STEP = {
    "canonical_tables": "import",
    "config__audited_accounts": "config",
    "config__audit_periods": "period",
    "audience_scores": "audience",
    "rapport_dbt_models": "models",
    "quality_checks": "checks",
    "reports__client_audit": "report",
}
POLL_SECONDS = 0.5
STEP_EVENTS = {
    dg.DagsterEventType.STEP_START,
    dg.DagsterEventType.STEP_SUCCESS,
    dg.DagsterEventType.STEP_FAILURE,
}


def stage_of(step_key: str) -> str:
    return STAGE_OF_STEP.get(step_key, "ingest" if "ingest" in step_key else step_key)


@dataclass
class StepEvents:
    materializations: list[dg.AssetMaterialization]
    checks: list[dg.AssetCheckEvaluation]


def describe(stage: str, events: StepEvents) -> str:
    """What a finished step did, in a few words."""
    metadata = {m.asset_key.to_user_string(): m.metadata for m in events.materializations}
    if stage == "import" and (posts := metadata.get("canonical/posts")):
        files = _value(posts, "files_imported")
        already = _value(posts, "files_already_imported")
        loaded = _value(posts, "rows_loaded_this_run")
        refused = _value(posts, "files_refused")
        text = f"{files} new file(s), {loaded} post row(s) loaded, {already} already imported"
        return text + (f", {refused} refused" if refused else "")
    if stage == "config" and (accounts := metadata.get("config/audited_accounts")):
        return f"{_value(accounts, 'accounts')} audited account(s)"
    if stage == "period" and (period := metadata.get("config/audit_periods")):
        return f"{_value(period, 'period_start')[:10]} to {_value(period, 'period_end')[:10]}"
    if stage == "audience" and (estimates := metadata.get("audience/sample_estimates")):
        return (
            f"{_value(estimates, 'samples_scored_this_run')} follower sample(s) scored, "
            f"{_value(estimates, 'row_count')} in all"
        )
    if stage == "report" and (report := metadata.get("reports/client_audit")):
        return f"written to {_value(report, 'report')}"
    passed = sum(c.passed for c in events.checks)
    if stage == "models":
        return (
            f"{len(events.materializations)} models built, "
            f"{passed} of {len(events.checks)} dbt tests passed"
        )
    if stage == "checks":
        return f"{passed} of {len(events.checks)} quality checks passed"
    return f"{len(events.materializations)} asset(s) materialized"


def _value(metadata, name: str):
    entry = metadata.get(name)
    return getattr(entry, "value", entry) if entry is not None else 0


class StageLines:
    """Follows one run's steps in its event log and prints a line as each ends."""

    def __init__(self, instance: dg.DagsterInstance, run_id: str, out=None) -> None:
        self.instance = instance
        self.run_id = run_id
        self.out = out
        self.started: dict[str, float] = {}
        self.reported: set[str] = set()
        self.width = max(len(s) for s in STAGE_OF_STEP.values())

    def _stream(self):
        return self.out or sys.stdout

    def poll(self) -> None:
        records = self.instance.all_logs(self.run_id, of_type=STEP_EVENTS)
        for record in records:
            event = record.dagster_event
            key = event.step_key if event else None
            if key is None or key in self.reported:
                continue
            if event.event_type == dg.DagsterEventType.STEP_START:
                self.started.setdefault(key, record.timestamp)
                continue
            self.reported.add(key)
            seconds = record.timestamp - self.started.get(key, record.timestamp)
            failed = event.event_type == dg.DagsterEventType.STEP_FAILURE
            self._line(key, seconds, failed)

    def _line(self, step_key: str, seconds: float, failed: bool) -> None:
        stage = stage_of(step_key)
        what = "failed" if failed else describe(stage, self._events(step_key))
        stream = self._stream()
        clear = getattr(stream, "clear_line", None)
        if clear:
            clear()
        stream.write(f"  {stage:<{self.width}}  {what}  ({seconds:.1f} s)\n")
        stream.flush()

    def _events(self, step_key: str) -> StepEvents:
        records = self.instance.all_logs(
            self.run_id,
            of_type={
                dg.DagsterEventType.ASSET_MATERIALIZATION,
                dg.DagsterEventType.ASSET_CHECK_EVALUATION,
            },
        )
        mine = [r.dagster_event for r in records if r.dagster_event.step_key == step_key]
        return StepEvents(
            [e.event_specific_data.materialization for e in mine if e.is_step_materialization],
            [
                e.event_specific_data
                for e in mine
                if e.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION
            ],
        )

    def live(self) -> None:
        """On a terminal, the stage under way and its seconds so far (dbt's own node
        count takes the line while the models run)."""
        stream = self._stream()
        status = getattr(stream, "status", None)
        running = [k for k in self.started if k not in self.reported]
        if status is None or not running or stage_of(running[-1]) == "models":
            return
        key = running[-1]
        status(f"  {stage_of(key)}: {time.time() - self.started[key]:.0f} s")


@contextlib.contextmanager
def stage_lines(instance: dg.DagsterInstance, run_id: str) -> Iterator[None]:
    """Print the stage lines of run `run_id` while the block runs it."""
    lines = StageLines(instance, run_id)
    done = threading.Event()

    def follow() -> None:
        while not done.wait(POLL_SECONDS):
            with contextlib.suppress(Exception):  # the run may not be stored yet
                lines.poll()
                lines.live()

    thread = threading.Thread(target=follow, name="rapport-stage-lines", daemon=True)
    thread.start()
    started = time.time()
    try:
        yield
    finally:
        done.set()
        thread.join()
        with contextlib.suppress(Exception):
            lines.poll()  # the steps that ended since the last look
        stream = lines._stream()
        if clear := getattr(stream, "clear_line", None):
            clear()
        stream.write(f"  {'total':<{lines.width}}  {time.time() - started:.1f} s\n")
        stream.flush()
