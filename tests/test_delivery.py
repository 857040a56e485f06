"""Delivery and alerts (issue 16) on a real demo build: report.pdf beside each
report.html (headless Chromium), the audit emailed to a real SMTP server running in the
test process (aiosmtpd) with the PDF attached and the recipients of audits.yaml, and a
webhook (a local http.server) told about a failed blocking check, a failed run and a
brand's response-rate drop; a webhook that refuses connections fails nothing; the SMTP
password is never printed or stored.

The PDF's text is read without pdftotext (not installed): the content streams are
inflated with zlib and their glyph codes decoded through each font's ToUnicode map."""

from __future__ import annotations

import contextlib
import email
import email.policy
import io
import json
import re
import shutil
import socket
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import dagster as dg
import duckdb
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from pipelines.cli import main
from pipelines.config.audits import find_client
from pipelines.config.settings import PROJECT_ROOT, load_settings
from pipelines.defs.dagster_home import ensure_dagster_home
from pipelines.defs.launcher import RunFailed
from pipelines.reports.findings import pct
from tests.test_report_demo import fail_a_blocking_check

FOLDERS = {"northwind": "2026-11-15", "acme": "2026-11-16"}
RECIPIENTS = ["cmo@acme.example", "audit.team@agency.example"]
PASSWORD = "smtp-Pa55word-never-shown-42"


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("delivery_demo")
    audits = root / "audits.yaml"
    text = (PROJECT_ROOT / "audits.yaml").read_text()
    marker = "  - name: acme\n"
    assert marker in text
    audits.write_text(text.replace(marker, marker + f"    recipients: [{', '.join(RECIPIENTS)}]\n"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("RAPPORT_AUDITS", str(audits))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        for name in ("RAPPORT_REPORTS_DIR", "RAPPORT_WEBHOOK_URL", "RAPPORT_SMTP_HOST"):
            mp.delenv(name, raising=False)
        settings = load_settings()
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            assert main(["demo"]) == 0
        yield settings, out.getvalue()


@pytest.fixture
def warehouse(demo, tmp_path, monkeypatch):
    """The built demo warehouse, copied, with its own reports folder and run history."""
    settings, _ = demo
    copy = tmp_path / "wh" / "rapport.duckdb"
    copy.parent.mkdir()
    shutil.copyfile(settings.warehouse_path, copy)
    monkeypatch.setenv("RAPPORT_WAREHOUSE", str(copy))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    copied = load_settings()
    ensure_dagster_home(copied)
    return copied


@pytest.fixture
def webhook(monkeypatch):
    """A local HTTP server taking the webhook's posts; yields the JSON bodies received."""
    received: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (http.server's name)
            length = int(self.headers["Content-Length"])
            received.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("RAPPORT_WEBHOOK_URL", f"http://127.0.0.1:{server.server_port}/hook")
    yield received
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again on leaving: connections are refused


@pytest.fixture
def smtp_server(monkeypatch):
    """A real SMTP server (aiosmtpd) in this process, with AUTH LOGIN/PLAIN checking
    the password; yields the envelopes it accepted."""
    envelopes, logins = [], []

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802
            envelopes.append(envelope)
            return "250 OK"

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == PASSWORD.encode())

    port = closed_port()
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticator,
        auth_require_tls=False,
    )
    controller.start()
    monkeypatch.setenv("RAPPORT_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("RAPPORT_SMTP_PORT", str(port))
    monkeypatch.setenv("RAPPORT_SMTP_USER", "rapport")
    monkeypatch.setenv("RAPPORT_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("RAPPORT_SMTP_FROM", "audits@agency.example")
    yield envelopes, logins
    controller.stop()


# ---------------------------------------------------------------- PDF text


def pdf_text(data: bytes) -> str:
    """The text of a Skia (Chromium) PDF: each Tj/TJ's glyph codes through its font's
    ToUnicode CMap, one line per text operation."""
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj\s*(.*?)endobj", data, re.S)
    }

    def stream(body: bytes) -> bytes | None:
        m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        if not m:
            return None
        try:
            return zlib.decompress(m.group(1)) if b"FlateDecode" in body else m.group(1)
        except zlib.error:
            return None

    def cmap(obj: int) -> dict[int, str]:
        text = stream(objects[obj]) or b""
        out: dict[int, str] = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                out[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
            for lo, hi, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    out[code] = chr(int(dst, 16) + i)
        return out

    fonts: dict[bytes, dict[int, str]] = {}
    for font_dict in re.findall(rb"/Font\s*<<(.*?)>>", data, re.S):
        for name, obj in re.findall(rb"/(\w+)\s+(\d+)\s+0\s+R", font_dict):
            m = re.search(rb"/ToUnicode\s+(\d+)\s+0\s+R", objects.get(int(obj), b""))
            if m:
                fonts[name] = cmap(int(m.group(1)))

    def decode(hexes: list[bytes], font: dict[int, str]) -> str:
        codes = b"".join(hexes).decode()
        return "".join(font.get(int(codes[i : i + 4], 16), "?") for i in range(0, len(codes), 4))

    lines = []
    op = re.compile(rb"/(\w+)\s+[-\d.]+\s+Tf|\[((?:[^\]])*)\]\s*TJ|<([0-9A-Fa-f]*)>\s*Tj", re.S)
    for body in objects.values():
        if b"/Length1" in body or b"/ToUnicode" in body:
            continue
        content = stream(body)
        if not content or b"Tf" not in content:
            continue
        font: dict[int, str] = {}
        for m in op.finditer(content):
            if m.group(1):
                font = fonts.get(m.group(1), {})
            elif m.group(2) is not None:
                lines.append(decode(re.findall(rb"<([0-9A-Fa-f]*)>", m.group(2)), font))
            else:
                lines.append(decode([m.group(3)], font))
    return "\n".join(lines)


def page_count(data: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


# ---------------------------------------------------------------- PDF


def test_each_audit_writes_a_pdf_beside_its_html(demo):
    settings, printed = demo
    for client, folder in FOLDERS.items():
        pdf = settings.reports_dir / client / folder / "report.pdf"
        assert pdf.is_file() and str(pdf) in printed
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-")
        assert page_count(data) >= 1


def test_the_pdf_shows_the_client_and_the_scorecard_numbers(demo):
    settings, _ = demo
    data = (settings.reports_dir / "acme" / FOLDERS["acme"] / "report.pdf").read_bytes()
    text = pdf_text(data)
    assert "Acme" in text and "@AcmeCo" in text
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT handle, response_rate, posts FROM marts.audit_scorecard "
            "WHERE client = 'acme' AND response_rate IS NOT NULL ORDER BY period_end DESC"
        ).fetchall()
    assert rows
    flat = re.sub(r"\s+", "", text)
    for _, rate, _ in rows[:3]:
        assert pct(rate, 1) in flat


def test_without_chromium_there_is_no_pdf_and_the_audit_still_succeeds(
    warehouse, monkeypatch, capfd
):
    monkeypatch.setenv("RAPPORT_CHROMIUM", "/nonexistent/chromium")
    assert main(["report", "acme", "--no-refresh"]) == 0
    out = capfd.readouterr().out
    folder = warehouse.reports_dir / "acme" / FOLDERS["acme"]
    assert (folder / "report.html").is_file() and not (folder / "report.pdf").exists()
    assert out.count("pdf:       no PDF written: Chromium not found") == 1
    instance = dg.DagsterInstance.get()
    event = instance.get_latest_materialization_event(dg.AssetKey(["reports", "client_audit"]))
    meta = event.asset_materialization.metadata
    assert "pdf" not in meta and "Chromium not found" in meta["pdf_note"].value


# ---------------------------------------------------------------- email


def test_report_email_sends_the_pdf_to_the_recipients_of_audits_yaml(warehouse, smtp_server, capfd):
    envelopes, logins = smtp_server
    assert main(["report", "acme", "--no-refresh", "--email"]) == 0
    (envelope,) = envelopes
    assert (
        envelope.rcpt_tos
        == RECIPIENTS
        == list(find_client(warehouse.audits_path, "acme").recipients)
    )
    assert envelope.mail_from == "audits@agency.example"
    assert logins == [b"rapport"]
    msg = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert msg["Subject"] == f"acme: social audit to {FOLDERS['acme']}"
    assert msg["To"] == ", ".join(RECIPIENTS)
    body = msg.get_body(("plain",)).get_content()
    assert "Top findings:" in body and "@Acme" in body
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "report.pdf"
    assert attachment.get_content_type() == "application/pdf"
    sent = attachment.get_content()
    folder = warehouse.reports_dir / "acme" / FOLDERS["acme"]
    assert sent.startswith(b"%PDF-") and sent == (folder / "report.pdf").read_bytes()
    captured = capfd.readouterr()
    assert f"email:     emailed report.pdf to {', '.join(RECIPIENTS)}" in captured.out
    assert_password_nowhere(warehouse, captured.out + captured.err)


def test_without_a_pdf_the_html_is_emailed(warehouse, smtp_server, monkeypatch):
    envelopes, _ = smtp_server
    monkeypatch.setenv("RAPPORT_CHROMIUM", "/nonexistent/chromium")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", "acme", "--no-refresh", "--email"]) == 0
    msg = email.message_from_bytes(envelopes[0].original_content, policy=email.policy.default)
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "report.html"
    assert "<svg" in attachment.get_content()


def test_a_wrong_password_fails_the_run_without_showing_it(
    warehouse, smtp_server, monkeypatch, capfd
):
    envelopes, _ = smtp_server
    monkeypatch.setenv("RAPPORT_SMTP_PASSWORD", PASSWORD + "-wrong")
    assert main(["report", "acme", "--no-refresh", "--email"]) != 0
    captured = capfd.readouterr()
    assert envelopes == []
    assert "the audit was not emailed via 127.0.0.1" in captured.out + captured.err
    assert PASSWORD not in captured.out + captured.err


def test_email_needs_a_server_and_recipients_before_any_run(warehouse, monkeypatch, capsys):
    monkeypatch.delenv("RAPPORT_SMTP_HOST", raising=False)
    assert main(["report", "acme", "--no-refresh", "--email"]) == 2
    assert "set RAPPORT_SMTP_HOST" in capsys.readouterr().err
    monkeypatch.setenv("RAPPORT_SMTP_HOST", "127.0.0.1")
    assert main(["report", "northwind", "--no-refresh", "--email"]) == 2
    assert "client northwind has no recipients" in capsys.readouterr().err
    assert not warehouse.reports_dir.exists()


def assert_password_nowhere(settings, output: str) -> None:
    assert PASSWORD not in output
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'ops'"
        ).fetchall()
        assert tables
        for (table,) in tables:
            dump = json.dumps(con.execute(f'SELECT * FROM ops."{table}"').fetchall(), default=str)
            assert PASSWORD not in dump, table


# ---------------------------------------------------------------- webhook


def test_a_refused_report_tells_the_webhook_of_the_failed_blocking_check(warehouse, webhook):
    fail_a_blocking_check(warehouse)
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["report", "acme", "--no-refresh"]) == 1
    (event,) = webhook
    assert "blocking check(s) failed" in event["text"]
    assert "marts/audit_scorecard: response_rate_in_range" in event["text"]


def test_a_blocking_check_failing_in_a_check_run_tells_the_webhook(warehouse, webhook):
    with duckdb.connect(str(warehouse.warehouse_path)) as con:
        con.execute("UPDATE marts.audit_scorecard SET response_rate = 7 WHERE client = 'acme'")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["check", "--no-publish"]) == 1
    (event,) = webhook
    assert "blocking check(s) failed" in event["text"]
    assert "marts/audit_scorecard:" in event["text"]


