"""The Dagster code location: `dagster dev -m pipelines.definitions`. Everything it
holds is assembled in pipelines/defs/location.py."""

from pipelines.core.secrets import install_output_scrubbing
from pipelines.defs.location import build_definitions

# The webserver, daemon and code server load this module: from then on nothing they
# print or log holds a configured secret.
install_output_scrubbing()

defs = build_definitions()
