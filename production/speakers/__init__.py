"""Speakers: the shared directory (team-safe, ADR 0013), their personal links and the no-login
portal where they answer, read their script part and download their calendar."""
