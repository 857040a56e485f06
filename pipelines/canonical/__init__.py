"""The canonical layer: raw landing, canonical tables, loading, imports, rebuilds."""
