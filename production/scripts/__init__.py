"""Script parts and their versions: one script part per lecture, reviewed until approved."""
