"""`rapport audience train|evaluate|score`: the fake-follower model (pipelines/audience).

The labelled data defaults to ../shared/data/bot_detection beside the checkout; the
library takes the folder as an argument. A missing folder exits 2 with where it looked.
`score` exits 2 on a missing input or observation time, 3 when some profiles could not
be scored (each named on stderr and in the summary) and the others were."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipelines.config.settings import PROJECT_ROOT, Settings

DEFAULT_DATA = PROJECT_ROOT.parent / "shared" / "data" / "bot_detection"
DEFAULT_MODEL = {
    "reduced": PROJECT_ROOT / "pipelines" / "audience" / "model.json",
    "full": PROJECT_ROOT / "pipelines" / "audience" / "model_x.json",
}
DEFAULT_EVALUATION = PROJECT_ROOT / "docs" / "audience-evaluation.md"


def write_from_data(
    args: argparse.Namespace,
    make: Callable[[Path], str | tuple[str, ...]],
    out: Path | tuple[Path, ...],
    what: str,
) -> int:
    """Check the data folder, make the file's text from it, write it to `out` (or each
    text to its path, when `make` gives several)."""
    folder = (args.data or DEFAULT_DATA).resolve()
    if not folder.is_dir():
        print(
            f"rapport: no labelled profiles: {folder} is not a folder (--data DIR)", file=sys.stderr
        )
        return 2
    started = time.monotonic()
    try:
        text = make(folder)
    except (FileNotFoundError, ValueError) as exc:  # a missing file, unreadable rows
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    texts = (text,) if isinstance(text, str) else text
    paths = (out,) if isinstance(out, str | Path) else out
    for body, path in zip(texts, paths, strict=True):
        Path(path).write_text(body, encoding="utf-8")
    where = " and ".join(str(p) for p in paths)
    print(f"{what} written to {where} in {time.monotonic() - started:.1f} s")
    return 0


def cmd_audience_train(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.audience import artefact, build

    def make(folder: Path) -> str:
        return artefact.dumps(build.build(folder, args.features))

    out = args.out or DEFAULT_MODEL[args.features]
    return write_from_data(args, make, out, f"audience model ({args.features})")


def cmd_audience_evaluate(args: argparse.Namespace, settings: Settings) -> int:
    from pipelines.audience import evaluation_doc, single_rules

    out = (args.out or DEFAULT_EVALUATION, args.rules_out or single_rules.PATH)
    return write_from_data(args, evaluation_doc.documents, out, "audience evaluation")


def parse_as_of(value: str | None):
    from pipelines.audience.profiles import parse_iso

    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError:
        raise ValueError(f"--as-of {value!r} is not an ISO 8601 time (2015-05-02T06:41)") from None


def cmd_audience_score(args: argparse.Namespace, settings: Settings) -> int:
    import json

    from pipelines.audience import artefact, inputs, summary

    model_path = DEFAULT_MODEL[args.features]
    model = artefact.load(model_path)
    try:
        read = inputs.read(args.paths, parse_as_of(args.as_of), inputs.needed_counts(model))
    except (FileNotFoundError, ValueError) as exc:  # includes NoObservationTime
        print(f"rapport: {exc}", file=sys.stderr)
        return 2
    for problem in read.unscored:
        print(problem, file=sys.stderr)
    probabilities = artefact.score(model, read.profiles)
    flags = artefact.is_fake(model, probabilities)
    summary.write_scores(args.out, read, probabilities, flags)
    document, result = summary.summary(model, model_path.name, read, int(flags.sum()))
    if args.summary_json:
        text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        Path(args.summary_json).write_text(text, encoding="utf-8")
    print(summary.one_line(read, result, model_path.name) + f"; written to {args.out}")
    return 3 if read.unscored else 0
