"""`rapport bench`: the scale benchmark. pipelines/bench is development tooling (it
needs pandas, the `bench` extra), imported only here, when the command runs."""

from __future__ import annotations

import argparse
import sys

from pipelines.config.settings import Settings


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    if args.demo_build:
        return demo_build(args, settings)
    from pipelines.bench.run import BenchFailed, parse_size, run

    sizes = [parse_size(s) for s in args.sizes.split(",") if s.strip()]
    root = args.dir or settings.warehouse_path.parent / "bench"
    try:
        run(
            sizes,
            root.resolve(),
            seed=args.seed,
            keep=args.keep,
            memory_limit=args.memory_limit,
            pandas_max=parse_size(args.pandas_max),
            resume=args.resume,
        )
    except BenchFailed as exc:
        print(f"rapport bench: {exc}", file=sys.stderr)
        print(
            "rapport bench: the size's data and warehouse are kept; once the data is loaded, "
            "`--resume` starts again after the load",
            file=sys.stderr,
        )
        return 1
    return 0


def demo_build(args: argparse.Namespace, settings: Settings) -> int:
    import shutil

    from pipelines.bench.demo_build import DemoBuildFailed, run

    root = (args.dir or settings.warehouse_path.parent / "bench") / "demo-build"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    try:
        run(root.resolve(), runs=args.runs)
    except DemoBuildFailed as exc:
        print(f"rapport bench --demo-build: {exc}", file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    return 0
