"""Live X ingest through the X API v2 (tweepy): a typed client with retries and
rate-limit handling, per-run cost accounting, and the since_id bookkeeping that makes
every run incremental and resumable. `ingest.py` ties them together; the Dagster assets
(pipelines/defs/assets/x_ingest.py) and `rapport ingest x` both call it."""
