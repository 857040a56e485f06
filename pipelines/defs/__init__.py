"""Dagster only: assets, checks, jobs, schedules, partitions, resources, the dbt
project factory, the code location assembled once (location.py) and the one launcher
the CLI runs selections through (launcher.py). Library code never imports this."""
