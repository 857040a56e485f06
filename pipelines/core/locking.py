"""One writer at a time. DuckDB allows a single writing process per file, so every
command or asset that writes the warehouse holds this lock for as long as it writes.
The queued run coordinator already serialises Dagster runs; the lock also covers a
`rapport` command started while a run is going."""

from __future__ import annotations

import fcntl
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_held: dict[Path, tuple[int, object]] = {}  # re-entrant within one process


@contextmanager
def warehouse_write_lock(warehouse_path: Path, wait_seconds: float = 600) -> Iterator[None]:
    lock_path = warehouse_path.with_name(warehouse_path.name + ".lock")
    if lock_path in _held:
        depth, handle = _held[lock_path]
        _held[lock_path] = (depth + 1, handle)
        try:
            yield
        finally:
            _held[lock_path] = (_held[lock_path][0] - 1, handle)
        return

    lock_path.parent.mkdir(parents=True, exist_ok=True)
    handle = lock_path.open("a")
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                handle.close()
                raise TimeoutError(
                    f"another run has been writing {warehouse_path} for over "
                    f"{wait_seconds:.0f}s; try again when it has finished"
                ) from None
            if not told:
                print(f"waiting: another run is writing {warehouse_path}", file=sys.stderr)
                told = True
            time.sleep(0.5)
    _held[lock_path] = (1, handle)
    try:
        yield
    finally:
        del _held[lock_path]
        fcntl.flock(handle, fcntl.LOCK_UN)
        handle.close()
