"""Settings, the audits config: what every layer reads."""
