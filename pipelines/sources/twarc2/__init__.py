"""X API v2 response pages (twarc2 output): files and pages (parse), objects to rows (objects)."""
