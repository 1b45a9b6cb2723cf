"""The producer's pages that span the wings: the studio home, a production's board, its history and
post-production, and the call sheet. Nothing else in ``production`` imports this package (the URL
conf excepted): it is the top of the house; the outbox and the speakers never import it."""
