"""TWCS customer-support CSVs: row parser (parse) and the bulk DuckDB loader (bulk)."""
