"""`rapport audience score` (issue 17): hand-made profiles in the three input shapes scored
through the CLI and checked against the logistic computed here from model_x.json's
printed parameters; the observation time is never today; an unreadable record is kept out
with its line; the summary's interval recomputed here (Wilson and the corners of the
rates' box); a real labelled file of humans."""

from __future__ import annotations

import csv
import json
import math
from itertools import product
from pathlib import Path

import pytest

from pipelines.audience import estimate
from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT
from tests.conftest import shared_file

MODEL_X = PROJECT_ROOT / "pipelines" / "audience" / "model_x.json"
MODEL = PROJECT_ROOT / "pipelines" / "audience" / "model.json"
Z = 1.959963984540054

# What each hand-made profile is, in plain numbers: the model's inputs written out here.
FAKE_LIKE = dict(
    id="101", followers=3, following=900, posts=2, bio="", default_avatar=True,
    listed=0, favourites=0, url="", location="",
)  # fmt: skip
HUMAN_LIKE = dict(
    id="102", followers=480, following=310, posts=5200, bio="Cyclist, Turin", default_avatar=False,
    listed=12, favourites=2300, url="https://example.org", location="Torino",
)  # fmt: skip
BORDERLINE = dict(
    id="103", followers=40, following=260, posts=35, bio="hi", default_avatar=False,
    listed=0, favourites=15, url="", location="Milano",
)  # fmt: skip
AVATAR = "http://pbs.twimg.com/profile_images/1/a_normal.jpg"
DEFAULT_AVATAR = "http://abs.twimg.com/sticky/default_profile_images/default_profile_normal.png"


def by_hand(model: dict, p: dict) -> float:
    """The logistic of the model file's printed parameters, computed without features.py."""
    x = {
        "log_followers": math.log1p(p["followers"]),
        "log_following": math.log1p(p["following"]),
        "log_posts": math.log1p(p["posts"]),
        "log_follower_following_ratio": math.log1p(p["followers"]) - math.log1p(p["following"]),
        "empty_bio": 1.0 if p["bio"].strip() == "" else 0.0,
        "default_avatar": 1.0 if p["default_avatar"] else 0.0,
        "log_listed": math.log1p(p["listed"]),
        "log_favourites": math.log1p(p["favourites"]),
        "has_url": 1.0 if p["url"] else 0.0,
        "has_location": 1.0 if p["location"] else 0.0,
    }
    z = model["intercept"] + sum(
        f["coefficient"] * (x[f["name"]] - f["mean"]) / f["scale"] for f in model["features"]
    )
    return 1.0 / (1.0 + math.exp(-z))


def v11_row(p: dict) -> dict:
    """The profile as a bot_detection CSV row (X API v1.1 user fields)."""
    return {
        "id": p["id"],
        "followers_count": p["followers"],
        "friends_count": p["following"],
        "statuses_count": p["posts"],
        "listed_count": p["listed"],
        "favourites_count": p["favourites"],
        "description": p["bio"],
        "profile_image_url": DEFAULT_AVATAR if p["default_avatar"] else AVATAR,
        "default_profile_image": "1" if p["default_avatar"] else "",
        "created_at": "Tue Jun 11 11:20:35 +0000 2013",
        "url": p["url"],
        "location": p["location"],
        "crawled_at": "2015-05-02 06:41:46",
    }


def v2_user(p: dict) -> dict:
    user = {
        "id": p["id"],
        "username": f"user{p['id']}",
        "description": p["bio"],
        "profile_image_url": DEFAULT_AVATAR if p["default_avatar"] else AVATAR,
        "created_at": "2013-06-11T11:20:35.000Z",
        "url": p["url"],
        "public_metrics": {
            "followers_count": p["followers"],
            "following_count": p["following"],
            "tweet_count": p["posts"],
            "listed_count": p["listed"],
            "like_count": p["favourites"],
        },
        "observed_at": "2021-10-01T00:00:00Z",
    }
    if p["location"]:  # v2 leaves location out when there is none
        user["location"] = p["location"]
    return user


def v11_object(p: dict) -> dict:
    row = v11_row(p)
    del row["crawled_at"]  # the time comes from --as-of
    for column in ("followers_count", "friends_count", "statuses_count"):
        row[column] = int(row[column])
    row["default_profile_image"] = p["default_avatar"]
    row["url"] = p["url"] or None
    return row