def test_a_failed_cli_run_tells_the_webhook(warehouse, webhook):
    from pipelines.cli.report import run_audit

    fail_a_blocking_check(warehouse, "intermediate/int_posts__current")
    with pytest.raises(RunFailed) as failed:
        run_audit(warehouse, "acme", refresh=False, log_level="ERROR")
    (event,) = webhook
    assert f"run {failed.value.result.run_id}" in event["text"] and "failed" in event["text"]
    assert "reports__client_audit" in event["text"]
    # the UI lists the run under the job the CLI ran, not as an anonymous asset run
    run = dg.DagsterInstance.get().get_run_by_id(failed.value.result.run_id)
    assert run.job_name == "client_report"


def test_the_run_failure_sensor_tells_the_webhook(warehouse, webhook):
    from pipelines.definitions import defs
    from pipelines.defs.assets.reports import CLIENT_AUDIT
    from pipelines.defs.resources import build_resources
    from pipelines.defs.sensors import webhook_on_run_failure

    assert webhook_on_run_failure in list(defs.sensors)
    fail_a_blocking_check(warehouse, "intermediate/int_posts__current")
    instance = dg.DagsterInstance.get()
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks],
        selection=[CLIENT_AUDIT],
        partition_key="acme",
        resources={**defs.resources, **build_resources(warehouse)},
        instance=instance,
        raise_on_error=False,
        tags={"rapport/client": "acme"},
    )
    assert not result.success and webhook == []  # not the launcher: nothing told yet
    (failure,) = [e for e in result.all_events if e.event_type == dg.DagsterEventType.RUN_FAILURE]
    context = dg.build_run_status_sensor_context(
        sensor_name="webhook_on_run_failure",
        dagster_event=failure,
        dagster_instance=instance,
        dagster_run=instance.get_run_by_id(result.run_id),
    ).for_run_failure()
    webhook_on_run_failure(context)
    (event,) = webhook
    assert f"run {result.run_id}" in event["text"] and "client acme" in event["text"]


