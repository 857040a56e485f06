"""``python -m pipelines.sources.demo OUT_DIR [SEED]``: write the demo files by hand, laid
out as an inbox (``OUT_DIR/<source>/demo``, see ``inbox``): point RAPPORT_INBOX at it."""

import sys
from pathlib import Path

from . import DEFAULT_ANCHOR, DEFAULT_DAYS, DEFAULT_SEED, write_inbox

if __name__ == "__main__":  # pragma: no cover
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("demo_world")
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else DEFAULT_SEED
    files = write_inbox(target, seed, DEFAULT_ANCHOR, DEFAULT_DAYS)
    for source in dict.fromkeys(f.source for f in files):
        count = sum(1 for f in files if f.source == source)
        print(f"wrote {count} {source} files to {target / source / 'demo'}")
