"""The clients of audits.yaml, read once per process when the definitions are built
(not at import): each becomes a partition of the audit assets and gets its own
schedule. A malformed file stops the code location from loading, with the file, line
and reason, before any run starts. Adding a client therefore takes a reload of the
code location (static partitions)."""

from __future__ import annotations

import functools

import dagster as dg

from pipelines.config.audits import ClientAudit, load_clients
from pipelines.config.settings import load_settings


@functools.cache
def configured_clients() -> tuple[ClientAudit, ...]:
    path = load_settings().audits_path
    # No file: no audits to schedule; the ingest assets say how to create it.
    return tuple(load_clients(path)) if path.exists() else ()


@functools.cache
def client_partitions() -> dg.StaticPartitionsDefinition:
    return dg.StaticPartitionsDefinition([c.name for c in configured_clients()])
