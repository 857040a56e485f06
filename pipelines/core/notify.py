"""The webhook (RAPPORT_WEBHOOK_URL): one place that formats and posts Rapport's alerts
as Slack-compatible JSON ({"text": "..."}), for every caller: the run-failure sensor and
the CLI launcher (a failed run), the quality checks (a failed blocking check) and the
client audit (a brand's response rate falling).

A webhook that is down, slow or refusing never fails the run: the failure is logged as
one warning and the run carries on. Unset, nothing is sent."""

from __future__ import annotations

import json
import logging
import os
import urllib.error
import urllib.request

from pipelines.core.secrets import scrub

WEBHOOK_ENV = "RAPPORT_WEBHOOK_URL"
TIMEOUT_SECONDS = 10
log = logging.getLogger("rapport.notify")


def webhook_url() -> str | None:
    return os.environ.get(WEBHOOK_ENV, "").strip() or None


def notify(text: str) -> bool:
    """Post `text` to the webhook; True when it was accepted (2xx), False when no
    webhook is configured or it failed (one warning, never an exception)."""
    url = webhook_url()
    if not url:
        return False
    body = json.dumps({"text": scrub(text)}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            response.read()
        return True
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        log.warning("the webhook (%s) was not told: %s", WEBHOOK_ENV, scrub(str(reason)))
        return False


def run_failed(run_id: str, job: str, reasons: list[str]) -> str:
    shown = "; ".join(reasons[:5]) or "see the run in the Dagster UI"
    more = f" (and {len(reasons) - 5} more)" if len(reasons) > 5 else ""
    return f":red_circle: Rapport run {run_id} ({job}) failed: {shown}{more}"


def blocking_checks_failed(checks: list[str], where: str) -> str:
    shown = ", ".join(checks[:10])
    more = f" (and {len(checks) - 10} more)" if len(checks) > 10 else ""
    return f":warning: Rapport: {len(checks)} blocking check(s) failed ({where}): {shown}{more}"


def response_rate_fell(client: str, lines: list[str]) -> str:
    return f":chart_with_downwards_trend: Rapport, {client}: " + "; ".join(lines)
