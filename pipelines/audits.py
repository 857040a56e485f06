"""audits.yaml: which accounts are audited, for which client. A malformed file is
refused with its line and the reason before anything runs."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import yaml

PLATFORMS = {"x", "twcs", "bluesky", "mastodon"}
HANDLE_RULES = {
    "x": re.compile(r"^[A-Za-z0-9_]{1,15}$"),
    "twcs": re.compile(r"^[A-Za-z0-9_]{1,50}$"),
    "bluesky": re.compile(r"^[A-Za-z0-9.-]{3,253}$"),
    "mastodon": re.compile(r"^[A-Za-z0-9_]+(@[A-Za-z0-9.-]+)?$"),
}
ROLES = {"brands": "brand", "competitors": "competitor"}


class AuditConfigError(ValueError):
    pass


@dataclass(frozen=True)
class AuditedAccount:
    client: str
    role: str  # brand | competitor
    platform: str
    handle: str


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number so errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_keys(where: str, mapping: dict, allowed: set[str], required: set[str]) -> None:
    keys = set(mapping) - {"__line__"}
    line = mapping.get("__line__", "?")
    if unknown := keys - allowed:
        raise AuditConfigError(f"{where}:{line}: unknown key(s) {', '.join(sorted(unknown))}")
    if missing := required - keys:
        raise AuditConfigError(f"{where}:{line}: missing key(s) {', '.join(sorted(missing))}")


def load_audits(path: Path) -> list[AuditedAccount]:
    if not path.exists():
        raise AuditConfigError(f"{path}: no such file (set RAPPORT_AUDITS or create it)")
    try:
        doc = yaml.load(path.read_text(), Loader=_LineLoader)  # noqa: S506 (safe loader)
    except yaml.YAMLError as exc:
        raise AuditConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise AuditConfigError(f"{path}:1: expected a mapping with a 'clients' list")
    _check_keys(str(path), doc, {"clients"}, {"clients"})
    if not isinstance(doc["clients"], list):
        raise AuditConfigError(f"{path}:{doc['__line__']}: 'clients' must be a list")
    accounts: list[AuditedAccount] = []
    seen: dict[tuple[str, str, str], int] = {}
    for client in doc["clients"]:
        if not isinstance(client, dict):
            raise AuditConfigError(f"{path}: each client must be a mapping with a name")
        _check_keys(str(path), client, {"name", "brands", "competitors"}, {"name", "brands"})
        name = str(client["name"])
        for key, role in ROLES.items():
            for entry in client.get(key) or []:
                if not isinstance(entry, dict):
                    raise AuditConfigError(
                        f"{path}:{client['__line__']}: {name}.{key} entries must be "
                        "{platform: ..., handle: ...}"
                    )
                _check_keys(str(path), entry, {"platform", "handle"}, {"platform", "handle"})
                line = entry["__line__"]
                platform = str(entry["platform"]).lower()
                handle = str(entry["handle"]).lstrip("@")
                if platform not in PLATFORMS:
                    raise AuditConfigError(
                        f"{path}:{line}: unknown platform {platform!r} "
                        f"(one of {', '.join(sorted(PLATFORMS))})"
                    )
                if not HANDLE_RULES[platform].match(handle):
                    raise AuditConfigError(
                        f"{path}:{line}: {handle!r} is not a valid {platform} handle"
                    )
                k = (name, platform, handle.lower())
                if k in seen:
                    raise AuditConfigError(
                        f"{path}:{line}: {platform} account {handle} is listed twice for "
                        f"client {name} (first on line {seen[k]})"
                    )
                seen[k] = line
                accounts.append(AuditedAccount(name, role, platform, handle))
    return accounts


def sync_audited_accounts(con: duckdb.DuckDBPyConnection, accounts: list[AuditedAccount]) -> int:
    """Replace config.audited_accounts with the file's contents, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM config.audited_accounts")
    con.executemany(
        "INSERT INTO config.audited_accounts VALUES (?, ?, ?, ?)",
        [[a.client, a.role, a.platform, a.handle] for a in accounts],
    )
    con.execute("COMMIT")
    return len(accounts)
