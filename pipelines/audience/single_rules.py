"""pipelines/audience/single_rules.json: Cresci et al. 2015's single rules as Rapport
measured them on Cresci's labelled collections (evaluate.rule_measures), written by
`rapport audience evaluate` beside docs/audience-evaluation.md and committed. The
paper's own per-rule figures are not quoted anywhere: these are measured here. The
report reads the file (load / by_column) for the MCC it prints beside each rule, without
importing the evaluation."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

PATH = Path(__file__).with_name("single_rules.json")

SOURCE = (
    "Cresci, Di Pietro, Petrocchi, Spognardi, Tesconi (2015), Fame for sale: efficient "
    "detection of fake Twitter followers, Decision Support Systems 80: the single rules "
    "it evaluates (a profile failing the rule counts as fake)."
)
MEASURED = (
    "Measured by Rapport, not quoted from the paper: `rapport audience evaluate` "
    "(pipelines/audience/evaluation_doc.py) applies each rule to every pair of one "
    "fake-follower and one human collection of Cresci's labelled data "
    "(../shared/data/bot_detection) and keeps the lowest balanced accuracy and the "
    "lowest MCC over the pairs (each its own minimum), as in docs/audience-evaluation.md."
)


def document(measures: dict[str, dict]) -> dict:
    """The file's content from evaluate.rule_measures."""
    from pipelines.audience import evaluate  # numpy and the trainer: not for the report

    return {
        "source": SOURCE,
        "measured": MEASURED,
        "fields": (
            "rule: the condition a profile passes (looks human); column: the column of "
            "marts.accounts and marts.audit_scorecard that is true when it fails; "
            "lowest_balanced_accuracy, lowest_mcc: over the pairs"
        ),
        "pairs": [f"{f} + {h}" for f, h in evaluate.PAIRS],
        "rules": [
            {"rule": rule, "column": evaluate.RULE_COLUMNS[rule], **values}
            for rule, values in measures.items()
        ],
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def load(path: Path = PATH) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


@cache
def by_column() -> dict[str, dict]:
    """The committed file's rules by their marts column (cresci_*, flag_empty_bio, ...)."""
    return {r["column"]: r for r in load()["rules"]}
