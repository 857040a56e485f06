"""Documented columns wherever analysts look (issue 16): every mart table and column
carries its dbt YAML description (doc blocks rendered) as a DuckDB comment, in the
pipeline's warehouse and in the analyst copy; `rapport docs` writes dbt's docs site as
one page that displays offline, and refuses while another process writes the
warehouse. One demo build serves the whole module."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import duckdb
import pytest

from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT
from pipelines.defs.dbt_project import ensure_manifest
from tests.test_report_demo import demo  # noqa: F401 (the module's demo build)

MART_RELATIONS = """
    SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = 'marts'
    UNION ALL
    SELECT view_name, comment FROM duckdb_views() WHERE schema_name = 'marts'
"""
# A page that needs the network to display: a script or stylesheet loaded from a URL.
FETCHED = re.compile(r"<(script|link)\b[^>]*\b(src|href)\s*=\s*[\"']?(https?:)?//", re.I)


def comments(path) -> tuple[dict[str, str | None], dict[tuple[str, str], str | None]]:
    """(relation -> comment, (relation, column) -> comment) for schema marts."""
    with duckdb.connect(str(path), read_only=True) as con:
        relations = dict(con.execute(MART_RELATIONS).fetchall())
        columns = con.execute(
            "SELECT table_name, column_name, comment FROM duckdb_columns() "
            "WHERE schema_name = 'marts'"
        ).fetchall()
    return relations, {(t, c): comment for t, c, comment in columns}


def manifest_models() -> dict[str, dict]:
    """Mart name -> its manifest node, whose descriptions dbt has rendered."""
    manifest = json.loads(ensure_manifest().read_text())
    return {
        n["name"]: n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and n["fqn"][1] == "marts"
    }


@pytest.mark.parametrize("copy", ["warehouse", "analyst copy"])
def test_every_mart_table_and_column_has_its_description_as_a_comment(demo, copy):  # noqa: F811
    settings = demo[0]
    path = settings.warehouse_path if copy == "warehouse" else settings.analyst_copy_path
    relations, columns = comments(path)
    models = manifest_models()
    assert set(relations) == set(models), "every mart is built, and only the marts"
    bare = sorted(t for t, c in relations.items() if not (c or "").strip())
    assert not bare, f"marts without a comment in {path.name}: {bare}"
    bare = sorted(f"{t}.{c}" for (t, c), comment in columns.items() if not (comment or "").strip())
    assert not bare, (
        f"mart columns without a comment in {path.name} (describe them in the mart's YAML): {bare}"
    )
    # The comment is the rendered description, not the Jinja: doc blocks, quotes.
    for table, column in [
        ("conversation_metrics", "response_rate"),  # a doc block
        ("conversation_metrics", "platform"),  # single quotes
        ("audit_scorecard", "median_first_response_min"),
    ]:
        assert columns[table, column] == models[table]["columns"][column]["description"]
    assert relations["conversation_metrics"] == models["conversation_metrics"]["description"]
    assert not any("{{" in (c or "") for c in columns.values())


def test_rapport_docs_writes_one_page_that_displays_offline(demo, tmp_path):  # noqa: F811
    out = tmp_path / "docs"
    command = [sys.executable, "-m", "pipelines.cli", "docs", "--out", str(out)]
    # Without a network where the system allows it: nothing may be downloaded.
    if shutil.which("unshare") and subprocess.run(["unshare", "-rn", "true"]).returncode == 0:
        command = ["unshare", "-rn", *command]
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    page = out / "static_index.html"
    assert str(page) in done.stdout
    html = page.read_text()
    description = manifest_models()["conversation_metrics"]["columns"]["response_rate"]
    assert json.dumps(description["description"]) in html  # the inlined manifest
    assert not FETCHED.findall(html)
    # dbt's page loads a tracker only when the manifest allows it.
    assert '"send_anonymous_usage_stats": false' in html


def test_rapport_docs_refuses_while_another_process_writes(demo, tmp_path, capsys):  # noqa: F811
    settings = demo[0]
    code = (
        "import sys, time; from pathlib import Path\n"
        "from pipelines.core.locking import warehouse_write_lock\n"
        "with warehouse_write_lock(Path(sys.argv[1])):\n"
        "    print('locked', flush=True); time.sleep(60)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(settings.warehouse_path)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        assert main(["docs", "--out", str(tmp_path / "docs")]) == 1
    finally:
        holder.kill()
        holder.wait()
    assert "another process is writing" in capsys.readouterr().err
    assert not (tmp_path / "docs" / "static_index.html").exists()


def test_rapport_docs_without_a_warehouse_says_what_to_do(warehouse, capsys):
    assert main(["docs"]) == 2
    assert "rapport build" in capsys.readouterr().err
