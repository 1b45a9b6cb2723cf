"""Scheduling: recording sessions and pre-talks, holds and postponement, crew, attendance, events."""
