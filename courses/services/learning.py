"""Learning services: enrollment, progress, completion, certificates."""
