"""Mastodon (REST API JSON) saved responses."""
