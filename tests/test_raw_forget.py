"""Forgetting a raw file on purpose (`rapport raw forget SHA --reason ...`): a tombstone
with who, when and why; imports and rebuilds skip the file; its bytes stay in raw. And
the safety net under it: a file that parses but cannot be stored is refused under its
own name and forgotten by Rapport, so a rebuild never dies at it."""

from __future__ import annotations

import json

import duckdb

from pipelines.canonical import imports
from pipelines.canonical.imports import ImportRefused, import_file, reload_from_raw
from pipelines.canonical.tables import connect
from pipelines.cli import main
from pipelines.raw.landing import landed_files

PAGE = {
    "data": [
        {
            "id": "1900000000000000001",
            "text": "hello @acme",
            "author_id": "111",
            "created_at": "2026-11-20T10:00:00.000Z",
            "edit_history_tweet_ids": ["1900000000000000001"],
        }
    ],
    "includes": {"users": [{"id": "111", "username": "someone", "name": "Some One"}]},
    "__twarc": {"retrieved_at": "2026-11-20T11:00:00+00:00"},
}


def _page_file(tmp_path, name="page.jsonl", post_id="1900000000000000001"):
    page = json.loads(json.dumps(PAGE).replace("1900000000000000001", post_id))
    path = tmp_path / name
    path.write_text(json.dumps(page) + "\n")
    return path


def _posts(db) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [
            r[0] for r in con.execute("SELECT post_id FROM canonical.posts ORDER BY 1").fetchall()
        ]


def test_a_forgotten_file_is_skipped_by_imports_and_rebuilds_and_kept_in_raw(
    warehouse, tmp_path, capsys
):
    keep = _page_file(tmp_path, "keep.jsonl", "1900000000000000001")
    drop = _page_file(tmp_path, "drop.jsonl", "1900000000000000002")
    assert main(["import", "twarc2", str(keep), str(drop)]) == 0
    assert _posts(warehouse.warehouse_path) == ["1900000000000000001", "1900000000000000002"]
    sha = next(f.raw_file_id for f in landed_files(warehouse.raw_dir) if "drop" in f.original_name)
    capsys.readouterr()

    assert main(["raw", "forget", sha[:12], "--reason", "test page, not real", "--by", "ana"]) == 0
    assert main(["raw", "list"]) == 0
    listing = capsys.readouterr().out
    (line,) = [x for x in listing.splitlines() if x.startswith(sha[:12])]
    assert "FORGOTTEN" in line and "by ana: test page, not real" in line
    assert "2 raw file(s)" in listing and "1 forgotten" in listing
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        row = con.execute("SELECT forgotten_by, reason FROM ops.forgotten_files").fetchall()
    assert row == [("ana", "test page, not real")]

    # Importing it again says why it is not loaded.
    assert main(["import", "twarc2", str(drop)]) == 0
    assert "was forgotten" in capsys.readouterr().out

    # A replay of raw leaves it out; its bytes are still there.
    con = connect(warehouse.warehouse_path)
    try:
        replay = reload_from_raw(con, warehouse.raw_dir, log=lambda _: None)
    finally:
        con.close()
    assert replay.files == 1 and replay.refused == []
    assert _posts(warehouse.warehouse_path) == ["1900000000000000001"]
    forgotten = [f for f in landed_files(warehouse.raw_dir, True) if f.raw_file_id == sha]
    assert forgotten and forgotten[0].raw_path.read_bytes() == drop.read_bytes()

    assert main(["raw", "unforget", sha[:12]]) == 0
    assert main(["import", "twarc2", str(drop)]) == 0
    assert "1900000000000000002" in _posts(warehouse.warehouse_path)


def test_forget_needs_a_known_sha_and_a_reason(warehouse, capsys):
    connect(warehouse.warehouse_path).close()
    assert main(["raw", "forget", "abc", "--reason", "x"]) == 2
    assert "8+ hex digits" in capsys.readouterr().err
    assert main(["raw", "forget", "0123456789ab", "--reason", "x"]) == 2
    assert "no raw file" in capsys.readouterr().err
    assert main(["raw", "forget", "0123456789ab", "--reason", "  "]) == 2


def test_a_file_that_cannot_be_stored_is_refused_by_name_and_forgotten(
    warehouse, tmp_path, monkeypatch
):
    """The parsers' contract should make this impossible; if a parser ever lets through a
    value DuckDB cannot hold, the import must still name the file and go on."""
    good = _page_file(tmp_path, "good.jsonl", "1900000000000000001")
    bad = _page_file(tmp_path, "bad.jsonl", "1900000000000000003")
    real = imports.PARSERS["twarc2"]

    def leaky(landed):  # a parser bug: a count above BIGINT
        batch = real(landed)
        if "bad" in landed.original_name:
            batch.posts[0]["like_count"] = 2**63
        return batch

    monkeypatch.setitem(imports.PARSERS, "twarc2", leaky)
    con = connect(warehouse.warehouse_path)
    try:
        import_file(con, warehouse.raw_dir, "twarc2", good)
        try:
            import_file(con, warehouse.raw_dir, "twarc2", bad)
        except ImportRefused as exc:
            message = str(exc)
        else:
            raise AssertionError("the unstorable file was not refused")
        assert message.startswith(f"{bad}: could not be loaded")
        assert ".jsonl" in message and "/tmp/tmp" not in message  # no staging file named
        assert con.execute("SELECT forgotten_by FROM ops.forgotten_files").fetchall() == [
            ("rapport (the load failed)",)
        ]
        replay = reload_from_raw(con, warehouse.raw_dir, log=lambda _: None)
        assert replay.files == 1
    finally:
        con.close()
    assert _posts(warehouse.warehouse_path) == ["1900000000000000001"]
