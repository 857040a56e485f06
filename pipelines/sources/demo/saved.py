"""How the demo saves the Bluesky and Mastodon responses: one JSON document a line,
UTF-8 as the servers send it (not \\u-escaped), LF line ends. A file of one line is
also one whole JSON document, as the parsers read a ``*.json`` file."""

from __future__ import annotations

import json
from pathlib import Path


def write_lines(path: Path, documents: list) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for document in documents:
            fh.write(json.dumps(document, ensure_ascii=False) + "\n")
    return path
