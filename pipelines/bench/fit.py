"""The shape of the benchmark data, fitted to the real public samples in ../shared/data.

Every figure the generator draws from is measured here, and `describe()` says how, so
the benchmark output states what its synthetic data is modelled on:

* thread depth and kind mix: TWCS threads (``in_response_to_tweet_id`` chains);
* reply latency: the gaps between a TWCS reply and its parent, kept as an empirical
  distribution per replying side (brand answering, customer following up);
* follower distribution: ``followers_count`` of every X user in the twarc2 pages,
  fitted as a log-normal; it sets how much traffic each generated brand receives.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from pipelines.config.settings import PROJECT_ROOT
from pipelines.sources.twcs.parse import parse_twcs

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data"
TWCS_SAMPLE = SHARED_DATA / "twcs" / "twcs_sample.csv"
TWARC_PAGES = SHARED_DATA / "x_api_v2" / "twarc_pages"
MAX_THREAD_POSTS = 30


@dataclass
class Shape:
    thread_sizes: list[int]  # posts per thread, one entry per observed thread
    brand_latency_s: list[float]  # a brand's reply to a customer post, seconds
    customer_latency_s: list[float]  # a customer's follow-up to a brand reply, seconds
    answered_share: float  # customer-started threads with a brand reply
    followers_log_mu: float
    followers_log_sigma: float
    texts: list[str] = field(repr=False)  # real post bodies, leading @mentions removed
    notes: list[str] = field(default_factory=list)

    def thread_size_pmf(self) -> tuple[np.ndarray, np.ndarray]:
        counts = Counter(min(s, MAX_THREAD_POSTS) for s in self.thread_sizes)
        sizes = np.array(sorted(counts), dtype=np.int64)
        probs = np.array([counts[s] for s in sizes], dtype=np.float64)
        return sizes, probs / probs.sum()


def _strip_leading_mentions(text: str) -> str:
    words = text.replace("\r", " ").replace("\n", " ").split(" ")
    while words and words[0].startswith("@"):
        words.pop(0)
    return " ".join(words).strip()


def _fit_twcs(path: Path) -> dict:
    batch = parse_twcs(path)
    posts = {p["post_id"]: p for p in batch.posts}
    brands = {a["account_id"] for a in batch.accounts if a["is_brand"]}
    children: dict[str, list[str]] = {}
    for p in batch.posts:
        parent = p["in_reply_to_post_id"]
        if parent in posts:
            children.setdefault(parent, []).append(p["post_id"])

    # A thread is a root present in the sample (no parent, or a parent the 5,000-row
    # cut left out) with everything that replies to it, transitively.
    sizes, answered, customer_roots = [], 0, 0
    for p in batch.posts:
        if p["in_reply_to_post_id"] in posts:
            continue
        size, stack, brand_replied = 0, [p["post_id"]], False
        while stack:
            pid = stack.pop()
            size += 1
            for child in children.get(pid, []):
                brand_replied |= posts[child]["account_id"] in brands
                stack.append(child)
        sizes.append(size)
        if p["account_id"] not in brands:
            customer_roots += 1
            answered += brand_replied

    brand_lat, customer_lat = [], []
    for p in batch.posts:
        parent = posts.get(p["in_reply_to_post_id"])
        if parent is None:
            continue
        gap = (p["created_at"] - parent["created_at"]).total_seconds()
        if gap < 0:
            continue
        if p["account_id"] in brands and parent["account_id"] not in brands:
            brand_lat.append(gap)
        elif p["account_id"] not in brands and parent["account_id"] in brands:
            customer_lat.append(gap)
    texts = [t for t in (_strip_leading_mentions(p["text"]) for p in batch.posts) if t]
    return {
        "sizes": sizes,
        "brand_lat": brand_lat,
        "customer_lat": customer_lat,
        "answered_share": answered / max(customer_roots, 1),
        "texts": texts,
        "n_posts": len(batch.posts),
        "n_brands": len(brands),
        "n_replies": sum(p["in_reply_to_post_id"] is not None for p in batch.posts),
    }


def _twarc_followers(folder: Path) -> list[int]:
    """followers_count of every distinct user object in the twarc2 pages."""
    seen: dict[str, int] = {}
    for path in sorted(folder.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if not isinstance(obj, dict):
                continue
            users = list(obj.get("includes", {}).get("users", []) or [])
            data = obj.get("data")
            if isinstance(data, list):
                users += [u for u in data if isinstance(u, dict) and "username" in u]
            for user in users:
                count = (user.get("public_metrics") or {}).get("followers_count")
                if isinstance(count, int) and "id" in user:
                    seen[user["id"]] = count
    return list(seen.values())


def fit(twcs_path: Path = TWCS_SAMPLE, twarc_dir: Path = TWARC_PAGES) -> Shape:
    for needed in (twcs_path, twarc_dir):
        if not needed.exists():
            raise FileNotFoundError(f"{needed}: the benchmark fits its data to this sample")
    t = _fit_twcs(twcs_path)
    followers = np.log1p(np.array(_twarc_followers(twarc_dir), dtype=np.float64))
    mu, sigma = float(followers.mean()), float(followers.std())
    sizes = np.array(t["sizes"])
    notes = [
        f"thread depth: empirical posts-per-thread of {len(sizes)} TWCS threads "
        f"({t['n_posts']} posts of {TWCS_SAMPLE.name}); mean {sizes.mean():.2f}, "
        f"p90 {np.percentile(sizes, 90):.0f}, max {sizes.max()} (capped at {MAX_THREAD_POSTS})",
        f"reply latency: resampled from {len(t['brand_lat'])} TWCS brand replies "
        f"(median {np.median(t['brand_lat']) / 60:.1f} min) and {len(t['customer_lat'])} "
        f"customer follow-ups (median {np.median(t['customer_lat']) / 60:.1f} min), "
        "with +-10% jitter",
        f"kind mix: TWCS carries originals and replies only; {t['n_replies'] / t['n_posts']:.1%} "
        f"of sample posts are replies; a generated thread opens with a customer post "
        f"mentioning a brand and alternates customer/brand; "
        f"{t['answered_share']:.1%} of customer-started sample threads get a brand reply",
        f"follower distribution: log-normal fitted to followers_count of "
        f"{len(followers)} X users in the twarc2 pages (log1p mean {mu:.2f}, sd {sigma:.2f}, "
        f"median {math.expm1(float(np.median(followers))):.0f}); a brand's share of "
        "inbound threads is proportional to its drawn follower count",
        f"text: post bodies drawn from the {len(t['texts'])} sample texts, leading "
        "@mentions replaced by the generated addressee",
    ]
    return Shape(
        thread_sizes=t["sizes"],
        brand_latency_s=t["brand_lat"],
        customer_latency_s=t["customer_lat"],
        answered_share=t["answered_share"],
        followers_log_mu=mu,
        followers_log_sigma=sigma,
        texts=t["texts"],
        notes=notes,
    )