def write_csv(path: Path, rows: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def score(*args) -> int:
    """`rapport audience score ARGS...`, in process."""
    return main(["audience", "score", *map(str, args)])


def read_scores(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_three_input_shapes_score_as_the_printed_parameters_say(tmp_path: Path, capsys):
    csv_file = write_csv(tmp_path / "v11.csv", [v11_row(FAKE_LIKE), v11_row(HUMAN_LIKE)])
    v2_file = tmp_path / "v2.json"
    v2_users = [v2_user(p) for p in (BORDERLINE, HUMAN_LIKE, FAKE_LIKE)]
    v2_file.write_text(json.dumps({"data": v2_users}))  # an X v2 response
    jsonl_file = tmp_path / "v11.jsonl"
    lines = [json.dumps(v11_object(FAKE_LIKE)), json.dumps(v11_object(BORDERLINE))]
    jsonl_file.write_text("\n".join(lines) + "\n")
    out, summary = tmp_path / "scores.csv", tmp_path / "summary.json"
    argv = ["audience", "score", str(csv_file), str(v2_file), str(jsonl_file), "--out", str(out)]
    assert main([*argv, "--summary-json", str(summary), "--as-of", "2016-01-01"]) == 0

    model = json.loads(MODEL_X.read_text(encoding="utf-8"))  # the default for X inputs
    expected = [FAKE_LIKE, HUMAN_LIKE, BORDERLINE, HUMAN_LIKE, FAKE_LIKE, FAKE_LIKE, BORDERLINE]
    rows = read_scores(out)
    assert [r["id"] for r in rows] == [p["id"] for p in expected]  # input order
    for row, p in zip(rows, expected, strict=True):
        probability = by_hand(model, p)
        assert float(row["fake_probability"]) == pytest.approx(probability, abs=1e-12)
        assert row["is_fake"] == ("true" if probability >= model["threshold"] else "false")
    assert [r["is_fake"] for r in rows[:2]] == ["true", "false"]  # the obvious ones

    document = json.loads(summary.read_text())
    flagged = sum(r["is_fake"] == "true" for r in rows)
    assert document["profiles"] == document["scored"] == 7
    assert document["flagged"] == flagged and document["unscored"] == []
    assert document["observed_share"] == flagged / 7
    assert document["model"]["file"] == "model_x.json"
    assert document["model"]["sklearn_version"] == model["sklearn_version"]
    assert document["model"]["training_files"] == {
        name: info["sha256"] for name, info in model["training_files"].items()
    }
    low, high = interval_by_hand(model["measured_error"], 7, flagged)
    assert document["interval"] == pytest.approx([low, high], abs=1e-12)
    assert "caught" in document["measured_error"]
    assert capsys.readouterr().out.startswith(
        f"scored 7 of 7 profiles with model_x.json: {flagged}"
    )


def test_the_reduced_model_scores_with_its_own_parameters(tmp_path: Path):
    source = write_csv(tmp_path / "v11.csv", [v11_row(BORDERLINE)])
    out = tmp_path / "scores.csv"
    assert main(["audience", "score", str(source), "--out", str(out), "--features", "reduced"]) == 0
    model = json.loads(MODEL.read_text(encoding="utf-8"))
    assert float(read_scores(out)[0]["fake_probability"]) == pytest.approx(
        by_hand(model, BORDERLINE), abs=1e-12
    )


def test_without_an_observation_time_or_as_of_it_stops_naming_the_file(tmp_path: Path, capsys):
    row = v11_row(HUMAN_LIKE)
    del row["crawled_at"]
    source = write_csv(tmp_path / "no_time.csv", [row])
    out = tmp_path / "scores.csv"
    assert main(["audience", "score", str(source), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"rapport: {source}: no observed_at, crawled_at or updated column")
    assert "--as-of" in err and "never taken as today" in err
    assert not out.exists()

    user = v2_user(HUMAN_LIKE)
    del user["observed_at"]
    source = tmp_path / "no_time.json"
    source.write_text(json.dumps(user))
    assert main(["audience", "score", str(source), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"rapport: {source} line 1: no observed_at")


def test_an_unreadable_record_is_kept_out_with_its_line_and_the_others_are_scored(
    tmp_path: Path, capsys
):
    bad = {**v11_row(BORDERLINE), "id": "2", "followers_count": "many"}
    source = write_csv(tmp_path / "mixed.csv", [v11_row(FAKE_LIKE), bad, v11_row(HUMAN_LIKE)])
    jsonl = tmp_path / "pages.jsonl"
    jsonl.write_text(json.dumps(v2_user(HUMAN_LIKE)) + "\n{not json\n")
    out, summary = tmp_path / "scores.csv", tmp_path / "summary.json"
    argv = ["audience", "score", str(source), str(jsonl), "--out", str(out)]
    assert main([*argv, "--summary-json", str(summary)]) == 3  # some refused, others kept
    assert [r["id"] for r in read_scores(out)] == ["101", "102", "102"]
    document = json.loads(summary.read_text())
    assert document["profiles"] == 5 and document["scored"] == 3
    assert document["unscored"] == [
        {
            "file": "mixed.csv",
            "line": 3,
            "id": "2",
            "reason": "followers_count 'many' is not a whole number",
        },
        {"file": "pages.jsonl", "line": 2, "id": "", "reason": document["unscored"][1]["reason"]},
    ]
    assert document["unscored"][1]["reason"].startswith("not JSON")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "mixed.csv line 3: followers_count 'many' is not a whole number"
    assert err[1].startswith("pages.jsonl line 2: not JSON")


def test_a_v2_user_without_like_count_is_not_scored_as_liking_nothing(tmp_path: Path):
    user = v2_user(HUMAN_LIKE)
    del user["public_metrics"]["like_count"]  # older v2 responses have no like_count
    source = tmp_path / "v2.json"
    source.write_text(json.dumps([user]))
    out, summary = tmp_path / "scores.csv", tmp_path / "summary.json"
    assert score(source, "--out", out, "--summary-json", summary) == 3
    (problem,) = json.loads(summary.read_text())["unscored"]
    assert problem["id"] == "102" and "like_count" in problem["reason"]
    assert "--features reduced" in problem["reason"]
    reduced = ["--features", "reduced"]
    assert main(["audience", "score", str(source), "--out", str(out), *reduced]) == 0
    assert [r["id"] for r in read_scores(out)] == ["102"]


def wilson_by_hand(k: int, n: int) -> tuple[float, float]:
    """Wilson's interval in its (k + z^2/2) / (n + z^2) form."""
    centre = (k + Z * Z / 2) / (n + Z * Z)
    half = Z * math.sqrt(k * (n - k) / n + Z * Z / 4) / (n + Z * Z)
    return max(0.0, centre - half), min(1.0, centre + half)


def interval_by_hand(error: dict, n: int, k: int) -> tuple[float, float]:
    fakes, humans = error["fake"].values(), error["human"].values()
    sens = [wilson_by_hand(c["flagged"], c["profiles"]) for c in fakes]
    false_positive = [wilson_by_hand(c["flagged"], c["profiles"]) for c in humans]
    sens_box = (min(lo for lo, _ in sens), max(hi for _, hi in sens))
    spec_box = (1 - max(hi for _, hi in false_positive), 1 - min(lo for lo, _ in false_positive))
    values = [
        min(1.0, max(0.0, (p + sp - 1) / (se + sp - 1)))
        for p, se, sp in product(wilson_by_hand(k, n), sens_box, spec_box)
    ]
    return min(values), max(values)


def test_a_small_case_interval_and_share_recomputed_by_hand():
    error = {
        "fake": {"A": {"profiles": 100, "flagged": 95}, "B": {"profiles": 50, "flagged": 40}},
        "human": {"C": {"profiles": 200, "flagged": 2}, "D": {"profiles": 50, "flagged": 5}},
    }
    model = {"measured_error": error}
    result = estimate.estimate(model, 40, 10)
    sens, spec = 135 / 150, 1 - 7 / 250  # pooled over the collections
    assert result.observed_share == 0.25
    assert result.share == pytest.approx((0.25 + spec - 1) / (sens + spec - 1), abs=1e-12)
    assert (result.low, result.high) == pytest.approx(interval_by_hand(error, 40, 10), abs=1e-12)
    assert result.low <= result.share <= result.high
    assert estimate.detection_rate(model) == (0.8, 0.95)
    assert estimate.false_positive_rate(model) == (0.01, 0.1)
    assert estimate.error_words(model) == (
        "on collections it was not trained on it caught 80% to 95% of bought followers and "
        "wrongly flagged 1% to 10% of real people"
    )
    assert estimate.estimate(model, 0, 0) == estimate.Estimate(0, 0, None, None, None, None)


def test_a_real_file_of_humans_scores_a_small_fake_share(tmp_path: Path):
    source = shared_file("bot_detection/cresci2015_humans_TFP.csv")
    out, summary = tmp_path / "scores.csv", tmp_path / "summary.json"
    assert score(source, "--out", out, "--summary-json", summary) == 0
    document = json.loads(summary.read_text())
    assert document["profiles"] == document["scored"] == len(read_scores(out)) == 469
    assert document["observed_share"] < 0.10
    low, high = document["interval"]
    assert 0 <= low <= document["estimated_fake_share"] <= high < 0.15


def test_the_point_estimate_lies_inside_its_interval_for_every_count():
    model = json.loads(MODEL_X.read_text(encoding="utf-8"))
    for flagged in range(51):
        result = estimate.estimate(model, 50, flagged)
        assert 0 <= result.low <= result.share <= result.high <= 1
