"""The analyst copy: after a successful build or check, the warehouse is copied to a
read-only analyst file, atomically. Analysts' clients hold locks on that copy, never
on the file the pipeline writes."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.canonical import rebuild as rebuilds
from pipelines.canonical.tables import connect
from pipelines.config.settings import Settings
from pipelines.core.locking import warehouse_write_lock


def publish_analyst_copy(settings: Settings) -> Path:
    """Copy the warehouse to the analyst file. Refused while a rebuild is unfinished:
    analysts keep the last whole warehouse."""
    with warehouse_write_lock(settings.warehouse_path):
        con = connect(settings.warehouse_path)
        try:
            rebuilds.refuse_if_unfinished(con)
            con.execute("CHECKPOINT")
        finally:
            con.close()
        return _copy(settings)


def _copy(settings: Settings) -> Path:
    target = settings.analyst_copy_path
    tmp = target.with_suffix(".tmp")
    shutil.copyfile(settings.warehouse_path, tmp)
    tmp.replace(target)
    return target
