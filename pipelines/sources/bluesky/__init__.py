"""Bluesky (AT Protocol AppView JSON) saved responses."""
