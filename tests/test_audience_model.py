"""The fake-follower model (issue 17): the committed artefact is what training gives,
scoring from the JSON alone agrees with scikit-learn, the evaluation's numbers can be
recomputed by hand, account age uses each row's own crawl time, bad rows are named."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipelines.audience import artefact, build, evaluate, features, profiles, train
from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT
from tests.conftest import SHARED_DATA, shared_file

DATA = SHARED_DATA / "bot_detection"


@pytest.fixture(scope="module")
def collections() -> profiles.Collections:
    for name in profiles.FILES:
        shared_file(f"bot_detection/{name}")
    return profiles.load(DATA)


@pytest.fixture(scope="module")
def trained(collections) -> train.Fitted:
    return train.fit(collections.profiles, features.REDUCED)


def test_training_rebuilds_the_committed_model_byte_for_byte(collections):
    first = artefact.dumps(build.build(DATA))
    assert artefact.dumps(build.build(DATA)) == first
    assert artefact.MODEL_PATH.read_text(encoding="utf-8") == first
    full = artefact.dumps(build.build(DATA, "full"))
    assert artefact.MODEL_X_PATH.read_text(encoding="utf-8") == full


def test_scoring_from_the_json_agrees_with_scikit_learn(collections, trained):
    model = artefact.load()
    from_json = artefact.score(model, collections.profiles)
    from_sklearn = trained.predict_proba(collections.profiles)
    assert abs(from_json - from_sklearn).max() < 1e-9


def test_a_hand_made_profile_scores_as_the_printed_parameters_say():
    model = artefact.load()
    p = profile(followers=3, following=900, posts=2, bio="")
    x = {
        "log_followers": math.log(4),
        "log_following": math.log(901),
        "log_posts": math.log(3),
        "log_follower_following_ratio": math.log(4) - math.log(901),
        "empty_bio": 1.0,
        "default_avatar": 0.0,
    }
    z = model["intercept"] + sum(
        f["coefficient"] * (x[f["name"]] - f["mean"]) / f["scale"] for f in model["features"]
    )
    assert artefact.score(model, [p])[0] == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-12)
    assert artefact.score(model, [p])[0] > 0.5  # follows 900, followed by 3, no posts


def test_a_left_out_pair_balanced_accuracy_and_mcc_recomputed_by_hand(collections):
    rows = collections.profiles
    reported = evaluate.pair_confusions(rows, features.REDUCED)[("TWT", "TFP")]
    model = evaluate.left_out_document(rows, features.REDUCED, {"TWT", "TFP"})
    test = [p for p in rows if p.collection in {"TWT", "TFP"}]
    assert {p.collection for p in rows} - {"TWT", "TFP"} == {"FSF", "GEN"}
    tp = fn = tn = fp = 0
    for p, probability in zip(test, artefact.score(model, test), strict=True):
        fake, flagged = p.label == "fake", probability >= 0.5
        tp += fake and flagged
        fn += fake and not flagged
        tn += not fake and not flagged
        fp += not fake and flagged
    balanced = (tp / (tp + fn) + tn / (tn + fp)) / 2
    mcc = (tp * tn - fp * fn) / math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    assert reported.balanced_accuracy == pytest.approx(balanced, abs=1e-12)
    assert reported.mcc == pytest.approx(mcc, abs=1e-12)
    assert tp + fn == 845 and tn + fp == 469


def profile(**fields) -> profiles.Profile:
    base = dict(
        id="1",
        followers=10,
        following=10,
        posts=10,
        bio="hello",
        avatar_url="https://pbs.twimg.com/profile_images/1/a.jpg",
        default_avatar=False,
        created_at=datetime(2012, 1, 1, tzinfo=UTC),
        observed_at=datetime(2013, 1, 1, tzinfo=UTC),
    )
    return profiles.Profile(**{**base, **fields})


HEADER = (
    "id,statuses_count,followers_count,friends_count,created_at,description,"
    "profile_image_url,updated"
)


def test_account_age_is_measured_at_the_rows_own_crawl_time(tmp_path: Path):
    path = tmp_path / "cresci2015_humans_TFP.csv"
    path.write_text(
        HEADER + "\n7,5,5,5,Sun Jan 01 00:00:00 +0000 2012,,http://x/default_profile_images/a.png,"
        "02-01-2013 00:00\n"
    )
    (row,), problems = profiles.read_file(path, profiles.HUMAN)
    assert problems == []
    assert row.observed_at == datetime(2013, 1, 2, tzinfo=UTC)
    assert features.account_age_days(row) == 367.0  # 2012 is a leap year; not today
    assert row.default_avatar and row.collection == "TFP"


def test_a_malformed_row_is_named_and_the_others_load(tmp_path: Path):
    path = tmp_path / "cresci2015_humans_TFP.csv"
    good = "Sun Jan 01 00:00:00 +0000 2012,bio,http://x/a.png,02-01-2013 00:00"
    path.write_text(f"{HEADER}\n1,5,5,5,{good}\n2,5,many,5,{good}\n3,5,5,5,{good}\n4,5\n")
    loaded, problems = profiles.read_file(path, profiles.HUMAN)
    assert [p.id for p in loaded] == ["1", "3"]
    assert [str(p) for p in problems] == [
        "cresci2015_humans_TFP.csv line 3: followers_count 'many' is not a whole number",
        "cresci2015_humans_TFP.csv line 5: fewer fields than the header's 8",
    ]


def test_train_with_a_missing_data_folder_exits_2_with_one_line(tmp_path: Path, capsys):
    missing = tmp_path / "nowhere"
    assert main(["audience", "train", "--data", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [
        f"rapport: no labelled profiles: {missing} is not a folder (--data DIR)"
    ]
    assert captured.out == ""


def test_the_committed_evaluation_is_what_evaluate_writes(collections, tmp_path, capsys):
    """Both files `rapport audience evaluate` writes: the Markdown tables and the single
    rules' measures the report reads (pipelines/audience/single_rules.json)."""
    from pipelines.audience import single_rules

    def tables(text: str) -> list[str]:  # all but the machine line
        return [line for line in text.splitlines() if not line.startswith("Machine:")]

    doc, rules = tmp_path / "evaluation.md", tmp_path / "single_rules.json"
    argv = ["audience", "evaluate", "--data", str(DATA), "--out", str(doc)]
    assert main([*argv, "--rules-out", str(rules)]) == 0
    assert f"written to {doc} and {rules}" in capsys.readouterr().out
    committed = (PROJECT_ROOT / "docs" / "audience-evaluation.md").read_text(encoding="utf-8")
    assert tables(doc.read_text(encoding="utf-8")) == tables(committed)
    assert rules.read_text(encoding="utf-8") == single_rules.PATH.read_text(encoding="utf-8")


