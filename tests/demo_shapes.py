"""Measure the follower shapes the demo draws from (pipelines/sources/demo/shapes.py)
on ../shared/data/bot_detection.

``python -m tests.demo_shapes [DATA_DIR]`` prints the ``MEASURED`` and ``SHAPES``
constants of shapes.py; tests/test_demo_followers.py checks that the committed ones are
what this measures. It lives beside the tests because it reads the files as the
audience model does (pipelines/audience/profiles.py: each row observed at its own crawl
time, unreadable rows left out), and the demo, a source, must not import the audience
stage. The humans of both human files are pooled, row by row. Numbers only leave here
(quantiles, shares, correlations), never a row."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from statistics import NormalDist

import numpy as np

from pipelines.audience.profiles import FAKE, HUMAN, Profile, load
from pipelines.config.settings import PROJECT_ROOT
from pipelines.sources.demo.shapes import BINARY, CONTINUOUS, QUANTILES

DATA_DIR = PROJECT_ROOT.parent / "shared" / "data" / "bot_detection"
#: label -> the files measured for it (the model's training files, spambots left out).
FILES = {
    HUMAN: ("cresci2017_genuine_accounts.csv", "cresci2015_humans_TFP.csv"),
    FAKE: ("cresci2015_fake_followers_FSF_TWT.csv",),
}


def variables(p: Profile) -> dict[str, float]:
    """The measured value of each variable: log1p of a count (age in days), or 0/1."""
    age = max(0.0, (p.observed_at - p.created_at).total_seconds() / 86400.0)
    return {
        "followers": math.log1p(p.followers),
        "following": math.log1p(p.following),
        "posts": math.log1p(p.posts),
        "listed": math.log1p(p.listed),
        "favourites": math.log1p(p.favourites),
        "age_days": math.log1p(age),
        "empty_bio": float(p.bio.strip() == ""),
        "default_avatar": float(p.default_avatar),
        "has_url": float(p.url != ""),
        "has_location": float(p.location != ""),
    }


def normal_scores(column: np.ndarray) -> np.ndarray:
    """Van der Waerden scores: the normal quantile of each value's mid-rank (ties share
    their average rank), so a 0/1 column gets two scores."""
    order = np.argsort(column, kind="stable")
    ranks = np.empty(len(column))
    ranks[order] = np.arange(1, len(column) + 1)
    for value in np.unique(column):
        tied = column == value
        ranks[tied] = ranks[tied].mean()
    inv = NormalDist().inv_cdf
    return np.array([inv((r - 0.5) / len(column)) for r in ranks])


def measure_class(profiles: list[Profile]) -> dict:
    names = (*CONTINUOUS, *BINARY)
    table = np.array([[variables(p)[n] for n in names] for p in profiles])
    quantiles = {
        n: tuple(round(float(q), 3) for q in np.quantile(table[:, i], QUANTILES))
        for i, n in enumerate(CONTINUOUS)
    }
    shares = {
        n: round(float(table[:, len(CONTINUOUS) + i].mean()), 3) for i, n in enumerate(BINARY)
    }
    scores = np.column_stack([normal_scores(table[:, i]) for i in range(len(names))])
    corr = np.corrcoef(scores, rowvar=False)
    return {
        "rows": len(profiles),
        "quantiles": quantiles,
        "shares": shares,
        "correlation": tuple(tuple(round(float(v), 2) for v in row) for row in corr),
    }


def measure(data_dir: Path = DATA_DIR) -> tuple[dict, dict[str, str]]:
    """(the SHAPES constant, file name -> sha256 of every file measured)."""
    shapes, sha256s = {}, {}
    for label, files in FILES.items():
        read = load(data_dir, dict.fromkeys(files, label))
        shapes[label] = measure_class(read.profiles)
        sha256s.update({name: info["sha256"] for name, info in read.files.items()})
    return shapes, sha256s


def _numbers(values: tuple, indent: str) -> list[str]:
    """A tuple of numbers as source lines of at most 100 characters."""
    text = [repr(v) for v in values]
    lines, line = [], indent + "("
    for i, item in enumerate(text):
        piece = item + (")," if i == len(text) - 1 else ", ")
        if len(line) + len(piece.rstrip()) > 100:
            lines.append(line.rstrip())
            line = indent + " "
        line += piece
    return [*lines, line]


def source(shapes: dict, sha256s: dict[str, str]) -> str:
    """The SHAPES constant as shapes.py holds it."""
    lines = ["# fmt: off", "MEASURED: dict[str, str] = {  # file -> its sha256"]
    lines += [f'    "{name}":\n        "{sha}",' for name, sha in sha256s.items()]
    lines += ["}", "SHAPES: dict[str, dict] = {"]
    for label, shape in shapes.items():
        lines += [
            f'    "{label}": {{',
            f'        "rows": {shape["rows"]},',
            '        "quantiles": {',
        ]
        for name, values in shape["quantiles"].items():
            lines += [f'            "{name}":', *_numbers(values, " " * 16)]
        lines += ["        },", '        "shares": {']
        lines += [f'            "{name}": {share!r},' for name, share in shape["shares"].items()]
        lines += ["        },"]
        lines += ['        "correlation": (']
        for row in shape["correlation"]:
            lines += _numbers(row, " " * 12)
        lines += ["        ),", "    },"]
    return "\n".join([*lines, "}", "# fmt: on"]) + "\n"


def main(argv: list[str]) -> None:
    shapes, sha256s = measure(Path(argv[0]) if argv else DATA_DIR)
    print(source(shapes, sha256s), end="")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
