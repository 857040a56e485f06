"""An account's own X "download your data" archive."""
