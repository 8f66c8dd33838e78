"""Placeholder: being written."""
class OriginalsBackend:
    def __init__(self, settings, storage, clock, events, ids, packs):  # type: ignore[no-untyped-def]
        pass
