"""The live X ingest's settings: prices, budget, paging and fault handling, from
x_ingest.yaml (RAPPORT_X_CONFIG overrides the path). A missing file means the defaults
below; a malformed one is refused with its line and the reason."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

import yaml

from pipelines.config.settings import PROJECT_ROOT

DEFAULT_API_URL = "https://api.x.com"
# The bearer token is read from this variable only, never from a file.
TOKEN_ENV = "X_BEARER_TOKEN"
MICROS_PER_USD = 1_000_000


class XConfigError(ValueError):
    """x_ingest.yaml cannot be used: names the file, line and reason."""


@dataclass(frozen=True)
class XIngestConfig:
    price_per_post_usd: float = 0.005
    price_per_user_usd: float = 0.010
    max_cost_per_run_usd: float = 10.0
    page_size: int = 100
    backfill_days: int | None = None
    max_rate_limit_wait_s: float = 900
    max_attempts: int = 5
    backoff_initial_s: float = 2
    backoff_max_s: float = 120
    request_timeout_s: float = 30
    # Follower samples (pipelines/sources/x_api/followers.py): X bills every user
    # object a followers page returns, at price_per_user_usd.
    follower_sample_size: int = 1000
    follower_page_size: int = 1000  # max_results of a followers page (1 to 1000)
    max_follower_cost_per_audit_usd: float = 10.0  # one account's sample in one run
    follower_refresh_days: float = 7

    # Money is counted in whole micro-dollars so sums of $0.005 stay exact.
    @property
    def post_price_micros(self) -> int:
        return round(self.price_per_post_usd * MICROS_PER_USD)

    @property
    def user_price_micros(self) -> int:
        return round(self.price_per_user_usd * MICROS_PER_USD)

    @property
    def budget_micros(self) -> int:
        return round(self.max_cost_per_run_usd * MICROS_PER_USD)

    @property
    def follower_budget_micros(self) -> int:
        return round(self.max_follower_cost_per_audit_usd * MICROS_PER_USD)

    def with_max_cost(self, usd: float | None) -> XIngestConfig:
        return self if usd is None else replace(self, max_cost_per_run_usd=usd)


_INTS = {"page_size", "max_attempts", "backfill_days", "follower_sample_size"}
_INTS |= {"follower_page_size"}
_RANGES = {
    "page_size": (5, 100),
    "max_attempts": (1, 100),
    "follower_sample_size": (1, None),
    "follower_page_size": (1, 1000),
}


def config_path() -> Path:
    return Path(os.environ.get("RAPPORT_X_CONFIG", PROJECT_ROOT / "x_ingest.yaml")).resolve()


def api_url() -> str:
    return os.environ.get("RAPPORT_X_API_URL", DEFAULT_API_URL).rstrip("/")


def _check(path: Path, line: int, key: str, value: object) -> None:
    where = f"{path}:{line}: {key}"
    if key == "backfill_days" and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise XConfigError(f"{where} must be a number, got {value!r}")
    if key in _INTS and not isinstance(value, int):
        raise XConfigError(f"{where} must be a whole number, got {value!r}")
    if value < 0:
        raise XConfigError(f"{where} must not be negative, got {value!r}")
    lo, hi = _RANGES.get(key, (0, None))
    if value < lo or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise XConfigError(f"{where} must be {bounds}, got {value!r}")


def load_x_config(path: Path | None = None) -> XIngestConfig:
    path = path or config_path()
    if not path.exists():
        return XIngestConfig()
    try:
        # compose, not load: the nodes keep their line numbers for error messages
        root = yaml.compose(path.read_text())
    except yaml.YAMLError as exc:
        raise XConfigError(f"{path}: not valid YAML: {exc}") from exc
    if root is None:
        return XIngestConfig()
    if not isinstance(root, yaml.MappingNode):
        raise XConfigError(f"{path}:1: expected a mapping of setting: value")
    known = {f.name for f in fields(XIngestConfig)}
    values: dict[str, object] = {}
    for key_node, value_node in root.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        if key not in known:
            raise XConfigError(
                f"{path}:{line}: unknown setting {key!r} (known: {', '.join(sorted(known))})"
            )
        value = yaml.safe_load(yaml.serialize(value_node))
        _check(path, line, key, value)
        values[key] = value
    return XIngestConfig(**values)
