"""The other notebook a data-literate analyst writes in 2026: one polars lazy query over
the raw TWCS files, recomputing conversation_metrics and post_mix from scratch, with the
definitions of the dbt marts (the same as the pandas notebook,
pipelines/bench/baseline.py). The benchmark checks its output against the marts.

    python -m pipelines.bench.notebook_polars OUT_DIR AUDITED_HANDLES CSV_DIR [CSV_DIR ...]

Writes OUT_DIR/conversation_metrics.csv and OUT_DIR/post_mix.csv.

Mentions: the loader's MENTION_RE restated for Rust's regex crate, which has no
look-around: the text gets a leading space, an @ must follow a non-word character (the
crate's \\w is Unicode, as Python's), and the whole run of handle characters after it
must be at most 15 long.
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

TIME_FORMAT = "%a %b %d %H:%M:%S %z %Y"


def _posts(files: list[str]) -> pl.LazyFrame:
    raw = pl.scan_csv(files, infer_schema=False)
    parsed = raw.unique("tweet_id", keep="first", maintain_order=True).select(
        pl.col("tweet_id").alias("post_id"),
        pl.col("author_id").alias("account_id"),
        (pl.col("inbound") == "True").alias("inbound"),
        pl.col("created_at").str.to_datetime(TIME_FORMAT, time_zone="UTC"),
        pl.col("in_response_to_tweet_id")
        .str.replace(r"\.0$", "")
        .replace("", None)
        .alias("in_reply_to_post_id"),
        (pl.lit(" ") + pl.col("text"))
        .str.extract_all(r"[^\w]@[A-Za-z0-9_]+")
        .list.eval(pl.element().str.slice(2))
        .list.eval(pl.element().filter(pl.element().str.len_chars() <= 15))
        .alias("mentions"),
    )
    parents = parsed.select(
        pl.col("post_id").alias("in_reply_to_post_id"),
        pl.col("account_id").alias("parent_account_id"),
        pl.col("created_at").alias("parent_created_at"),
    )
    # the warehouse's quarantine rule: a reply dated before its parent is dropped
    return (
        parsed.join(parents, on="in_reply_to_post_id", how="left")
        .filter(
            pl.col("parent_created_at").is_null()
            | (pl.col("created_at") >= pl.col("parent_created_at"))
        )
        .with_columns(
            pl.when(pl.col("in_reply_to_post_id").is_null())
            .then(pl.lit("original"))
            .otherwise(pl.lit("reply"))
            .alias("kind")
        )
    )


def compute(posts: pl.LazyFrame, audited: list[str]) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    posts = posts.cache()
    mentioned = posts.select("post_id", "account_id", "mentions").explode("mentions")
    # a broadcast: an original mentioning nobody but its author
    mentions_others = (
        mentioned.filter(
            pl.col("mentions").is_not_null()
            & (pl.col("mentions").str.to_lowercase() != pl.col("account_id").str.to_lowercase())
        )
        .select("post_id")
        .unique()
        .with_columns(pl.lit(True).alias("mentions_others"))
    )
    mix = (
        posts.join(mentions_others, on="post_id", how="left")
        .group_by("account_id")
        .agg(
            pl.len().alias("posts"),
            (pl.col("kind") == "original").sum().alias("originals"),
            (pl.col("kind") == "reply").sum().alias("replies"),
            ((pl.col("kind") == "original") & pl.col("mentions_others").is_null())
            .sum()
            .alias("broadcast_posts"),
        )
    )
    targets = pl.concat(
        [
            posts.filter(~pl.col("inbound")).select(pl.col("account_id").alias("target")),
            pl.LazyFrame({"target": audited}, schema={"target": pl.String}),
        ]
    ).unique()
    via_reply = posts.join(
        targets, left_on="parent_account_id", right_on="target", how="semi"
    ).select("post_id", pl.col("parent_account_id").alias("target"))
    via_mention = (
        mentioned.filter(pl.col("mentions").is_not_null())
        .with_columns(pl.col("mentions").str.to_lowercase().alias("handle"))
        .join(
            targets.with_columns(pl.col("target").str.to_lowercase().alias("handle")), on="handle"
        )
        .select("post_id", "target")
    )
    inbound = (
        pl.concat([via_reply, via_mention])
        .unique()
        .join(posts.select("post_id", "account_id", "created_at"), on="post_id")
        .filter(pl.col("account_id") != pl.col("target"))
    )
    first = (
        posts.filter(pl.col("in_reply_to_post_id").is_not_null())
        .group_by("in_reply_to_post_id", "account_id")
        .agg(pl.col("created_at").min().alias("first_response_at"))
        .rename({"in_reply_to_post_id": "post_id", "account_id": "target"})
    )
    minutes = (pl.col("first_response_at") - pl.col("created_at")).dt.total_milliseconds() / 60000
    responses = (
        inbound.join(first, on=["post_id", "target"], how="left")
        .with_columns(minutes.alias("minutes"))
        .group_by("target")
        .agg(
            pl.len().alias("inbound"),
            pl.col("minutes").count().alias("answered"),
            pl.col("minutes").median().alias("median_first_response_min"),
            pl.col("minutes").quantile(0.9, "linear").alias("p90_first_response_min"),
        )
    )
    counts = ["posts", "replies", "inbound", "answered"]
    cm = (
        targets.join(
            mix.select("account_id", "posts", "replies"),
            left_on="target",
            right_on="account_id",
            how="left",
        )
        .join(responses, on="target", how="left")
        .rename({"target": "account_id"})
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .with_columns(
            pl.when(pl.col("inbound") > 0)
            .then(pl.col("answered") / pl.col("inbound"))
            .alias("response_rate")
        )
        .sort("account_id")
    )
    return cm, mix


def main(argv: list[str]) -> int:
    out, audited, *folders = argv
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = sorted(str(f) for folder in folders for f in Path(folder).rglob("*.csv"))
    posts = _posts(files)
    cm, mix = compute(posts, [h for h in audited.split(",") if h])
    cm_df, mix_df = pl.collect_all([cm, mix])
    cm_df.write_csv(out_dir / "conversation_metrics.csv")
    mix_df.write_csv(out_dir / "post_mix.csv")
    print(
        f"polars notebook: {int(mix_df['posts'].sum()):,} posts, {cm_df.height} measured "
        f"accounts, {mix_df.height:,} in post_mix"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