def plant_previous_period(settings, rate: float) -> tuple:
    """An earlier acme period in marts.audit_scorecard where every brand answered
    `rate` of many messages; returns the current period."""
    with duckdb.connect(str(settings.warehouse_path)) as con:
        start, end = con.execute(
            "SELECT period_start, period_end FROM marts.audit_scorecard WHERE client = 'acme' "
            "ORDER BY period_end DESC LIMIT 1"
        ).fetchone()
        shift = end - start
        con.execute(
            "CREATE TEMP TABLE prev AS SELECT * FROM marts.audit_scorecard "
            "WHERE client = 'acme' AND period_end = ?",
            [end],
        )
        con.execute(
            "UPDATE prev SET period_start = period_start - ?, period_end = period_end - ?, "
            "response_rate = ?, inbound = 1000",
            [shift, shift, rate],
        )
        # Every audit registers its previous period too (the report shows it): replace
        # that period's rows with the planted ones rather than add a second set.
        con.execute(
            "DELETE FROM marts.audit_scorecard WHERE client = 'acme' AND period_end = ?",
            [start],
        )
        con.execute("INSERT INTO marts.audit_scorecard SELECT * FROM prev")
    return start, end


def audit_directly(settings):
    """write_audit_report, the function the client_audit asset calls, on the warehouse."""
    from pipelines.reports.audit import write_audit_report
    from pipelines.reports.periods import latest_requested_period
    from pipelines.reports.quality import QualityStatus

    client = find_client(settings.audits_path, "acme")
    with duckdb.connect(str(settings.warehouse_path)) as con:
        period = latest_requested_period(con, "acme")
        quality = QualityStatus(checks=[])
        return write_audit_report(con, client, period, quality, {}, settings.reports_dir)


