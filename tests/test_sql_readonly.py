"""`rapport sql` reads the analyst copy and nothing else: no file outside it can be
read or written, and the query cannot switch that off (issue 13, point 6)."""

from __future__ import annotations

import pytest

from pipelines.canonical.publish import publish_analyst_copy
from pipelines.canonical.tables import connect
from pipelines.cli import main


@pytest.fixture
def analyst(warehouse):
    connect(warehouse.warehouse_path).close()
    publish_analyst_copy(warehouse)
    return warehouse


ESCAPES = {
    "copy to a file": "COPY (SELECT 42 AS x) TO '{tmp}/out.csv'",
    "read_text": "SELECT content FROM read_text('/etc/passwd')",
    "read_csv": "SELECT * FROM read_csv('/etc/passwd')",
    "glob": "SELECT * FROM glob('/etc/*')",
    "attach": "ATTACH '{tmp}/other.duckdb' AS other",
    "switch it back on": "SET enable_external_access = true",
    "install an extension": "INSTALL httpfs",
    "export": "EXPORT DATABASE '{tmp}/dump'",
}


@pytest.mark.parametrize("case", sorted(ESCAPES))
def test_sql_cannot_reach_outside_the_analyst_copy(analyst, case, tmp_path, capsys):
    assert main(["sql", ESCAPES[case].format(tmp=tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("rapport: query failed:")
    assert not (tmp_path / "out.csv").exists() and not (tmp_path / "dump").exists()
    assert not (tmp_path / "other.duckdb").exists()
    assert "root:" not in err


def test_sql_still_answers_queries_on_the_copy(analyst, capsys):
    assert main(["sql", "SELECT count(*) AS n FROM ops.raw_files"]) == 0
    assert "n" in capsys.readouterr().out
