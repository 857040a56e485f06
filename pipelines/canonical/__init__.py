"""The canonical layer: canonical tables, loading, imports (land, parse, load, replay),
rebuilds, the analyst copy."""
