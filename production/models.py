"""Production tracking models (issue: production tracker)."""
