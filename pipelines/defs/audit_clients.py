"""The clients of audits.yaml, read once when the code location loads: each becomes a
partition of the audit assets and gets its own schedule. A malformed file stops the
code location from loading, with the file, line and reason, before any run starts.
Adding a client therefore takes a reload of the code location (static partitions)."""

from __future__ import annotations

import dagster as dg

from pipelines.audits import ClientAudit, load_clients
from pipelines.settings import load_settings


def configured_clients() -> list[ClientAudit]:
    path = load_settings().audits_path
    # No file: no audits to schedule; the ingest assets say how to create it.
    return load_clients(path) if path.exists() else []


CLIENTS: list[ClientAudit] = configured_clients()
client_partitions = dg.StaticPartitionsDefinition([c.name for c in CLIENTS])
