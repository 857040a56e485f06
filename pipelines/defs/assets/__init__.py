"""The assets: ingest (audits config, canonical tables), x_ingest (live X API),
network_ingest (live Bluesky and Mastodon),
dbt_models (every dbt model; built by a cached factory), reports (client audits)."""
