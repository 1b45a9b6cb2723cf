"""Producer pages that span wings (the outbox and the speakers never import this package)."""
