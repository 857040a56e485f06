"""Run one benchmark stage as a child process and measure it: wall time and peak memory
of the whole process tree (dbt, for one, runs as a subprocess of the Dagster run).

Peak memory is the larger of two readings: the sum of VmRSS over the child and all its
descendants, sampled every 50 ms, and getrusage(RUSAGE_CHILDREN).ru_maxrss (the kernel's
exact peak of the largest single process). Each stage gets a fresh measuring process,
because RUSAGE_CHILDREN keeps the maximum over every child a process ever waited for.

    python -m pipelines.bench.measure OUT.json -- COMMAND [ARGS...]
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the command name may hold spaces or ')': the ppid follows the last ')'
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_kb(root: int) -> int:
    tree, total, stack = _children(), 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(pid, []))
    return total


def main(argv: list[str]) -> int:
    out, sep, *command = argv
    if sep != "--" or not command:
        print(__doc__, file=sys.stderr)
        return 2
    started = time.perf_counter()
    child = subprocess.Popen(command)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss_kb(child.pid))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # kB on Linux
    Path(out).write_text(
        json.dumps(
            {
                "returncode": child.returncode,
                "wall_s": wall,
                "peak_rss_kb": max(peak, maxrss),
                "tree_rss_sampled_kb": peak,
                "max_single_process_rss_kb": maxrss,
            }
        )
    )
    return child.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
