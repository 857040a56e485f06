"""`python -m pipelines.cli ...`, as the tests and bench run it."""

import sys

from pipelines.cli import main

sys.exit(main())
