"""The demo's follower samples (issue 17): written as each network's follower-list pages
with their sample files, imported by `rapport import followers` (and by the demo job
from the inbox) into the sizes and bought followers the demo says; the second weekly
sample is incremental; the Bluesky sample's getProfiles pages give its followers their
generated counts; the same seed gives the same bytes; the followers are shaped
like the labelled profiles of ../shared/data/bot_detection, measured here from the
CSVs themselves."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import random
import re
import shutil
import statistics
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from pipelines.canonical import followers as canonical_followers
from pipelines.cli import main
from pipelines.config.settings import PROJECT_ROOT, load_settings
from pipelines.sources import demo as dw
from pipelines.sources.demo import followers as demo_followers
from pipelines.sources.demo import shapes
from tests.conftest import shared_file
from tests.demo_shapes import measure

SEED, ANCHOR, DAYS = dw.DEFAULT_SEED, dw.DEFAULT_ANCHOR, dw.DEFAULT_DAYS
FIRST_WEEK = datetime(2026, 11, 9, 6, tzinfo=UTC)
HUMAN_FILES = ("cresci2017_genuine_accounts.csv", "cresci2015_humans_TFP.csv")
FAKE_FILES = ("cresci2015_fake_followers_FSF_TWT.csv",)
DID = re.compile(r"^did:plc:[a-z2-7]{24}$")
X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")


def write(out: Path, seed: int = SEED) -> list:
    return dw.write_followers(out, seed, ANCHOR, DAYS)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    """The demo's samples imported with `rapport import followers`, as `rapport demo`
    writes them into the inbox."""
    root = tmp_path_factory.mktemp("followers")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RAPPORT_WAREHOUSE", str(root / "wh" / "rapport.duckdb"))
        mp.setenv("RAPPORT_RAW_DIR", str(root / "wh" / "raw"))
        mp.setenv("RAPPORT_INBOX", str(root / "wh" / "inbox"))
        mp.setenv("DAGSTER_HOME", str(root / "dagster_home"))
        mp.setenv("RAPPORT_AUDITS", str(PROJECT_ROOT / "audits.yaml"))
        settings = load_settings()
        files = dw.write_inbox(settings.inbox_dir, SEED, ANCHOR, DAYS)
        dw.land_as_retrieved(settings.raw_dir, files)
        with contextlib.redirect_stdout(io.StringIO()):  # the accounts the samples follow
            for source in ("twarc2", dw.BLUESKY, dw.MASTODON):
                assert main(["import", source, str(settings.inbox_dir / source / "demo")]) == 0
        folder = settings.inbox_dir / "follower-sample" / "demo"
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = main(["import", "followers", str(folder)])
    return settings, [f for f in files if f.source == "follower-sample"], code, out.getvalue()


def query(settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# --------------------------------------------------------------------------- loaded


def test_rapport_import_followers_loads_every_sample_with_its_generated_size(loaded):
    settings, files, code, out = loaded
    truth = dw.follower_truth()
    assert code == 0 and len(files) == len(truth) == 7
    assert out.count("follower sample of") == 7 and "sampled followers in the new samples" in out
    samples = {
        (r[0], r[1], r[2]): r[3:]
        for r in query(
            settings,
            "SELECT platform, account_id, sampled_at, sampled, requested, hidden "
            "FROM canonical.follower_samples",
        )
    }
    assert len(samples) == 7
    for (platform, handle, at), t in truth.items():
        assert samples[(platform, t.account_id, at)] == (t.followers, t.followers, False), handle
        ids = [
            r[0]
            for r in query(
                settings,
                "SELECT follower_id FROM canonical.sampled_followers WHERE platform = ? "
                "AND account_id = ? AND sampled_at = ? ORDER BY position",
                [platform, t.account_id, at],
            )
        ]
        assert tuple(ids) == t.follower_ids, handle
    assert query(settings, "SELECT count(*) FROM canonical.rejects") == [(0,)]


def test_the_bluesky_sample_has_the_generated_counts(loaded):
    """Its getProfiles pages give each follower the counts it was drawn with (getFollowers
    alone gives none)."""
    settings, *_ = loaded
    _, generated = demo_followers.simulate(SEED, ANCHOR, DAYS)
    (sample,) = [s for s in generated if s.audience.platform == dw.BLUESKY]
    rows = query(
        settings,
        "SELECT follower_id, followers_count, following_count, post_count, observed_at "
        "FROM canonical.sampled_followers WHERE platform = 'bluesky' AND account_id = ? "
        "AND sampled_at = ? ORDER BY position",
        [sample.account_id, sample.sampled_at],
    )
    drawn = [(f.id, f.shape.followers, f.shape.following, f.shape.posts) for f in sample.followers]
    assert [r[:4] for r in rows] == drawn and len(rows) == 300
    assert all(r[4] > sample.sampled_at for r in rows)  # observed as its pages were read


def test_each_sample_is_the_audited_account_it_names(loaded):
    settings, *_ = loaded
    names = dict(
        query(
            settings,
            "SELECT DISTINCT s.platform || ' ' || lower(a.handle), s.account_id "
            "FROM canonical.follower_samples s JOIN canonical.accounts a USING (platform, "
            "account_id)",
        )
    )
    assert set(names) == {f"{p} {h.lower()}" for p, h, _ in dw.follower_truth()}


def test_the_bought_followers_are_where_the_demo_says(loaded):
    """Join the loaded followers to the demo's labels: each sample's bought share is
    near its audience's, and the bought ones look like the bought collection (few
    followers, following hundreds) while the others look like people."""
    settings, *_ = loaded
    designed = {(a.platform, a.handle): a.bought_share for a in dw.AUDIENCES}
    assert designed[("x", dw.CONVERSATIONAL)] == 0.0
    assert designed[("x", dw.FOLLOW_FOR_FOLLOW)] == 0.35
    profiles: dict[bool, list[tuple]] = {True: [], False: []}
    for (platform, handle, at), t in dw.follower_truth().items():
        rows = query(
            settings,
            "SELECT follower_id, followers_count, following_count FROM "
            "canonical.sampled_followers WHERE platform = ? AND account_id = ? AND sampled_at = ?",
            [platform, t.account_id, at],
        )
        bought = [r for r in rows if r[0] in t.bought_ids]
        assert len(bought) == t.bought, handle  # every bought follower was loaded
        assert abs(len(bought) / len(rows) - designed[(platform, handle)]) <= 0.03, handle
        if platform == "x":
            for r in rows:
                profiles[r[0] in t.bought_ids].append(r[1:])
    fake_followers = statistics.median(math.log1p(r[0]) for r in profiles[True])
    human_followers = statistics.median(math.log1p(r[0]) for r in profiles[False])
    assert fake_followers < 3.5 < human_followers
    assert statistics.median(math.log1p(r[1]) for r in profiles[True]) > 5.0


def test_the_second_weekly_sample_reads_the_new_followers_and_carries_the_rest(loaded):
    settings, *_ = loaded
    account = dw.follower_truth()[("x", dw.CONVERSATIONAL, ANCHOR)].account_id
    (row,) = query(
        settings,
        "SELECT sampled, read_new, stopped_by, incremental FROM canonical.follower_samples "
        "WHERE platform = 'x' AND account_id = ? AND sampled_at = ?",
        [account, ANCHOR],
    )
    sampled, read_new, stopped_by, incremental = row
    assert (sampled, stopped_by, incremental) == (500, "known", True) and read_new < sampled

    def followers(at: datetime) -> list[tuple]:
        return query(
            settings,
            "SELECT follower_id, observed_at FROM canonical.sampled_followers "
            "WHERE platform = 'x' AND account_id = ? AND sampled_at = ? ORDER BY position",
            [account, at],
        )

    first, second = followers(FIRST_WEEK), followers(ANCHOR)
    first_ids = [r[0] for r in first]
    new = [r[0] for r in second if r[0] not in first_ids]
    assert 0 < len(new) < read_new  # the last page read reached known followers
    assert [r[0] for r in second] == new + first_ids[: sampled - len(new)]
    read, carried = second[:read_new], second[read_new:]
    assert min(r[1] for r in read) > ANCHOR  # read now, page by page
    observed_first = dict(first)
    assert all(r[1] == observed_first[r[0]] < ANCHOR for r in carried)  # as observed then


def test_the_demo_job_imports_the_samples_from_the_inbox(tmp_path, monkeypatch):
    """The import asset reads the inbox's follower-sample folder (`rapport demo`)."""
    import dagster as dg

    from pipelines.defs.assets.ingest import canonical_tables
    from pipelines.defs.resources import build_resources

    for name, folder in (("WAREHOUSE", "wh/rapport.duckdb"), ("RAW_DIR", "wh/raw")):
        monkeypatch.setenv(f"RAPPORT_{name}", str(tmp_path / folder))
    monkeypatch.setenv("RAPPORT_INBOX", str(tmp_path / "inbox"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    settings = load_settings()
    write(settings.inbox_dir / dw.inbox.FOLDERS["follower-sample"])
    result = dg.materialize([canonical_tables], resources=build_resources(settings))
    assert result.success
    counts = {
        e.asset_key.path[-1]: e.materialization.metadata["row_count"].value
        for e in result.get_asset_materialization_events()
    }
    assert counts["follower_samples"] == 7
    assert counts["sampled_followers"] == sum(t.followers for t in dw.follower_truth().values())


# --------------------------------------------------------------------------- files


def test_same_seed_same_bytes_and_another_seed_other_followers(tmp_path):
    first, second = write(tmp_path / "a"), write(tmp_path / "b")
    a_files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.json"))
    b_files = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.json"))
    assert a_files == b_files and len(a_files) > 2 * len(first)
    for name in a_files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    assert [(f.path.name, f.retrieved_at) for f in first] == [
        (f.path.name, f.retrieved_at) for f in second
    ]
    write(tmp_path / "c", seed=8)
    page = "x_NorthwindDeals_2026-11-16/page_1.json"
    assert (tmp_path / "a" / page).read_bytes() != (tmp_path / "c" / page).read_bytes()
    assert dw.follower_truth(8) != dw.follower_truth()


def test_the_sample_files_are_the_contract_s_format_byte_for_byte(tmp_path):
    for f in write(tmp_path):
        header = canonical_followers.read_header(f.path.read_bytes())
        for page in header["pages"]:
            page["observed_at"] = datetime.fromisoformat(page["observed_at"])
        again = canonical_followers.sample_document(
            header["platform"],
            header["account_id"],
            header["handle"],
            datetime.fromisoformat(header["sampled_at"]),
            header["requested"],
            header["pages"],
            header["stopped_by"],
            header["followers_total"],
            header["hidden"],
            header["incremental"],
            header["method"],
        )
        assert f.path.read_text(encoding="utf-8") == again, f.path.name


def pages_of(sample: Path) -> list:
    header = json.loads(sample.read_text(encoding="utf-8"))
    return [
        json.loads((sample.parent / p["file"]).read_text(encoding="utf-8")) for p in header["pages"]
    ]


NETWORK_HOSTS = {"pbs.twimg.com", "abs.twimg.com", "t.co", "cdn.bsky.app"}


def test_each_network_s_pages_are_its_follower_list_responses(tmp_path):
    for f in write(tmp_path):
        platform, sample = f.path.name.split("_", 1)[0], f.path
        header = json.loads(sample.read_text(encoding="utf-8"))
        text = "".join((sample.parent / p["file"]).read_text() for p in header["pages"])
        hosts = set(re.findall(r'https?://([^/"]+)', text))
        assert hosts and all(h.endswith(".example") or h in NETWORK_HOSTS for h in hosts), hosts
        for n, page in enumerate(pages_of(sample)):
            if platform == "x":
                assert set(page) == {"data", "meta"}
                assert page["meta"]["result_count"] == len(page["data"]) <= 100
                assert ("previous_token" in page["meta"]) == (n > 0)
                assert "next_token" in page["meta"]  # every demo list goes on past the sample
                for user in page["data"]:
                    assert X_HANDLE.match(user["username"]) and user["id"].isdigit()
                    metrics = user["public_metrics"]
                    assert set(metrics) == {
                        "followers_count",
                        "following_count",
                        "tweet_count",
                        "listed_count",
                        "like_count",
                    }
                    if user["url"]:
                        expanded = user["entities"]["url"]["urls"][0]["expanded_url"]
                        assert expanded.endswith(".example")
            elif platform == "bluesky" and "followers" in page:
                assert set(page) == {"subject", "followers", "cursor"}
                assert DID.match(page["subject"]["did"]) and len(page["followers"]) <= 100
                for view in page["followers"]:
                    assert DID.match(view["did"]) and view["handle"].endswith(".bsky.social")
                    assert not {"followersCount", "followsCount", "postsCount"} & set(view)
                listed, detailed = [v["did"] for v in page["followers"]], []
            elif platform == "bluesky":  # getProfiles of the getFollowers page before it
                assert set(page) == {"profiles"} and 1 <= len(page["profiles"]) <= 25
                for view in page["profiles"]:
                    assert {"followersCount", "followsCount", "postsCount"} <= set(view)
                    assert set(view["associated"]) >= {"lists", "feedgens", "starterPacks"}
                detailed += [v["did"] for v in page["profiles"]]
                assert detailed == listed[: len(detailed)]
            else:
                assert isinstance(page, list) and len(page) <= 80
                for account in page:
                    assert {"followers_count", "following_count", "statuses_count"} <= set(account)
                    assert account["acct"] == account["username"] or "@" in account["acct"]


def test_a_sample_with_a_missing_page_is_refused_with_its_file_and_reason(
    warehouse, tmp_path, capsys
):
    write(tmp_path / "demo")
    sample = tmp_path / "demo" / "x_NorthwindDeals_2026-11-09.sample.json"
    (tmp_path / "demo" / "x_NorthwindDeals_2026-11-09" / "page_2.json").unlink()
    assert main(["import", "followers", str(sample)]) == 2
    err = capsys.readouterr().err
    assert str(sample) in err and "pages[1]" in err and "does not exist" in err
    # Beside a good sample it is refused alone: the other loads, exit 3 says so.
    good = tmp_path / "demo" / "x_AcmeCo_2026-11-16.sample.json"
    assert main(["import", "followers", str(sample), str(good)]) == 3
    out, err = capsys.readouterr()
    assert "follower sample of 400 followers" in out and "1 of 2 file(s) refused" in err
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM canonical.follower_samples").fetchone() == (1,)
        refused = con.execute("SELECT file_name, reason FROM ops.refused_files").fetchall()
    assert refused[0][0] == str(sample) and "does not exist" in refused[0][1]


def test_the_incremental_sample_needs_its_predecessor_first(warehouse, tmp_path):
    """Given in any order, a folder's samples load oldest first."""
    write(tmp_path)
    # a name that sorts after the second week's
    (tmp_path / "x_NorthwindCoffee_2026-11-09.sample.json").rename(tmp_path / "z.sample.json")
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(["import", "followers", str(tmp_path)]) == 0
    account = dw.follower_truth()[("x", dw.CONVERSATIONAL, ANCHOR)].account_id
    with duckdb.connect(str(warehouse.warehouse_path), read_only=True) as con:
        got = con.execute(
            "SELECT sampled_at, sampled, read_new FROM canonical.follower_samples "
            "WHERE account_id = ? ORDER BY sampled_at",
            [account],
        ).fetchall()
    assert [(at, n) for at, n, _ in got] == [(FIRST_WEEK, 500), (ANCHOR, 500)]
    assert got[1][2] < 500  # the second read only its new followers' pages


# --------------------------------------------------------------------------- shapes


def bot_detection() -> Path:
    for name in (*HUMAN_FILES, *FAKE_FILES):
        path = shared_file(f"bot_detection/{name}")
    return path.parent


def test_the_committed_shapes_are_what_the_shared_data_measures():
    measured, sha256s = measure(bot_detection())
    assert sha256s == shapes.MEASURED
    assert measured == shapes.SHAPES, "rerun `python -m tests.demo_shapes` into shapes.py"


def csv_column(files: tuple[str, ...], column: str) -> list[str]:
    values = []
    for name in files:
        with (bot_detection() / name).open(newline="", encoding="utf-8") as fh:
            values += [row[column] for row in csv.DictReader(fh)]
    return values


def log_median(values) -> float:
    return statistics.median(math.log1p(int(v)) for v in values)


@pytest.mark.parametrize(
    ("label", "files", "tolerance"),
    [(shapes.HUMAN, HUMAN_FILES, 0.15), (shapes.FAKE, FAKE_FILES, 0.15)],
)
def test_drawn_followers_resemble_the_shared_data(label, files, tolerance):
    """Medians of log1p counts and the empty-bio share of many draws, against the same
    computed here from the CSVs (every row, read with the csv module)."""
    rng = random.Random(1)
    drawn = [shapes.draw(rng, label) for _ in range(4000)]
    for column, field in (
        ("followers_count", "followers"),
        ("friends_count", "following"),
        ("statuses_count", "posts"),
    ):
        measured = log_median(csv_column(files, column))
        generated = statistics.median(math.log1p(getattr(d, field)) for d in drawn)
        assert abs(generated - measured) <= tolerance, (label, field, generated, measured)
    bios = csv_column(files, "description")
    empty = sum(1 for b in bios if b.strip() in ("", "NULL")) / len(bios)
    assert abs(sum(d.empty_bio for d in drawn) / len(drawn) - empty) <= 0.03
    # followers and listed go together in people, as in the data
    if label == shapes.HUMAN:
        pairs = [(math.log1p(d.followers), math.log1p(d.listed)) for d in drawn]
        assert statistics.correlation(*zip(*pairs, strict=True)) > 0.4


def test_the_demo_s_x_followers_resemble_the_shared_data(loaded):
    settings, *_ = loaded
    truth = dw.follower_truth()
    bought = set().union(*(t.bought_ids for t in truth.values()))
    rows = query(
        settings,
        "SELECT DISTINCT follower_id, followers_count FROM canonical.sampled_followers "
        "WHERE platform = 'x'",
    )
    for is_bought, files in ((False, HUMAN_FILES), (True, FAKE_FILES)):
        generated = log_median(r[1] for r in rows if (r[0] in bought) == is_bought)
        assert abs(generated - log_median(csv_column(files, "followers_count"))) <= 0.35


def test_a_rebuild_from_raw_replays_the_samples_as_they_were(loaded, tmp_path):
    """`rapport rebuild` after `rapport demo`: the samples land in import order (pages,
    then their sample; the first week before the second), so the replay carries the
    incremental sample forward again into the same rows."""
    from pipelines.canonical.imports import reload_from_raw
    from pipelines.canonical.tables import connect

    settings, *_ = loaded
    sql = "SELECT * EXCLUDE (raw_file_id) FROM canonical.sampled_followers ORDER BY ALL"
    before = query(settings, sql)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(settings.warehouse_path, copy)
    con = connect(copy)
    try:
        replay = reload_from_raw(con, settings.raw_dir, log=lambda line: None)
        assert replay.refused == []
        assert con.execute(sql).fetchall() == before
    finally:
        con.close()
