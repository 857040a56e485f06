"""audits.yaml's per-client audit settings: defaults, overrides, and every malformed
case refused with its line and reason before any run (the loader, the Dagster code
location and `rapport report` alike)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.config.audits import AuditConfigError, load_audits, load_clients
from pipelines.config.report_thresholds import Thresholds
from pipelines.config.settings import PROJECT_ROOT

FULL = """\
clients:
  - name: acme
    timezone: Europe/Berlin
    period_days: 14
    schedule: "30 7 * * 1-5"
    thresholds:
      response_rate_below: 0.4
      min_messages: 25
      follows_per_follower_above: 8
    brands:
      - {platform: x, handle: AcmeCo}
    competitors:
      - {platform: x, handle: "@RivalCo"}
  - name: beta
    brands:
      - {platform: x, handle: BetaCo}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audits.yaml"
    path.write_text(text)
    return path


def test_settings_are_read_and_defaults_fill_in(tmp_path):
    acme, beta = load_clients(write(tmp_path, FULL))
    assert (acme.timezone, acme.period_days, acme.schedule) == ("Europe/Berlin", 14, "30 7 * * 1-5")
    assert acme.thresholds.response_rate_below == 0.4
    assert acme.thresholds.min_messages == 25
    assert acme.thresholds.follows_per_follower_above == 8.0
    # untouched thresholds keep their defaults
    assert acme.thresholds.broadcast_share_above == Thresholds().broadcast_share_above
    assert acme.handles("brand") == ["AcmeCo"] and acme.handles("competitor") == ["RivalCo"]
    # defaults: last 28 days, Mondays 06:00 in UTC
    assert (beta.timezone, beta.period_days, beta.schedule) == ("UTC", 28, "0 6 * * 1")
    assert beta.thresholds == Thresholds()


def test_the_account_list_is_unchanged_by_the_new_keys(tmp_path):
    accounts = load_audits(write(tmp_path, FULL))
    assert [(a.client, a.role, a.handle) for a in accounts] == [
        ("acme", "brand", "AcmeCo"),
        ("acme", "competitor", "RivalCo"),
        ("beta", "brand", "BetaCo"),
    ]


def test_the_committed_config_sets_the_demo_clients_up():
    northwind, acme, globex = load_clients(PROJECT_ROOT / "audits.yaml")
    assert northwind.timezone == "America/Los_Angeles" and acme.timezone == globex.timezone == "UTC"
    assert northwind.period_days == acme.period_days == globex.period_days == 28
    assert globex.handles("brand") == ["GlobexGear", "GlobexHelp"] and not globex.handles(
        "competitor"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    period_days: 14", "    period: 14", r"audits.yaml:2: unknown key\(s\) period$"),
        ("      min_messages: 25", "      min_mesages: 25", r":7: unknown key\(s\) min_mesages"),
        ('"@RivalCo"', "acmeco", r":13: x account acmeco is listed twice .*first on line 11"),
        ("handle: AcmeCo", "handle: Acme-Co", r":11: 'Acme-Co' is not a valid x handle"),
        ('"30 7 * * 1-5"', '"30 7 * *"', r":5: schedule '30 7 \* \*' is not a valid cron"),
        ('"30 7 * * 1-5"', '"61 7 * * 1"', r":5: schedule '61 7 \* \* 1' is not a valid cron"),
        ("Europe/Berlin", "Mars/Olympus", r":3: timezone 'Mars/Olympus' is not an IANA"),
        ("period_days: 14", "period_days: 0", r":4: period_days must be a whole number"),
        ("period_days: 14", "period_days: two", r":4: period_days must be a whole number"),
        ("response_rate_below: 0.4", "response_rate_below: 40", r":7: .* must lie in \[0, 1\]"),
        ("min_messages: 25", "min_messages: 2.5", r":8: threshold min_messages must be a whole"),
        ("min_messages: 25", "min_messages: yes", r":8: threshold min_messages must be a number"),
        ("name: beta", "name: acme", r":14: client acme is listed twice \(first on line 2\)"),
        ("name: beta", "name: beta corp", r":14: client name 'beta corp' may use only"),
        ("    period_days: 14", "    period_days: 14\n    period_days: 7", r":5: .*duplicate key"),
    ],
)
def test_a_malformed_setting_is_refused_with_line_and_reason(tmp_path, old, new, expected):
    assert old in FULL
    with pytest.raises(AuditConfigError, match=expected):
        load_clients(write(tmp_path, FULL.replace(old, new, 1)))


def test_the_code_location_refuses_to_load_a_malformed_config(tmp_path):
    bad = write(tmp_path, FULL.replace('"30 7 * * 1-5"', '"every monday"'))
    env = {**os.environ, "RAPPORT_AUDITS": str(bad)}
    proc = subprocess.run(
        [sys.executable, "-c", "import pipelines.definitions"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert f"{bad}:5: schedule 'every monday' is not a valid cron" in proc.stderr


def test_rapport_report_refuses_a_malformed_config_before_running(tmp_path, monkeypatch, capsys):
    bad = write(tmp_path, FULL.replace("Europe/Berlin", "Europe/Atlantis"))
    monkeypatch.setenv("RAPPORT_AUDITS", str(bad))
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(tmp_path / "wh" / "rapport.duckdb"))
    assert main(["report", "acme"]) == 2
    assert f"{bad}:3: timezone 'Europe/Atlantis'" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists()  # nothing ran, nothing was created


def test_rapport_report_names_the_known_clients(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RAPPORT_AUDITS", str(write(tmp_path, FULL)))
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(tmp_path / "wh" / "rapport.duckdb"))
    assert main(["report", "gamma"]) == 2
    assert "no client 'gamma' (clients: acme, beta)" in capsys.readouterr().err


def test_each_client_gets_a_schedule_in_its_time_zone():
    from pipelines.definitions import defs

    schedules = {s.name: s for s in defs.schedules}
    northwind = schedules["audit_northwind"]
    assert (northwind.cron_schedule, northwind.execution_timezone) == (
        "0 6 * * 1",
        "America/Los_Angeles",
    )
    assert schedules["audit_acme"].execution_timezone == "UTC"
    tick = dg.build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=datetime(2026, 11, 16, 6, tzinfo=ZoneInfo("America/Los_Angeles")),
    )
    (request,) = northwind.evaluate_tick(tick).run_requests
    assert request.partition_key == "northwind"
    # the audit refreshes what it reads but never calls a paid API; the daily refresh
    # (unpartitioned) leaves the per-client audits to their schedules
    graph = defs.resolve_asset_graph()
    audited = {
        k.to_user_string()
        for k in defs.resolve_job_def("client_audit").asset_layer.selected_asset_keys
    }
    assert {"reports/client_audit", "config/audit_periods", "marts/audit_scorecard"} <= audited
    assert {"canonical/posts", "config/audited_accounts"} <= audited
    assert not any(k.startswith("x_api/") for k in audited)
    daily = defs.resolve_job_def("daily_refresh").asset_layer.selected_asset_keys
    assert graph.get(dg.AssetKey(["reports", "client_audit"])).key not in daily
