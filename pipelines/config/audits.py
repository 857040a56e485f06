"""audits.yaml: which accounts are audited, for which client, and how each client's
audit runs (period, schedule, time zone, finding thresholds). A malformed file is
refused with its line and the reason before anything runs."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import duckdb
import yaml

from pipelines.config.report_thresholds import THRESHOLD_DOCS, Thresholds, check_threshold

PLATFORMS = {"x", "twcs", "bluesky", "mastodon"}
_DOMAIN = r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z][A-Za-z0-9-]{0,62}"
HANDLE_RULES = {
    "x": re.compile(r"[A-Za-z0-9_]{1,15}"),
    "twcs": re.compile(r"[A-Za-z0-9_]{1,50}"),
    # A Bluesky handle is a domain name (atproto.com/specs/handle), or the account's DID
    # (atproto.com/specs/did: did:plc or did:web), which survives a change of handle.
    "bluesky": re.compile(rf"{_DOMAIN}|did:plc:[a-z2-7]{{24}}|did:web:{_DOMAIN}"),
    # A Mastodon account is only unique with its instance: user@instance.social. The
    # ingest needs the instance to know which server to ask.
    "mastodon": re.compile(rf"[A-Za-z0-9_]{{1,30}}@{_DOMAIN}"),
}
HANDLE_HINTS = {
    "x": "1-15 letters, digits or '_'",
    "twcs": "1-50 letters, digits or '_'",
    "bluesky": "a domain such as example.com or name.bsky.social, or a DID (did:plc:...)",
    "mastodon": "user@instance, e.g. brand@mastodon.social",
}
# A brand's name groups its accounts on several networks into one row of the report.
BRAND_NAME = re.compile(r"[^\x00-\x1f\x7f]{1,80}")
ROLES = {"brands": "brand", "competitors": "competitor"}
# The client name becomes a folder (warehouse/reports/NAME/), a Dagster partition key and
# part of a schedule name, so it is kept to what all three accept.
CLIENT_NAME = re.compile(r"^[A-Za-z0-9_]{1,64}$")
CLIENT_KEYS = {"name", "brands", "competitors", "timezone", "period_days", "schedule"}
CLIENT_KEYS |= {"thresholds", "recipients"}
# A plain rule, not RFC 5322: one local part without spaces, commas or brackets, '@',
# a domain name. Enough to catch typos and lists pasted as one string.
EMAIL_ADDRESS = re.compile(rf"[^@\s,;<>()\[\]\\\"]{{1,64}}@{_DOMAIN}")
DEFAULT_TIMEZONE = "UTC"
DEFAULT_PERIOD_DAYS = 28
DEFAULT_SCHEDULE = "0 6 * * 1"  # weekly, Monday 06:00 in the client's time zone


class AuditConfigError(ValueError):
    pass


@dataclass(frozen=True)
class AuditedAccount:
    client: str
    role: str  # brand | competitor
    platform: str
    handle: str
    # The brand's name (audits.yaml `name:`, else the handle): accounts of one client and
    # role with the same name are one brand, shown per network and in total.
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.handle)


@dataclass(frozen=True)
class ClientAudit:
    """One client's audit: its accounts and how and when its report is made."""

    name: str
    accounts: tuple[AuditedAccount, ...]
    timezone: str = DEFAULT_TIMEZONE
    period_days: int = DEFAULT_PERIOD_DAYS
    schedule: str = DEFAULT_SCHEDULE
    thresholds: Thresholds = Thresholds()
    # who the scheduled audit (and `rapport report --email`) is mailed to
    recipients: tuple[str, ...] = ()

    def handles(self, role: str) -> list[str]:
        return [a.handle for a in self.accounts if a.role == role]


