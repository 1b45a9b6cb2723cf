"""Media: uploads, hardened probing, single-pass transcoding, captions (services, tasks, studio views)
and learners' signed media URLs (``access``)."""
