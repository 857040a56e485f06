"""The benchmark's three notebooks (pandas, one DuckDB SQL script, one polars lazy query)
recompute conversation_metrics and post_mix from the raw CSVs: on generated benchmark
data, each must equal the marts dbt builds from the same files, row for row, or the
benchmark would compare Rapport with something that computes other figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.bench.compare import agreement
from pipelines.bench.generate import generate
from pipelines.bench.stages import NOTEBOOKS
from pipelines.canonical.imports import import_paths
from pipelines.canonical.tables import connect
from pipelines.config.settings import DBT_PROJECT_DIR
from tests.conftest import shared_file

DBT = str(Path(sys.executable).with_name("dbt"))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    shared_file("twcs/twcs_sample.csv")  # the generator fits its shape to this
    root = tmp_path_factory.mktemp("notebooks")
    data = generate(root / "data", 20_000, seed=7, posts_per_file=5_000, log=lambda _: None)
    warehouse = root / "warehouse.duckdb"
    con = connect(warehouse)
    try:
        files = sorted((data.folder / "main").glob("*.csv"))
        import_paths(con, root / "raw", "twcs", files, log=lambda _: None)
    finally:
        con.close()
    subprocess.run(
        # the two marts and what they read (seeds too); their tests belong to other suites
        [DBT, "build", "--quiet", "--select", "+conversation_metrics", "+post_mix",
         "--resource-type", "model", "--resource-type", "seed",
         "--project-dir", str(DBT_PROJECT_DIR),
         "--profiles-dir", str(DBT_PROJECT_DIR), "--target-path", str(root / "target"),
         "--log-path", str(root / "logs")],
        env=os.environ | {"RAPPORT_WAREHOUSE": str(warehouse)},
        check=True,
    )  # fmt: skip
    return root, warehouse, data.folder / "main"


@pytest.mark.parametrize("name", sorted(NOTEBOOKS))
def test_each_notebook_equals_the_marts(built, name):
    root, warehouse, csv_dir = built
    out = root / name.replace(" ", "_")
    # no audited handle: the warehouse's audits config is empty here
    subprocess.run(
        [sys.executable, "-m", NOTEBOOKS[name], str(out), "", str(csv_dir)],
        check=True,
        capture_output=True,
    )
    assert agreement(warehouse, out) == "identical"


def test_the_comparison_sees_a_difference(built):
    """The check can fail: one changed figure in a notebook's output is reported."""
    root, warehouse, csv_dir = built
    out = root / "changed"
    subprocess.run(
        [sys.executable, "-m", NOTEBOOKS["duckdb notebook"], str(out), "", str(csv_dir)],
        check=True,
        capture_output=True,
    )
    path = out / "post_mix.csv"
    header, first, *rest = path.read_text().splitlines()
    cells = first.split(",")
    cells[1] = str(int(cells[1]) + 1)  # posts of one account
    path.write_text("\n".join([header, ",".join(cells), *rest]) + "\n")
    assert agreement(warehouse, out) == "DIFFER: post_mix.posts: 1 rows differ"
