import json

from pipelines.raw.landing import land, landed_files


def test_landing_is_content_addressed_append_only_and_keeps_the_bytes(tmp_path):
    raw = tmp_path / "raw"
    src = tmp_path / "page.jsonl"
    src.write_bytes(b'{"data": []}\r\n')  # odd line ending: kept exactly

    first = land(raw, "twarc2", src)
    assert not first.already_landed
    assert first.raw_path.read_bytes() == src.read_bytes()
    assert first.raw_path.is_relative_to(raw / "twarc2")

    again = land(raw, "twarc2", src)
    assert again.already_landed and again.raw_file_id == first.raw_file_id
    assert again.landed_at == first.landed_at  # the first landing time is kept

    src.write_bytes(b'{"data": [1]}\n')
    second = land(raw, "twarc2", src)
    assert second.raw_file_id != first.raw_file_id
    assert first.raw_path.exists()  # nothing already landed is replaced

    replay = landed_files(raw)
    assert [f.raw_file_id for f in replay] == [first.raw_file_id, second.raw_file_id]
    meta = json.loads(first.raw_path.with_name(first.raw_path.name + ".meta.json").read_text())
    assert meta["original_name"] == str(src) and meta["source"] == "twarc2"
