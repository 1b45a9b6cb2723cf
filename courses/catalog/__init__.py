"""Catalog: the public course list, a published course's outline and a lecture's shared part, and
the cache that builds them once per catalog version (``cache``)."""
