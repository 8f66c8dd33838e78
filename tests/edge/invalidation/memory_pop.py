"""A PurgeTarget for tests: an in-memory cache of URI → body that really drops what the
invalidation paths cover (it implements the protocol; it does not imitate a POP's HTTP)."""

from __future__ import annotations

from collections.abc import Sequence

from edge.invalidation.paths import path_matches

URIS = ("/img/a.jpg", "/img/a.jpg?w=10", "/img/b.jpg", "/other/c.jpg")


class MemoryPop:
    def __init__(self, pop_id: str, uris: Sequence[str] = URIS) -> None:
        self.pop_id = pop_id
        self.entries = {uri: b"cached" for uri in uris}
        self.online = True

    async def purge(self, patterns: Sequence[str]) -> int:
        if not self.online:
            raise ConnectionError(f"{self.pop_id} is unreachable")
        doomed = [uri for uri in self.entries if any(path_matches(p, uri) for p in patterns)]
        for uri in doomed:
            del self.entries[uri]
        return len(doomed)