def test_a_response_rate_drop_tells_the_webhook(warehouse, webhook):
    plant_previous_period(warehouse, 1.0)
    report = audit_directly(warehouse)
    brands = [
        r for r in report.data.scorecard if r["role"] == "brand" and r["response_rate"] is not None
    ]
    dropped = [r for r in brands if 1.0 - r["response_rate"] > 0.2 and r["inbound"] >= 10]
    assert dropped
    (event,) = webhook
    for r in dropped:
        assert f"@{r['handle']} (x) answered {pct(r['response_rate'], 1)}" in event["text"]
    assert "down from 100.0%" in event["text"]
    assert len(report.alerts) == len(dropped)


def test_no_alert_when_the_rate_held(warehouse, webhook):
    plant_previous_period(warehouse, 0.0)
    assert audit_directly(warehouse).alerts == ()
    assert webhook == []


def test_a_webhook_that_refuses_connections_fails_nothing(warehouse, monkeypatch, caplog):
    monkeypatch.setenv("RAPPORT_WEBHOOK_URL", f"http://127.0.0.1:{closed_port()}/hook")
    plant_previous_period(warehouse, 1.0)
    with caplog.at_level("WARNING", logger="rapport.notify"):
        report = audit_directly(warehouse)  # an alert to send, and nobody listening
    assert report.alerts and report.html_path.is_file()
    warnings = [r for r in caplog.records if r.name == "rapport.notify"]
    assert len(warnings) == 1 and "was not told" in warnings[0].getMessage()
    # a run that fails for its own reasons fails as usual, not on the webhook
    fail_a_blocking_check(warehouse, "intermediate/int_posts__current")
    from pipelines.cli.report import run_audit

    with pytest.raises(RunFailed):
        run_audit(warehouse, "acme", refresh=False, log_level="ERROR")
    # and a successful run stays successful with the webhook down
    with duckdb.connect(str(warehouse.warehouse_path)) as con:
        con.execute("DELETE FROM ops.check_results WHERE run_id = 'test'")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["report", "acme", "--no-refresh"]) == 0
