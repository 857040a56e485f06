"""The X API client as a Dagster resource. The token is configured with
``dg.EnvVar("X_BEARER_TOKEN")``: Dagster stores the variable's name in run config and
resolves its value only inside the run, so the token never reaches run storage."""

from __future__ import annotations

import os

import dagster as dg

from pipelines.sources.x_api.config import DEFAULT_API_URL, api_url

TOKEN_ENV = "X_BEARER_TOKEN"


class XApiResource(dg.ConfigurableResource):
    """Where and as whom to read the X API v2. No token: the live ingest is skipped."""

    bearer_token: str | None = None
    api_url: str = DEFAULT_API_URL


def x_api_resource() -> XApiResource:
    # A machine without the variable still loads the definitions and runs the daily job
    # (the ingest assets log that they skipped); an EnvVar of an unset variable would
    # fail every run instead. Set the variable, then reload the code location.
    token = dg.EnvVar(TOKEN_ENV) if os.environ.get(TOKEN_ENV) else None
    return XApiResource(bearer_token=token, api_url=api_url())
