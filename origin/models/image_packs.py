"""Placeholder: being written."""
class PackBackend:
    def __init__(self, storage, clock, events, ids):  # type: ignore[no-untyped-def]
        pass
