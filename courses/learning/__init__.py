"""Learning: enrollment, the learner pages, the heartbeat buffer and its lean ingest (``progress``,
``beacon``), completion, certificates and learner emails."""
