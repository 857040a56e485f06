"""Secrets scrubbed everywhere: the scrubbing itself (short values left alone, several
secrets, their URL-encoded and JSON-escaped forms), output scrubbing of stdout, stderr
and logging, and a "secret-echo server": the fake X API playing a proxy that repeats
the Authorization header in 401 bodies, error bodies, pages and response headers,
while `rapport ingest x`, `rapport build` and the Dagster assets run against it. The
token must then be nowhere (output, every cell of the warehouse and analyst copy,
every file under raw landing and DAGSTER_HOME, the Dagster event log) and the marker
must stand where the echo was."""

from __future__ import annotations

import io
import json
import logging
import secrets as stdlib_secrets
import sys
from pathlib import Path
from urllib.parse import quote, unquote

import dagster as dg
import pytest
import tweepy

from pipelines.cli import main
from pipelines.config.settings import load_settings
from pipelines.core import secrets
from pipelines.core.secrets import SECRET_ENV_VARS, install_output_scrubbing, scrub, scrub_bytes
from pipelines.defs.assets.x_ingest import x_posts
from pipelines.sources.x_api.client import make_client
from tests.fake_x_api import FakeXApi
from tests.x_helpers import (
    HANDLES,
    cells_holding,
    dagster_environment,
    demo_pages,
    files_holding,
    materialize,
    new_world,
    query,
)

MARKER = "[redacted X_BEARER_TOKEN]"


def x_like_token() -> str:
    """A fresh token shaped like X's: long, and percent-encoded, so its URL-encoded and
    decoded forms differ from it."""
    a, b, c = (stdlib_secrets.token_hex(12) for _ in range(3))
    return f"AAAAAAAAAAAAAAAAAAAAA{a}%2B{b}/{c}%3D"


def leak_forms(token: str) -> list[str]:
    """The token as a leak could show it: as is, URL-encoded, decoded."""
    return [token, quote(token, safe=""), unquote(token)]


@pytest.fixture
def no_secrets(monkeypatch):
    """None of the secret variables set, whatever the developer's shell has."""
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.fixture
def scrubbed_output():
    """install_output_scrubbing, undone after the test so other tests see logging as
    it was (capfd restores stdout and stderr itself)."""
    factory = logging.getLogRecordFactory()
    streams = sys.stdout, sys.stderr
    root = logging.getLogger()
    yield install_output_scrubbing
    logging.setLogRecordFactory(factory)
    sys.stdout, sys.stderr = streams
    for target in (root, *root.handlers):
        target.removeFilter(secrets.SCRUB_FILTER)


# ----------------------------------------------------------------------- scrub()


def test_short_and_empty_values_are_left_alone(no_secrets):
    no_secrets.setenv("RAPPORT_SMTP_PASSWORD", "hunter2")  # 7 characters
    no_secrets.setenv("MASTODON_ACCESS_TOKEN", "   ")
    assert ("RAPPORT_SMTP_PASSWORD", "hunter2") not in secrets.secret_values()
    assert scrub("the hunter2 ate") == "the hunter2 ate"
    no_secrets.setenv("RAPPORT_SMTP_PASSWORD", "hunter22")  # 8: the bound
    assert scrub("pw: hunter22.") == "pw: [redacted RAPPORT_SMTP_PASSWORD]."


def test_every_configured_secret_is_replaced_by_its_own_marker(no_secrets):
    values = {name: f"{name.lower()}-{stdlib_secrets.token_hex(8)}" for name in SECRET_ENV_VARS}
    for name, value in values.items():
        no_secrets.setenv(name, f" {value}\n")  # as pasted: surrounding space is no part
    text = " | ".join(values.values())
    assert scrub(text) == " | ".join(f"[redacted {name}]" for name in values)
    assert scrub_bytes(text.encode()) == scrub(text).encode()


def test_the_url_encoded_decoded_and_json_escaped_forms_are_scrubbed(no_secrets):
    token = x_like_token()
    no_secrets.setenv("X_BEARER_TOKEN", token)
    for form in (
        quote(token, safe=""),  # %2B -> %252B, / -> %2F
        quote(token),
        unquote(token),  # + and =, as a decoding proxy would show it
        json.dumps(token)[1:-1].replace("/", "\\/"),  # JSON that escapes the slash
    ):
        assert form != token
        assert scrub(f"<{form}>") == f"<{MARKER}>", form
    body = json.dumps({"detail": f"Bearer {token}", "q": f"?auth={quote(token)}"}).encode()
    clean = scrub_bytes(body)
    assert json.loads(clean) == {"detail": f"Bearer {MARKER}", "q": f"?auth={MARKER}"}


