"""``python -m pipelines.sources.demo OUT_DIR [SEED]``: write the demo files by hand."""

import sys
from pathlib import Path

from . import DEFAULT_SEED, generate

if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("demo_world")
    files = generate(target, seed=int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED)
    print(f"wrote {len(files)} files to {target}")
