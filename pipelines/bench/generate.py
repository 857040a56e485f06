"""Synthetic TWCS-format data at benchmark scale, shaped by pipelines/bench/fit.py.

The data is written as the TWCS CSV the real corpus ships as (one file per at most
`posts_per_file` posts, whole threads per file), so the benchmark loads it through the
ordinary `rapport import twcs` path. Same seed and size, same bytes.

Layout under the output folder:
  main/part-NNNNN.csv       the history: DAYS days of customer-support threads
  increment/part-NNNNN.csv  the next day: 1% more posts, of which a share extends old
                            threads (late brand answers, customers following up)
  manifest.json             size, seed, counts and how the shape was fitted
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipelines.bench.fit import Shape, fit
from pipelines.sources.twcs.parse import REQUIRED_COLUMNS

DAYS = 100  # so that one more day of the same traffic is 1% of the history
START_EPOCH = 1_500_768_000  # 2017-07-23 00:00 UTC, before the real TWCS corpus ends
INCREMENT_SHARE = 0.01
LATE_SHARE = 0.3  # of the increment: replies to threads from before the new day
ANSWERED_CAP = 0.9  # the sample's threads are all answered; the full corpus is not
HEADER = list(REQUIRED_COLUMNS)  # the TWCS columns, in the corpus's order
_DOW = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MON = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Generated:
    folder: Path
    main_files: list[Path]
    increment_files: list[Path]
    posts: int
    increment_posts: int
    brands: int
    seconds: float


def brand_count(posts: int) -> int:
    """An agency's hundreds of accounts: grows with the data, 50 to 2,000."""
    return max(50, min(2000, posts // 20_000))


def _twitter_time(epoch: int, cache: dict[int, str]) -> str:
    day, secs = divmod(epoch, 86400)
    prefix = cache.get(day)
    if prefix is None:
        t = time.gmtime(day * 86400)
        prefix = f"{_DOW[t.tm_wday]} {_MON[t.tm_mon - 1]} {t.tm_mday:02d}|{t.tm_year}"
        cache[day] = prefix
    head, year = prefix.split("|")
    h, rem = divmod(secs, 3600)
    m, s = divmod(rem, 60)
    return f"{head} {h:02d}:{m:02d}:{s:02d} +0000 {year}"


class _Writer:
    """Rows into part files of at most `limit` posts, a thread never split."""

    def __init__(self, folder: Path, limit: int):
        self.folder, self.limit = folder, limit
        self.files: list[Path] = []
        self.rows: list[tuple] = []
        folder.mkdir(parents=True, exist_ok=True)

    def add_thread(self, rows: list[tuple]) -> None:
        if self.rows and len(self.rows) + len(rows) > self.limit:
            self.flush()
        self.rows.extend(rows)

    def flush(self) -> None:
        if not self.rows:
            return
        path = self.folder / f"part-{len(self.files):05d}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            out = csv.writer(fh, lineterminator="\n")
            out.writerow(HEADER)
            out.writerows(self.rows)
        self.files.append(path)
        self.rows = []


class _Model:
    def __init__(self, shape: Shape, posts: int, seed: int):
        self.rng = np.random.default_rng(seed)
        self.sizes, self.size_p = shape.thread_size_pmf()
        self.answered = min(shape.answered_share, ANSWERED_CAP)
        self.brand_lat = np.array(shape.brand_latency_s)
        self.customer_lat = np.array(shape.customer_latency_s)
        self.texts = shape.texts
        n_brands = brand_count(posts)
        self.brands = [f"brand{i:04d}" for i in range(n_brands)]
        followers = np.expm1(
            self.rng.normal(shape.followers_log_mu, shape.followers_log_sigma, n_brands)
        ).clip(1)
        self.brand_p = followers / followers.sum()
        self.customers = max(1000, posts // 5)
        self.time_cache: dict[int, str] = {}

    def threads(self, n: int, t0: int, span: int):
        """n threads starting uniformly in [t0, t0 + span): arrays per thread."""
        rng = self.rng
        sizes = np.where(rng.random(n) < self.answered, rng.choice(self.sizes, n, p=self.size_p), 1)
        return (
            sizes,
            rng.choice(len(self.brands), n, p=self.brand_p),
            rng.integers(0, self.customers, n),
            t0 + rng.integers(0, span, n),
        )

    def latencies(self, n: int, brand: bool) -> np.ndarray:
        pool = self.brand_lat if brand else self.customer_lat
        draws = self.rng.choice(pool, n) * self.rng.uniform(0.9, 1.1, n)
        return np.maximum(draws, 1).astype(np.int64)

    def text_idx(self, n: int) -> np.ndarray:
        return self.rng.integers(0, len(self.texts), n)


def _row(model: _Model, pid, author, inbound, epoch, text, child, parent) -> tuple:
    return (
        pid,
        author,
        "True" if inbound else "False",
        _twitter_time(int(epoch), model.time_cache),
        text,
        "" if child is None else str(child),
        "" if parent is None else f"{parent}.0",  # TWCS writes parents as floats
    )


def _thread_batch(model: _Model, first_id: int, sizes, brand_ix, cust_ix, starts):
    """Threads alternating customer and brand, opening with the customer: yields each
    thread's rows and its last post (id, by brand?). Vectorised per batch: numpy draws
    every latency and text at once, Python only formats the rows."""
    total = int(sizes.sum())
    starts = starts[: len(sizes)]
    offsets = np.cumsum(sizes) - sizes
    k = np.arange(total) - np.repeat(offsets, sizes)
    from_brand = k % 2 == 1
    lat = np.where(
        from_brand, model.latencies(total, brand=True), model.latencies(total, brand=False)
    )
    lat[k == 0] = 0
    run = np.cumsum(lat)
    epoch = np.repeat(starts, sizes) + run - np.repeat(run[offsets], sizes)
    texts = model.text_idx(total)
    brands, all_texts = model.brands, model.texts
    i = 0
    for t_no, size in enumerate(sizes.tolist()):
        brand = brands[brand_ix[t_no]]
        customer = str(10_000_000 + int(cust_ix[t_no]))
        rows = []
        for kk in range(size):
            pid = first_id + i
            by_brand = kk % 2 == 1
            rows.append(
                (
                    pid,
                    brand if by_brand else customer,
                    "False" if by_brand else "True",
                    _twitter_time(int(epoch[i]), model.time_cache),
                    f"@{customer if by_brand else brand} {all_texts[texts[i]]}",
                    str(pid + 1) if kk + 1 < size else "",
                    f"{pid - 1}.0" if kk else "",  # TWCS writes parents as floats
                )
            )
            i += 1
        yield rows, (first_id + i - 1, (size - 1) % 2 == 1, brand, customer, int(epoch[i - 1]))


def generate(
    folder: Path, posts: int, seed: int = 42, posts_per_file: int = 100_000, log=print
) -> Generated:
    started = time.perf_counter()
    shape = fit()
    model = _Model(shape, posts, seed)
    folder.mkdir(parents=True, exist_ok=True)
    mean_size = float(np.dot(model.sizes, model.size_p)) * model.answered + (1 - model.answered)

    main = _Writer(folder / "main", posts_per_file)
    span = DAYS * 86400
    next_id, written = 1, 0
    # Old threads the new day can extend: (last post id, brand, customer, last by brand?,
    # when the last post was made).
    late_pool: list[tuple[int, str, str, bool, int]] = []
    threads_seen = 0
    late_wanted = int(posts * INCREMENT_SHARE * LATE_SHARE)
    while written < posts:
        n = max(1, min(20_000, int((posts - written) / mean_size) + 1))
        sizes, brand_ix, cust_ix, starts = model.threads(n, START_EPOCH, span)
        # The last thread is cut so the history has exactly `posts` posts.
        room = posts - written
        sizes = sizes[np.cumsum(sizes) - sizes < room]
        sizes[-1] = min(sizes[-1], room - int(sizes[:-1].sum()))
        for rows, (tail_id, by_brand, brand, customer, tail_at) in _thread_batch(
            model, next_id, sizes, brand_ix, cust_ix, starts
        ):
            main.add_thread(rows)
            threads_seen += 1
            # Reservoir sample of thread ends (deterministic: the model's generator).
            entry = (tail_id, brand, customer, by_brand, tail_at)
            if len(late_pool) < late_wanted:
                late_pool.append(entry)
            elif late_wanted and model.rng.integers(0, threads_seen) < late_wanted:
                late_pool[int(model.rng.integers(0, late_wanted))] = entry
        next_id += int(sizes.sum())
        written += int(sizes.sum())
    main.flush()

    # The new day: late replies to old threads, then new threads (new mentions of the
    # same brands).
    inc = _Writer(folder / "increment", posts_per_file)
    day_start = START_EPOCH + span
    inc_posts = max(1, int(posts * INCREMENT_SHARE))
    inc_written = 0
    for tail_id, brand, customer, by_brand, tail_at in late_pool:
        # A thread started late on the last day can run past midnight: never answer a
        # post before it was made (the source contract would quarantine the answer).
        t = max(day_start + int(model.rng.integers(0, 86400)), tail_at + 60)
        author, inbound = (customer, True) if by_brand else (brand, False)
        text = f"@{brand if by_brand else customer} {model.texts[int(model.text_idx(1)[0])]}"
        inc.add_thread([_row(model, next_id, author, inbound, t, text, None, tail_id)])
        next_id += 1
        inc_written += 1
    while inc_written < inc_posts:
        sizes, brand_ix, cust_ix, starts = model.threads(1000, day_start, 86400)
        room = inc_posts - inc_written
        sizes = sizes[np.cumsum(sizes) - sizes < room]
        sizes[-1] = min(sizes[-1], room - int(sizes[:-1].sum()))
        for rows, _ in _thread_batch(model, next_id, sizes, brand_ix, cust_ix, starts):
            inc.add_thread(rows)
        next_id += int(sizes.sum())
        inc_written += int(sizes.sum())
    inc.flush()

    seconds = time.perf_counter() - started
    manifest = {
        "posts": written,
        "increment_posts": inc_written,
        "late_replies_in_increment": len(late_pool),
        "seed": seed,
        "brands": len(model.brands),
        "customers": model.customers,
        "days": DAYS,
        "main_files": len(main.files),
        "increment_files": len(inc.files),
        "fitted": shape.notes
        + [
            f"answered share used: {model.answered:.0%} of threads get a brand reply (the "
            f"sample's {shape.answered_share:.0%} capped at {ANSWERED_CAP:.0%}: the 5,000-row "
            "sample keeps answered threads whole; unanswered ones are single customer posts)"
        ],
        "answered_share_used": model.answered,
        "seconds": round(seconds, 1),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1))
    log(f"generated {written:,} posts (+{inc_written:,} increment) in {seconds:.1f}s")
    return Generated(
        folder, main.files, inc.files, written, inc_written, len(model.brands), seconds
    )
