"""Placeholder: being written."""
class RegionBackend:
    def __init__(self, storage, clock, events):  # type: ignore[no-untyped-def]
        pass
