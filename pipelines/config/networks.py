"""The Bluesky and Mastodon live ingests' settings, from networks.yaml
(RAPPORT_NETWORKS_CONFIG overrides the path): one optional section per network,
``bluesky:`` and ``mastodon:``, each a mapping of setting: value. A missing file or
section means the defaults below; a malformed one is refused with file:line: reason.

    bluesky:
      appview_url: https://public.api.bsky.app   # public reads, no login
      pds_url: https://bsky.social                # login, for the mention search
      thread_window_days: 7
    mastodon:
      instance_urls: {mastodon.social: https://mastodon.social}   # default https://<instance>
      follower_sample_size: 1000   # follower samples (rapport ingest followers)

Follower samples (pipelines/sources/{bluesky,mastodon}/followers.py): each audited
account's most recent followers, ``follower_sample_size`` of them (default 1000), read
``follower_page_size`` a request (0: the network's largest page, getFollowers 100,
Mastodon's followers 80) and taken again once the latest sample is
``follower_refresh_days`` old (default 7), reading only the followers new since then.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

import yaml

from pipelines.config.settings import PROJECT_ROOT

NETWORKS = ("bluesky", "mastodon")
# Largest page each network serves: getAuthorFeed limit <= 100, statuses limit <= 40.
MAX_PAGE_SIZE = {"bluesky": 100, "mastodon": 40}
# Largest follower page: getFollowers limit <= 100, accounts/:id/followers limit <= 80.
MAX_FOLLOWER_PAGE_SIZE = {"bluesky": 100, "mastodon": 80}


class NetworksConfigError(ValueError):
    """networks.yaml cannot be used: names the file, line and reason."""


@dataclass(frozen=True)
class NetworkConfig:
    thread_window_days: int = 7  # reply threads are read for own posts this recent
    max_threads_per_account: int = 50  # threads read per account per run, newest first
    thread_refresh_hours: float = 24  # a thread read this recently is not read again
    backfill_days: int = 30  # the first run reads an account's posts this far back
    page_size: int = 0  # 0: the network's largest page (MAX_PAGE_SIZE)
    max_attempts: int = 5
    backoff_initial_s: float = 2
    backoff_max_s: float = 120
    max_rate_limit_wait_s: float = 900
    request_timeout_s: float = 30
    appview_url: str = "https://public.api.bsky.app"  # Bluesky only
    pds_url: str = "https://bsky.social"  # Bluesky only: where a session is created
    instance_urls: dict[str, str] = field(default_factory=dict)  # Mastodon only
    # Mastodon only: the instance that issued MASTODON_ACCESS_TOKEN, the one server it
    # is sent to; empty: the token is not used (public reads need none).
    token_instance: str = ""
    follower_sample_size: int = 1000  # followers per sample (most recent first)
    follower_page_size: int = 0  # 0: the network's largest follower page
    follower_refresh_days: float = 7  # a sample this recent is not taken again

    def page_limit(self, network: str) -> int:
        return self.page_size or MAX_PAGE_SIZE[network]

    def follower_page_limit(self, network: str) -> int:
        return self.follower_page_size or MAX_FOLLOWER_PAGE_SIZE[network]

    def instance_url(self, instance: str) -> str:
        return self.instance_urls.get(instance, f"https://{instance}").rstrip("/")


_INTS = {"thread_window_days", "max_threads_per_account", "backfill_days", "page_size"}
_INTS |= {"max_attempts", "follower_sample_size", "follower_page_size"}
_URLS = {"appview_url", "pds_url"}
_RANGES = {
    "max_attempts": (1, 100),
    "thread_window_days": (0, 3650),
    "follower_sample_size": (1, None),
}


def config_path() -> Path:
    default = PROJECT_ROOT / "networks.yaml"
    return Path(os.environ.get("RAPPORT_NETWORKS_CONFIG", default)).resolve()


def _check(where: str, network: str, key: str, value: object) -> None:
    if key in _URLS:
        if not isinstance(value, str) or not value.startswith(("https://", "http://")):
            raise NetworksConfigError(f"{where} must be an http(s) URL, got {value!r}")
        return
    if key == "token_instance":
        if not isinstance(value, str):
            raise NetworksConfigError(f"{where} must be an instance host name, got {value!r}")
        return
    if key == "instance_urls":
        ok = isinstance(value, dict) and all(
            isinstance(k, str) and isinstance(v, str) and v.startswith(("https://", "http://"))
            for k, v in value.items()
        )
        if not ok:
            raise NetworksConfigError(f"{where} must map instance names to URLs, got {value!r}")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise NetworksConfigError(f"{where} must be a number, got {value!r}")
    if key in _INTS and not isinstance(value, int):
        raise NetworksConfigError(f"{where} must be a whole number, got {value!r}")
    lo, hi = _RANGES.get(key, (0, None))
    if key == "page_size":
        lo, hi = 0, MAX_PAGE_SIZE[network]
    if key == "follower_page_size":
        lo, hi = 0, MAX_FOLLOWER_PAGE_SIZE[network]
    if value < lo or (hi is not None and value > hi):
        bounds = f"between {lo} and {hi}" if hi is not None else f"at least {lo}"
        raise NetworksConfigError(f"{where} must be {bounds}, got {value!r}")


def _section(path: Path, network: str, node: yaml.Node) -> NetworkConfig:
    if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
        return NetworkConfig()
    if not isinstance(node, yaml.MappingNode):
        line = node.start_mark.line + 1
        raise NetworksConfigError(f"{path}:{line}: {network} must be a mapping of setting: value")
    known = {f.name for f in fields(NetworkConfig)}
    values: dict[str, object] = {}
    for key_node, value_node in node.value:
        key, line = key_node.value, key_node.start_mark.line + 1
        if key not in known:
            raise NetworksConfigError(
                f"{path}:{line}: unknown setting {network}.{key} "
                f"(known: {', '.join(sorted(known))})"
            )
        if key in values:
            raise NetworksConfigError(f"{path}:{line}: {network}.{key} is set twice")
        value = yaml.safe_load(yaml.serialize(value_node))
        _check(f"{path}:{line}: {network}.{key}", network, key, value)
        values[key] = value
    return NetworkConfig(**values)


def load_network_config(network: str, path: Path | None = None) -> NetworkConfig:
    """The settings of `network` (bluesky | mastodon)."""
    assert network in NETWORKS, network
    path = path or config_path()
    if not path.exists():
        return NetworkConfig()
    try:
        # compose, not load: the nodes keep their line numbers for error messages
        root = yaml.compose(path.read_text())
    except yaml.YAMLError as exc:
        raise NetworksConfigError(f"{path}: not valid YAML: {exc}") from exc
    if root is None:
        return NetworkConfig()
    if not isinstance(root, yaml.MappingNode):
        raise NetworksConfigError(f"{path}:1: expected sections bluesky: and mastodon:")
    found: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        line = key_node.start_mark.line + 1
        if key_node.value not in NETWORKS:
            raise NetworksConfigError(
                f"{path}:{line}: unknown section {key_node.value!r} (known: bluesky, mastodon)"
            )
        if key_node.value in found:
            raise NetworksConfigError(f"{path}:{line}: section {key_node.value} is set twice")
        found[key_node.value] = value_node
    return _section(path, network, found[network]) if network in found else NetworkConfig()
