"""`rapport report CLIENT` and the demo's audits: one in-process Dagster run per client,
over every asset and check of the code location (so the quality gate's blocking checks
run and gate exactly as in a scheduled run), recorded in the same DAGSTER_HOME."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import dagster as dg

from pipelines.audits import ClientAudit, load_clients
from pipelines.dagster_home import ensure_dagster_home
from pipelines.locking import warehouse_write_lock
from pipelines.settings import Settings


class UnknownClient(ValueError):
    pass


@dataclass(frozen=True)
class AuditRun:
    run_id: str
    html_path: Path
    csv_path: Path
    summary: str  # the Markdown the Dagster UI shows


def find_client(settings: Settings, name: str) -> ClientAudit:
    clients = load_clients(settings.audits_path)
    for client in clients:
        if client.name == name:
            return client
    known = ", ".join(c.name for c in clients) or "none"
    raise UnknownClient(f"{settings.audits_path}: no client {name!r} (clients: {known})")


def _failure_messages(result: dg.ExecuteInProcessResult) -> list[str]:
    out = []
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            message = error.message.strip() if error else "failed"
            out.append(f"{event.step_key}: {message.splitlines()[0] if message else 'failed'}")
    return out


def run_audit(
    settings: Settings,
    client: str,
    period_end: str | None = None,
    period_days: int | None = None,
    refresh: bool = True,
    log_level: str = "INFO",
) -> AuditRun:
    from pipelines.definitions import defs
    from pipelines.defs.assets.reports import CLIENT_AUDIT, audit_selection
    from pipelines.defs.resources import build_resources
    from pipelines.runner import RunFailed, publish_analyst_copy

    ensure_dagster_home(settings)
    period = {k: v for k, v in {"period_end": period_end, "period_days": period_days}.items() if v}
    run_config = {
        "loggers": {"console": {"config": {"log_level": log_level}}},
        "ops": {"config__audit_periods": {"config": period}},
    }
    with warehouse_write_lock(settings.warehouse_path):
        result = dg.materialize(
            [*defs.assets, *(defs.asset_checks or [])],
            selection=audit_selection(refresh),
            partition_key=client,
            resources={**(defs.resources or {}), **build_resources(settings)},
            run_config=run_config,
            instance=dg.DagsterInstance.get(),
            tags={"rapport/writes": "warehouse", "rapport/started_by": "cli"},
            raise_on_error=False,
        )
        if result.success:
            publish_analyst_copy(settings)
    if not result.success:
        reasons = "; ".join(_failure_messages(result)) or "see the run in the Dagster UI"
        raise RunFailed(f"audit run {result.run_id} for {client} failed: {reasons}", result)
    (materialization,) = [
        m for m in result.get_asset_materialization_events() if m.asset_key == CLIENT_AUDIT
    ]
    meta = materialization.materialization.metadata
    return AuditRun(
        result.run_id,
        Path(meta["report"].value),
        Path(meta["scorecard_csv"].value),
        meta["summary"].value,
    )
