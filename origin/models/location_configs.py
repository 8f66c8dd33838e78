"""Placeholder: being written."""
class LocationConfigBackend:
    def __init__(self, storage, clock, events):  # type: ignore[no-untyped-def]
        pass