def test_a_non_ascii_secret_is_scrubbed_in_escaped_json(no_secrets):
    password = "päss-wörd-" + stdlib_secrets.token_hex(4)
    no_secrets.setenv("BLUESKY_APP_PASSWORD", password)
    escaped = json.dumps({"p": password})  # \u00e4 ...
    assert password not in escaped
    assert json.loads(scrub(escaped)) == {"p": "[redacted BLUESKY_APP_PASSWORD]"}


def test_a_secret_that_contains_another_is_replaced_whole(no_secrets):
    inner = stdlib_secrets.token_hex(8)
    no_secrets.setenv("MASTODON_ACCESS_TOKEN", inner)
    no_secrets.setenv("X_BEARER_TOKEN", f"{inner}-and-more")
    assert scrub(f"{inner}-and-more / {inner}") == (f"{MARKER} / [redacted MASTODON_ACCESS_TOKEN]")


def test_a_token_handed_over_in_code_is_scrubbed_too(no_secrets):
    token = x_like_token()
    assert scrub(token) == token
    secrets.remember("X_BEARER_TOKEN", token)
    assert scrub(f"got {token}") == f"got {MARKER}"


# ----------------------------------------------------------------------- output


def test_output_scrubbing_covers_stdout_stderr_and_every_log_record(
    no_secrets, scrubbed_output, capfd
):
    token = x_like_token()
    no_secrets.setenv("X_BEARER_TOKEN", token)
    scrubbed_output()
    scrubbed_output()  # idempotent: nothing wrapped or added twice
    assert not isinstance(sys.stdout.stream, secrets.ScrubbingWriter)
    assert logging.getLogger().filters.count(secrets.SCRUB_FILTER) == 1
    # A logger and handler made after the install, writing to neither stdout nor stderr.
    late = logging.getLogger("test_secrets.late")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    late.addHandler(handler)
    late.propagate = False
    try:
        print(f"out {token}")
        print(f"err {token}", file=sys.stderr)
        late.warning("header %s", f"Bearer {token}")
        try:
            raise RuntimeError(f"echoed {quote(token, safe='')}")
        except RuntimeError:
            late.exception("failed")
    finally:
        late.removeHandler(handler)
    out, err = capfd.readouterr()
    logged = buffer.getvalue()
    assert out == f"out {MARKER}\n" and err == f"err {MARKER}\n"
    assert f"header Bearer {MARKER}" in logged and f"RuntimeError: echoed {MARKER}" in logged
    assert not any(form in out + err + logged for form in leak_forms(token))


# ------------------------------------------------------------ the network boundary


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return demo_pages(tmp_path_factory.mktemp("secrets_pages"))


def test_every_response_is_scrubbed_before_the_client_returns_it(no_secrets, pages):
    token = x_like_token()
    with FakeXApi(new_world(pages), token) as api:
        client = make_client(token, api.url, 5)
        api.fault("echo", path="/users/by", status=200)
        response = client.get_users(usernames=HANDLES[:2])
        api.fault("echo", path="/users/by", status=401)
        with pytest.raises(tweepy.Unauthorized) as refused:
            client.get_users(usernames=HANDLES[:2])
    assert response.json()["meta"]["debug_authorization"] == f"Bearer {MARKER}"
    assert response.headers["x-echo-authorization"] == f"Bearer {MARKER}"
    assert response.request.headers["Authorization"] == f"Bearer {MARKER}"
    assert MARKER in str(refused.value)
    for leaked in leak_forms(token):
        assert leaked.encode() not in response.content
        assert leaked not in refused.value.response.text + str(refused.value)


# --------------------------------------------------------- rapport ingest x, build


@pytest.fixture
def cli_env(tmp_path, no_secrets):
    """A private warehouse, raw landing, audits file and DAGSTER_HOME under tmp_path."""
    env = dagster_environment(tmp_path, "", None)
    for key, value in env.items():
        if value:
            no_secrets.setenv(key, value)
    return no_secrets


