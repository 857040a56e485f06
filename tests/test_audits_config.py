from pathlib import Path

import pytest

from pipelines.config.audits import AuditConfigError, load_audits, load_clients
from pipelines.config.settings import PROJECT_ROOT

GOOD = """\
clients:
  - name: acme
    brands:
      - {platform: x, handle: AcmeCo}
    competitors:
      - {platform: x, handle: "@RivalCo"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "audits.yaml"
    path.write_text(text)
    return path


def test_the_documented_shape_loads(tmp_path):
    accounts = load_audits(write(tmp_path, GOOD))
    assert [(a.client, a.role, a.platform, a.handle) for a in accounts] == [
        ("acme", "brand", "x", "AcmeCo"),
        ("acme", "competitor", "x", "RivalCo"),
    ]


def test_the_committed_demo_config_is_valid():
    accounts = load_audits(PROJECT_ROOT / "audits.yaml")
    assert len({a.client for a in accounts}) == 3
    assert {a.role for a in accounts} == {"brand", "competitor"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD.replace("brands:", "brandz:"), r"audits.yaml:2: unknown key\(s\) brandz"),
        (GOOD.replace("AcmeCo", "Acme Co!"), r"audits.yaml:4: 'Acme Co!' is not a valid x"),
        (
            GOOD.replace("platform: x, handle: AcmeCo", "platform: myspace, handle: A"),
            r":4: unknown platform 'myspace'",
        ),
        (GOOD.replace('"@RivalCo"', "acmeco"), r":6: x account acmeco is listed twice .*line 4"),
        ("clients: [", r"not valid YAML"),
        (GOOD + "    recipients: a@b.example\n", r":7: recipients must be a list"),
        (GOOD + "    recipients: [a@b.example, not-an-address]\n", r":7: recipient 'not-an-a"),
        (GOOD + "    recipients: ['a@b.example, c@d.example']\n", r":7: recipient 'a@b.example, c"),
        (GOOD + "    recipients: [a@b.example, A@b.example]\n", r":7: recipient A@b.example is "),
        (GOOD + "    recipients: [42]\n", r":7: recipient 42 is not an email address"),
        ("- just a list", r":1: expected a mapping"),
    ],
)
def test_a_malformed_config_is_refused_with_line_and_reason(tmp_path, text, expected):
    with pytest.raises(AuditConfigError, match=expected):
        load_audits(write(tmp_path, text))


def test_recipients_are_optional_and_kept_in_order(tmp_path):
    (plain,) = load_clients(write(tmp_path, GOOD))
    assert plain.recipients == ()
    text = GOOD + "    recipients: [cmo@acme.example, 'audit.team+x@mail.acme.co.uk']\n"
    (client,) = load_clients(write(tmp_path, text))
    assert client.recipients == ("cmo@acme.example", "audit.team+x@mail.acme.co.uk")


def test_a_missing_file_says_how_to_fix_it(tmp_path):
    with pytest.raises(AuditConfigError, match="RAPPORT_AUDITS"):
        load_audits(tmp_path / "nope.yaml")


def test_an_empty_client_list_syncs_to_an_empty_table(tmp_path):
    from pipelines.canonical.tables import connect
    from pipelines.config.audits import sync_audited_accounts

    con = connect(tmp_path / "w.duckdb")
    sync_audited_accounts(con, load_audits(write(tmp_path, "clients: []\n")))
    assert con.execute("SELECT count(*) FROM config.audited_accounts").fetchone() == (0,)
