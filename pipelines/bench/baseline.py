"""The obvious alternative: conversation_metrics and post_mix computed with plain pandas
straight from the raw TWCS CSV files, the way an analyst's notebook would (read every
file, concat, parse, merge, groupby). Same definitions as the dbt marts, so the
benchmark can check that both give the same figures.

    python -m pipelines.bench.baseline OUT_DIR AUDITED_HANDLES CSV_DIR [CSV_DIR ...]

AUDITED_HANDLES is a comma-separated list of TWCS handles audits.yaml names ('' for
none). Writes OUT_DIR/conversation_metrics.csv and OUT_DIR/post_mix.csv.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from pipelines.sources.twcs.parse import MENTION_RE


def read_posts(folders: list[Path]) -> pd.DataFrame:
    files = sorted(f for folder in folders for f in folder.rglob("*.csv"))
    df = pd.concat(
        (pd.read_csv(f, dtype=str, keep_default_na=False) for f in files), ignore_index=True
    )
    df = df.drop_duplicates("tweet_id", keep="first")
    parent = df["in_response_to_tweet_id"].replace("", None)
    posts = pd.DataFrame(
        {
            "post_id": df["tweet_id"],
            "account_id": df["author_id"],
            "inbound": df["inbound"] == "True",
            "created_at": pd.to_datetime(
                df["created_at"], format="%a %b %d %H:%M:%S %z %Y", utc=True
            ),
            "in_reply_to_post_id": parent.str.removesuffix(".0"),
            "mentions": df["text"].str.findall(MENTION_RE.pattern),
        }
    )
    # Same quarantine rule as the warehouse: a reply dated before its parent is dropped.
    parents = posts[["post_id", "account_id", "created_at"]].rename(
        columns={
            "post_id": "in_reply_to_post_id",
            "account_id": "parent_account_id",
            "created_at": "parent_created_at",
        }
    )
    posts = posts.merge(parents, on="in_reply_to_post_id", how="left")
    bad = posts["created_at"] < posts["parent_created_at"]
    return posts[~bad].reset_index(drop=True)


def compute(posts: pd.DataFrame, audited: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    posts["kind"] = posts["in_reply_to_post_id"].notna().map({True: "reply", False: "original"})
    brands = set(posts.loc[~posts["inbound"], "account_id"])
    targets = sorted(brands | audited)
    target_lower = {t.lower(): t for t in targets}

    # post_mix: every account with posts
    own = posts["account_id"].str.lower()
    others = [
        sum(1 for m in ms if m.lower() != o) for ms, o in zip(posts["mentions"], own, strict=True)
    ]
    posts["is_broadcast"] = (posts["kind"] == "original") & (pd.Series(others) == 0)
    posts["is_original"] = posts["kind"] == "original"
    posts["is_reply"] = posts["kind"] == "reply"
    mix = posts.groupby("account_id").agg(
        posts=("post_id", "size"),
        originals=("is_original", "sum"),
        replies=("is_reply", "sum"),
        broadcast_posts=("is_broadcast", "sum"),
    )
    mix["reply_share"] = mix["replies"] / mix["posts"]
    mix["broadcast_share"] = mix["broadcast_posts"] / mix["posts"]

    # inbound: replies to a target's post, or mentions of its handle, by someone else
    via_reply = posts.loc[
        posts["parent_account_id"].isin(targets), ["post_id", "parent_account_id"]
    ].rename(columns={"parent_account_id": "target"})
    exploded = posts[["post_id", "mentions"]].explode("mentions").dropna()
    exploded["target"] = exploded["mentions"].str.lower().map(target_lower)
    via_mention = exploded.dropna(subset=["target"])[["post_id", "target"]]
    inbound = pd.concat([via_reply, via_mention]).drop_duplicates()
    inbound = inbound.merge(posts[["post_id", "account_id", "created_at"]], on="post_id")
    inbound = inbound[inbound["account_id"] != inbound["target"]]

    # first response: the target's earliest direct reply to the message
    replies = posts.loc[
        posts["in_reply_to_post_id"].notna(), ["in_reply_to_post_id", "account_id", "created_at"]
    ]
    first = (
        replies.groupby(["in_reply_to_post_id", "account_id"])["created_at"]
        .min()
        .rename("first_response_at")
        .reset_index()
        .rename(columns={"in_reply_to_post_id": "post_id", "account_id": "target"})
    )
    inbound = inbound.merge(first, on=["post_id", "target"], how="left")
    inbound["minutes"] = (
        inbound["first_response_at"] - inbound["created_at"]
    ).dt.total_seconds() / 60.0
    resp = inbound.groupby("target").agg(
        inbound=("post_id", "size"),
        answered=("first_response_at", "count"),
        median_first_response_min=("minutes", "median"),
        p90_first_response_min=("minutes", lambda m: m.quantile(0.9)),
    )
    cm = pd.DataFrame(index=pd.Index(targets, name="account_id"))
    cm = cm.join(mix[["posts", "replies"]]).join(resp.rename_axis("account_id"))
    cm[["posts", "replies", "inbound", "answered"]] = (
        cm[["posts", "replies", "inbound", "answered"]].fillna(0).astype("int64")
    )
    cm["response_rate"] = cm["answered"] / cm["inbound"].where(cm["inbound"] > 0)
    return cm.reset_index(), mix.reset_index()


def main(argv: list[str]) -> int:
    out, audited, *folders = argv
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    posts = read_posts([Path(f) for f in folders])
    cm, mix = compute(posts, {h for h in audited.split(",") if h})
    cm.to_csv(out_dir / "conversation_metrics.csv", index=False)
    mix.to_csv(out_dir / "post_mix.csv", index=False)
    print(
        f"pandas baseline: {len(posts):,} posts, {len(cm)} measured accounts, "
        f"{len(mix):,} in post_mix"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