def test_rapport_ingest_x_and_build_leave_an_echoed_token_nowhere(
    cli_env, pages, tmp_path, scrubbed_output, capfd, caplog
):
    scrubbed_output()  # as pipelines.cli main() does first
    caplog.set_level(logging.DEBUG, logger="tweepy.client")  # it logs every header
    token = x_like_token()
    with FakeXApi(new_world(pages), token) as api:
        cli_env.setenv("RAPPORT_X_API_URL", api.url)
        cli_env.setenv("X_BEARER_TOKEN", token)
        api.fault("echo", path="/users/by", status=200)  # in a profile's bio
        api.fault("echo", path="/tweets", status=200)  # in a post's text
        assert main(["ingest", "x"]) == 0
        api.fault("echo", path="/users/", status=401)  # the next run's first request
        assert main(["ingest", "x"]) == 2
    assert main(["build"]) == 0
    out, err = capfd.readouterr()

    db = tmp_path / "wh" / "rapport.duckdb"
    analyst = load_settings().analyst_copy_path
    assert analyst.exists()
    forms = leak_forms(token)
    assert not any(form in out + err + caplog.text for form in forms)
    assert files_holding(tmp_path, forms) == []  # raw, warehouse, analyst copy, DAGSTER_HOME
    assert cells_holding(db, forms) == [] and cells_holding(analyst, forms) == []

    # The marker stands where the echo was: the text was scrubbed, not dropped.
    assert (
        "X rejected the bearer token (401 Unauthorized: Unauthorized; Unauthorized: "
        f"the gateway got Authorization: Bearer {MARKER}; about:blank)"
    ) in err
    (reason,) = query(db, "SELECT stop_reason FROM ops.api_runs WHERE status = 'failed'")[0]
    (error,) = query(db, "SELECT error FROM ops.api_usage WHERE status = 'failed'")[0]
    assert f"Bearer {MARKER}" in reason and f"Bearer {MARKER}" in error
    echoed = f"%[debug Bearer {MARKER}]"
    posts = query(db, "SELECT count(*) FROM canonical.posts WHERE text LIKE ?", [echoed])
    bios = query(db, "SELECT count(*) FROM canonical.account_snapshots WHERE bio LIKE ?", [echoed])
    assert posts == bios == [(1,)]
    landed = [p.read_bytes() for p in (tmp_path / "wh" / "raw" / "x-api").glob("*/*.jsonl")]
    # the URL-encoded echo too: quote("Bearer " + token)
    assert sum(f"?authorization=Bearer%20{MARKER}".encode() in page for page in landed) == 2
    assert f"x-echo-authorization': 'Bearer {MARKER}" in caplog.text


# ------------------------------------------------------------------------ Dagster


def event_log(home: Path, run_id: str) -> list[dg.EventLogEntry]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DAGSTER_HOME", str(home))
        return list(dg.DagsterInstance.get().all_logs(run_id))


def test_the_dagster_event_log_never_holds_an_echoed_token(
    no_secrets, pages, tmp_path, scrubbed_output
):
    # scrubbed_output: the assets install output scrubbing; the fixture undoes it after.
    token = x_like_token()
    with FakeXApi(new_world(pages), token) as api:
        env = dagster_environment(tmp_path, api.url, token)
        api.fault("echo", path="/users/by", status=200)
        api.fault("echo", path="/tweets", status=404)  # a log line and the reads quote it
        read = materialize(env)
        api.fault("echo", path="/users/", status=401)  # the next run's first request
        refused = materialize(env)
    assert read.success and not refused.success
    home = Path(env["DAGSTER_HOME"])
    forms = leak_forms(token)
    logs = {run.run_id: event_log(home, run.run_id) for run in (read, refused)}
    for entries in logs.values():
        recorded = "".join(dg.serialize_value(entry) for entry in entries)
        assert not any(form in recorded for form in forms)
    assert files_holding(tmp_path, forms) == []  # the instance's SQLite files included

    said = [e.user_message for e in logs[read.run_id]]
    quoted = f"not_found: 404 Not Found Not Found: the gateway got Authorization: Bearer {MARKER}"
    assert any(quoted in m for m in said)
    (posts,) = [e for e in read.get_asset_materialization_events() if e.asset_key == x_posts.key]
    assert MARKER in posts.materialization.metadata["reads"].value
    (failure,) = refused.get_step_failure_events()
    error = failure.step_failure_data.error
    assert "X rejected the bearer token" in error.message and MARKER in error.message
    assert not any(form in error.to_string() for form in forms)


def test_a_saved_file_holding_a_secret_lands_and_loads_with_the_marker(
    no_secrets, warehouse, tmp_path, monkeypatch
):
    """A user's own file (a page a proxy echoed the header into, saved to disk) is not
    fetched by our client, so landing itself must scrub it."""
    token = x_like_token()
    monkeypatch.setenv("X_BEARER_TOKEN", token)
    page = {
        "data": [
            {
                "id": "1900000000000000001",
                "author_id": "111",
                "text": f"debug: Authorization: Bearer {token}",
                "created_at": "2026-11-20T10:00:00.000Z",
            }
        ]
    }
    saved = tmp_path / "saved.jsonl"
    saved.write_text(json.dumps(page) + "\n")
    assert main(["import", "twarc2", str(saved)]) == 0
    landed = [p for p in warehouse.raw_dir.rglob("*") if p.is_file()]
    assert landed and not [p for p in landed if token.encode() in p.read_bytes()]
    assert any(b"[redacted X_BEARER_TOKEN]" in p.read_bytes() for p in landed)
    assert not cells_holding(warehouse.warehouse_path, leak_forms(token))
    # The same bytes again: recognised as the same (scrubbed) file.
    assert main(["import", "twarc2", str(saved)]) == 0
    metas = list(warehouse.raw_dir.rglob("*.meta.json"))
    assert len(metas) == 1 and json.loads(metas[0].read_text())["secrets_scrubbed"] is True
