"""The warehouse's follower samples scored by the committed models
(pipelines/audience/scores.py): each follower's probability equals the logistic of the
model file's printed parameters, computed here by hand; a sample is scored once per
model version; a follower without the counts its network's model needs is left out;
scores of a sample that is gone go too."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime, timedelta

from pipelines.audience import scores
from pipelines.audience.estimate import estimate
from pipelines.canonical import followers
from pipelines.canonical.imports import import_follower_sample
from pipelines.canonical.tables import connect
from pipelines.raw.landing import sha256_of
from tests.test_follower_samples import write_sample, x_user

T0 = datetime(2026, 11, 1, 6, tzinfo=UTC)


def by_hand(model: dict, user: dict) -> float:
    """The logistic of the printed parameters, with each feature written out here."""
    m = user["public_metrics"]
    followers, following = m["followers_count"], m["following_count"]
    x = {
        "log_followers": math.log(1 + followers),
        "log_following": math.log(1 + following),
        "log_posts": math.log(1 + m["tweet_count"]),
        "log_follower_following_ratio": math.log((1 + followers) / (1 + following)),
        "empty_bio": 1.0 if not user["description"].strip() else 0.0,
        "default_avatar": 1.0 if "default_profile_images" in user["profile_image_url"] else 0.0,
        "log_listed": math.log(1 + m["listed_count"]),
        "log_favourites": math.log(1 + m["like_count"]),
        "has_url": 1.0 if user.get("url") else 0.0,
        "has_location": 1.0 if user.get("location") else 0.0,
    }
    z = model["intercept"] + sum(
        f["coefficient"] * (x[f["name"]] - f["mean"]) / f["scale"] for f in model["features"]
    )
    return 1 / (1 + math.exp(-z))


def test_scores_are_the_printed_models_logistic_and_are_computed_once(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    ids = [0, 1, 2, 3, 40, 250]
    path = write_sample(tmp_path / "a", ids, T0, "end", requested=10)
    import_follower_sample(con, tmp_path / "raw", path)
    done = scores.score_new_samples(con)
    assert [d["scored"] for d in done] == [len(ids)]
    model = json.loads(scores.MODEL_FOR["x"].read_text())
    got = dict(
        con.execute("SELECT follower_id, fake_probability FROM audience.follower_scores").fetchall()
    )
    for i in ids:
        user = x_user(i)
        assert math.isclose(got[user["id"]], by_hand(model, user), rel_tol=1e-9), user["id"]
    flagged = sum(by_hand(model, x_user(i)) >= model["threshold"] for i in ids)
    row = con.execute(
        "SELECT scored, unscored, flagged, estimated_fake_share, interval_low, interval_high, "
        "model_version FROM audience.sample_estimates"
    ).fetchone()
    expected = estimate(model, len(ids), flagged)
    assert row[:6] == (len(ids), 0, flagged, expected.share, expected.low, expected.high)
    assert row[6].startswith("model_x.json@")
    assert scores.score_new_samples(con) == []  # nothing new: nothing scored


def test_a_follower_without_its_models_counts_is_left_out_and_a_gone_sample_loses_its_scores(
    tmp_path,
):
    con = connect(tmp_path / "w.duckdb")
    path = write_sample(tmp_path / "a", [1, 2, 3], T0, "end")
    page = tmp_path / "a" / "0001.json"
    body = json.loads(page.read_text())
    del body["data"][0]["public_metrics"]["like_count"]  # older X responses lack it
    page.write_text(json.dumps(body))
    pages = [{"sha256": sha256_of(page), "file": page.name, "observed_at": T0}]
    path.write_text(followers.sample_document("x", "42", "Brand", T0, 5, pages, "end", 500))
    import_follower_sample(con, tmp_path / "raw", path)
    scores.score_new_samples(con)
    assert con.execute(
        "SELECT followers_sampled, scored, unscored FROM audience.sample_estimates"
    ).fetchone() == (3, 2, 1)
    assert "1001" not in {
        r[0] for r in con.execute("SELECT follower_id FROM audience.follower_scores").fetchall()
    }
    con.execute("DELETE FROM canonical.follower_samples")  # as a rebuild empties it
    later = write_sample(tmp_path / "b", [9], T0 + timedelta(days=7), "end")
    import_follower_sample(con, tmp_path / "raw", later)
    scores.score_new_samples(con)
    assert con.execute("SELECT sampled_at FROM audience.sample_estimates").fetchall() == [
        (T0 + timedelta(days=7),)
    ]
    assert con.execute(
        "SELECT count(*) FROM audience.follower_scores WHERE sampled_at = ?", [T0]
    ).fetchone() == (0,)
