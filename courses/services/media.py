"""Media services: uploads, probing, transcoding, captions."""
