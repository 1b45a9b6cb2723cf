"""Production models, one module per area: ``tracking.py`` (productions, speakers, script parts,
pre-talks, recording sessions, history) and ``outbox.py`` (reminders, email log)."""