class _LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line number so errors can point at it."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict:
    lines: dict[object, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in lines:  # plain PyYAML keeps the last value silently
            raise yaml.constructor.ConstructorError(
                None, None, f"duplicate key {key!r}", key_node.start_mark
            )
        lines[key] = key_node.start_mark.line + 1
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = lines
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _check_keys(where: str, mapping: dict, allowed: set[str], required: set[str]) -> None:
    keys = set(mapping) - {"__line__", "__lines__"}
    line = mapping.get("__line__", "?")
    if unknown := keys - allowed:
        raise AuditConfigError(f"{where}:{line}: unknown key(s) {', '.join(sorted(unknown))}")
    if missing := required - keys:
        raise AuditConfigError(f"{where}:{line}: missing key(s) {', '.join(sorted(missing))}")


def load_audits(path: Path) -> list[AuditedAccount]:
    """Every audited account of every client, in file order."""
    return [a for client in load_clients(path) for a in client.accounts]


def load_clients(path: Path) -> list[ClientAudit]:
    if not path.exists():
        raise AuditConfigError(f"{path}: no such file (set RAPPORT_AUDITS or create it)")
    try:
        doc = yaml.load(path.read_text(), Loader=_LineLoader)  # noqa: S506 (safe loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise AuditConfigError(f"{where}: not valid YAML: {exc.problem or exc}") from exc
    except yaml.YAMLError as exc:
        raise AuditConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(doc, dict):
        raise AuditConfigError(f"{path}:1: expected a mapping with a 'clients' list")
    _check_keys(str(path), doc, {"clients"}, {"clients"})
    if not isinstance(doc["clients"], list):
        raise AuditConfigError(f"{path}:{doc['__line__']}: 'clients' must be a list")
    clients: list[ClientAudit] = []
    names: dict[str, int] = {}
    for client in doc["clients"]:
        if not isinstance(client, dict):
            raise AuditConfigError(f"{path}: each client must be a mapping with a name")
        _check_keys(str(path), client, CLIENT_KEYS, {"name", "brands"})
        name = str(client["name"])
        line = client["__lines__"]["name"]
        if not CLIENT_NAME.fullmatch(name):
            raise AuditConfigError(
                f"{path}:{line}: client name {name!r} may use only letters, digits and '_' "
                "(it names the report folder, the Dagster partition and the schedule)"
            )
        if name in names:
            raise AuditConfigError(
                f"{path}:{line}: client {name} is listed twice (first on line {names[name]})"
            )
        names[name] = line
        accounts = _parse_accounts(path, client, name)
        clients.append(_parse_audit_settings(path, client, ClientAudit(name, accounts)))
    return clients


def _parse_accounts(path: Path, client: dict, name: str) -> tuple[AuditedAccount, ...]:
    accounts: list[AuditedAccount] = []
    seen: dict[tuple[str, str], int] = {}
    for key, role in ROLES.items():
        for entry in client.get(key) or []:
            if not isinstance(entry, dict):
                raise AuditConfigError(
                    f"{path}:{client['__line__']}: {name}.{key} entries must be "
                    "{platform: ..., handle: ...}"
                )
            _check_keys(str(path), entry, {"platform", "handle", "name"}, {"platform", "handle"})
            line = entry["__line__"]
            platform = str(entry["platform"]).lower()
            handle = str(entry["handle"]).lstrip("@")
            brand = str(entry.get("name") or "").strip()
            if "name" in entry and not BRAND_NAME.fullmatch(brand):
                raise AuditConfigError(
                    f"{path}:{line}: name {entry['name']!r} must be 1-80 characters of text "
                    "(no control characters)"
                )
            if platform not in PLATFORMS:
                raise AuditConfigError(
                    f"{path}:{line}: unknown platform {platform!r} "
                    f"(one of {', '.join(sorted(PLATFORMS))})"
                )
            if not HANDLE_RULES[platform].fullmatch(handle):
                raise AuditConfigError(
                    f"{path}:{line}: {handle!r} is not a valid {platform} handle "
                    f"({HANDLE_HINTS[platform]})"
                )
            k = (platform, handle.lower())
            if k in seen:
                raise AuditConfigError(
                    f"{path}:{line}: {platform} account {handle} is listed twice for "
                    f"client {name} (first on line {seen[k]})"
                )
            seen[k] = line
            accounts.append(AuditedAccount(name, role, platform, handle, brand))
    return tuple(accounts)


def _parse_audit_settings(path: Path, client: dict, audit: ClientAudit) -> ClientAudit:
    """The optional per-client keys: timezone, period_days, schedule, thresholds,
    recipients."""
    lines = client["__lines__"]
    changes: dict[str, object] = {}
    if "timezone" in client:
        tz = client["timezone"]
        try:
            ZoneInfo(str(tz))
        except (ZoneInfoNotFoundError, ValueError):
            raise AuditConfigError(
                f"{path}:{lines['timezone']}: timezone {tz!r} is not an IANA time zone "
                "(e.g. Europe/Berlin, America/New_York, UTC)"
            ) from None
        changes["timezone"] = str(tz)
    if "period_days" in client:
        days = client["period_days"]
        if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 366:
            raise AuditConfigError(
                f"{path}:{lines['period_days']}: period_days must be a whole number of days "
                f"from 1 to 366, not {days!r}"
            )
        changes["period_days"] = days
    if "schedule" in client:
        # Dagster's own test (it runs the schedule); imported here because importing
        # dagster costs a second that `rapport sql` should not pay.
        from dagster._utils.schedules import is_valid_cron_string

        cron = client["schedule"]
        if not isinstance(cron, str) or not is_valid_cron_string(cron):
            raise AuditConfigError(
                f"{path}:{lines['schedule']}: schedule {cron!r} is not a valid cron "
                "expression (five fields: minute hour day-of-month month day-of-week, "
                "e.g. '0 6 * * 1' for Mondays at 06:00)"
            )
        changes["schedule"] = cron
    if "thresholds" in client:
        changes["thresholds"] = _parse_thresholds(path, client["thresholds"], lines["thresholds"])
    if "recipients" in client:
        changes["recipients"] = _parse_recipients(path, client["recipients"], lines["recipients"])
    return replace(audit, **changes)


def _parse_recipients(path: Path, given: object, line: int) -> tuple[str, ...]:
    if not isinstance(given, list):
        raise AuditConfigError(
            f"{path}:{line}: recipients must be a list of email addresses, "
            "e.g. [audit@client.example]"
        )
    out: list[str] = []
    for address in given:
        if not isinstance(address, str) or not EMAIL_ADDRESS.fullmatch(address.strip()):
            raise AuditConfigError(
                f"{path}:{line}: recipient {address!r} is not an email address "
                "(name@domain.example, one per list item)"
            )
        if address.strip().lower() in (a.lower() for a in out):
            raise AuditConfigError(f"{path}:{line}: recipient {address} is listed twice")
        out.append(address.strip())
    return tuple(out)


def _parse_thresholds(path: Path, given: object, line: int) -> Thresholds:
    if not isinstance(given, dict):
        raise AuditConfigError(f"{path}:{line}: thresholds must be a mapping of name: number")
    _check_keys(str(path), given, set(THRESHOLD_DOCS), set())
    values = {}
    for name, value in given.items():
        if name.startswith("__"):
            continue
        if problem := check_threshold(name, value):
            raise AuditConfigError(f"{path}:{given['__lines__'][name]}: {problem}")
        values[name] = value if THRESHOLD_DOCS[name][0] == "count" else float(value)
    return Thresholds(**values)


def sync_audited_accounts(con: duckdb.DuckDBPyConnection, accounts: list[AuditedAccount]) -> int:
    """Replace config.audited_accounts with the file's contents, in one transaction."""
    con.execute("BEGIN TRANSACTION")
    con.execute("DELETE FROM config.audited_accounts")
    if accounts:  # executemany refuses an empty list; an empty config is valid
        con.executemany(
            "INSERT INTO config.audited_accounts (client, role, platform, handle, name) "
            "VALUES (?, ?, ?, ?, ?)",
            [[a.client, a.role, a.platform, a.handle, a.name] for a in accounts],
        )
    con.execute("COMMIT")
    return len(accounts)


class UnknownClient(ValueError):
    pass


def find_client(path: Path, name: str) -> ClientAudit:
    """The client `name` of the audits file at `path`, or UnknownClient naming the others."""
    clients = load_clients(path)
    for client in clients:
        if client.name == name:
            return client
    known = ", ".join(c.name for c in clients) or "none"
    raise UnknownClient(f"{path}: no client {name!r} (clients: {known})")