def test_the_single_rules_file_holds_the_evaluation_tables_numbers():
    """single_rules.json's measures are the min BA and min MCC cells of the committed
    table, and each rule's thresholds are the dbt vars the marts' cresci_* columns use."""
    from pipelines.audience import single_rules
    from pipelines.config.report_thresholds import dbt_var

    text = (PROJECT_ROOT / "docs" / "audience-evaluation.md").read_text(encoding="utf-8")
    rows = {
        cells[0]: cells[-2:]
        for line in text.splitlines()
        if line.startswith("| ")
        and len(cells := [c.strip() for c in line.strip("|").split("|")]) == 7
    }
    committed = single_rules.load()
    assert [r["rule"] for r in committed["rules"]] == list(evaluate.RULES)
    for r in committed["rules"]:
        shown = [f"{r['lowest_balanced_accuracy']:.3f}", f"{r['lowest_mcc']:.3f}"]
        assert rows[r["rule"]] == shown, r["rule"]
        assert r["column"] == evaluate.RULE_COLUMNS[r["rule"]]
    followers, posts = dbt_var("cresci_min_followers"), dbt_var("cresci_min_posts")
    multiple = dbt_var("cresci_followers_multiple")
    assert list(evaluate.RULES)[:3] == [
        f"followers >= {followers}",
        f"posts >= {posts}",
        f"{multiple} x followers >= friends",
    ]
    assert list(evaluate.RULE_COLUMNS.values())[:2] == [
        f"cresci_fewer_than_{followers}_followers",
        f"cresci_fewer_than_{posts}_posts",
    ]
    assert "measured by rapport, not quoted" in committed["measured"].lower()


def test_the_measured_error_is_each_collection_scored_by_a_model_that_never_saw_it(collections):
    rows = collections.profiles
    models = ((artefact.MODEL_PATH, features.REDUCED), (artefact.MODEL_X_PATH, features.FULL))
    for path, names in models:
        error = artefact.load(path)["measured_error"]
        for kind, collection in (("fake", "TWT"), ("human", "TFP")):
            model = evaluate.left_out_document(rows, names, {collection})
            test = [p for p in rows if p.collection == collection]
            flagged = int(artefact.is_fake(model, artefact.score(model, test)).sum())
            assert error[kind][collection] == {"profiles": len(test), "flagged": flagged}
        assert set(error["fake"]) == {"FSF", "TWT"} and set(error["human"]) == {"GEN", "TFP"}
