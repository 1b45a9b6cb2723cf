"""Write services of the courses app, one module per area: catalog.py (presenters), media.py
(uploads, probing, transcoding, captions) and learning.py (enrollment, progress, completion,
certificates)."""
