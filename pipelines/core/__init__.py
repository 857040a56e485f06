"""Secrets scrubbing and the single-writer lock: the lowest layer, no pipeline imports."""
