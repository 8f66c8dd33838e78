"""imgix's origin cache: the master images renders start from (state and rules, no I/O).

Seed 004: imgix notices a changed origin image through "the automated refresh process
imgix uses (which can take 24-48 hours)", or sooner when it is refreshed or purged. So a
master is kept and every render (a new derivative too) starts from it, until:

- its automatic refresh, ``refresh_seconds`` plus a seeded jitter of up to
  ``jitter_seconds`` after it was fetched (24 h + up to 24 h by default): the refresher
  refetches it, and purges its derivatives when its ETag changed;
- a purge or an asset refresh of it (or an upload over it);
- the end of its derivatives' lifetime (the source's cache TTL behaviour): a derivative
  that expired at the edge is rendered from a master fetched again;
- eviction, least recently used first, once the cache holds ``max_bytes``.

The jitter is drawn from the seed, the source, the path and the fetch time: one seed and
the manual clock give one schedule.
"""

from __future__ import annotations

import random
from collections import OrderedDict
from dataclasses import dataclass, replace

from vendors.imgix.buckets import Original

DAY = 86400.0
DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Master:
    source_id: str
    path: str  # decoded, with its leading '/'
    location: str  # the path as the source's origin is asked for it (percent-encoded)
    original: Original
    etag: str
    fetched_at: float
    expires_at: float  # when its derivatives' lifetime ends
    refresh_at: float | None  # None: no automatic refresh

    @property
    def size(self) -> int:
        return len(self.original.body)


class Masters:
    def __init__(
        self,
        *,
        refresh_seconds: float = DAY,
        jitter_seconds: float = DAY,
        max_bytes: int = DEFAULT_MAX_BYTES,
        seed: int | None = None,
    ) -> None:
        self.refresh_seconds, self.jitter_seconds = refresh_seconds, jitter_seconds
        self.max_bytes, self.seed = max_bytes, seed
        self._by_key: OrderedDict[tuple[str, str], Master] = OrderedDict()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._by_key)

    def get(self, source_id: str, path: str, now: float) -> Master | None:
        """The master renders use now, if one is kept (and its lifetime has not ended)."""
        master = self._by_key.get((source_id, path))
        if master is None:
            return None
        if now >= master.expires_at:
            self.drop(source_id, path)
            return None
        self._by_key.move_to_end((source_id, path))
        return master

    def put(
        self,
        source_id: str,
        path: str,
        location: str,
        original: Original,
        etag: str,
        now: float,
        keep_for: float,
    ) -> Master | None:
        """Keep ``original`` for ``keep_for`` seconds at most (nothing when ≤ 0 or larger
        than the whole cache), with its refresh drawn for this fetch."""
        self.drop(source_id, path)
        if keep_for <= 0 or len(original.body) > self.max_bytes:
            return None
        refresh_at = self.refresh_time(source_id, path, now)
        master = Master(source_id, path, location, original, etag, now, now + keep_for, refresh_at)
        self._by_key[(source_id, path)] = master
        self.bytes += master.size
        while self.bytes > self.max_bytes:
            _, evicted = self._by_key.popitem(last=False)
            self.bytes -= evicted.size
        return master

    def refresh_time(self, source_id: str, path: str, fetched_at: float) -> float | None:
        """When the automatic refresh looks at a master fetched at ``fetched_at``."""
        if self.refresh_seconds <= 0:
            return None
        if self.seed is None:
            draw = random.SystemRandom().random()
        else:
            draw = random.Random(f"{self.seed}:refresh:{source_id}:{path}:{fetched_at!r}").random()
        return fetched_at + self.refresh_seconds + draw * self.jitter_seconds

    def drop(self, source_id: str, path: str) -> bool:
        master = self._by_key.pop((source_id, path), None)
        if master is not None:
            self.bytes -= master.size
        return master is not None

    def due(self, now: float) -> list[Master]:
        """Masters whose refresh time has come, soonest first (those whose lifetime ended
        first are dropped: their next render fetches them anyway)."""
        out = []
        for key, master in list(self._by_key.items()):
            if now >= master.expires_at:
                self.drop(*key)
            elif master.refresh_at is not None and master.refresh_at <= now:
                out.append(master)
        return sorted(out, key=lambda m: (m.refresh_at, m.source_id, m.path))

    def next_refresh(self) -> float | None:
        times = [m.refresh_at for m in self._by_key.values() if m.refresh_at is not None]
        return min(times, default=None)

    def renew(self, master: Master, now: float) -> None:
        """Look again at ``master`` one refresh from now (its origin could not be read)."""
        if self._by_key.get((master.source_id, master.path)) is master:
            self._by_key[(master.source_id, master.path)] = replace(
                master, refresh_at=self.refresh_time(master.source_id, master.path, now)
            )
