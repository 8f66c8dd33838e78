"""What viewers ask for: a catalogue of image URLs ranked by a Zipf popularity.

Pure and dependency-free, so that the locustfiles (which run under gevent) can import it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

DEFAULT_LOCATIONS = ("main", "thumb", "portal-cover", "square")  # what `cdnsim up --demo` seeds
DEFAULT_WIDTHS = (0, 160, 320, 640)  # 0: the location's own size


@dataclass(frozen=True)
class Variant:
    pack: str
    location: str
    width: int  # 0: no width parameter

    @property
    def path(self) -> str:
        query = {"location": self.location, **({"width": str(self.width)} if self.width else {})}
        return f"/api/v2/img/{self.pack}?{urlencode(query)}"


def catalogue(
    packs: Sequence[str], locations: Sequence[str], widths: Sequence[int], seed: int
) -> list[Variant]:
    """Every pack × location × width, in a seeded order that is their popularity rank
    (so that the most popular item is not always the first pack's first location)."""
    items = [Variant(p, loc, w) for p, loc, w in itertools.product(packs, locations, widths)]
    random.Random(seed).shuffle(items)
    return items


def zipf_cumulative_weights(count: int, exponent: float) -> list[float]:
    """Cumulative weights of ranks 1…count under Zipf's law: weight(r) = 1 / r**exponent.
    Exponent 0 is uniform; 1.0 is the classic web-object popularity."""
    if count < 1:
        raise ValueError("the catalogue is empty")
    if exponent < 0:
        raise ValueError("the Zipf exponent must be ≥ 0")
    return list(itertools.accumulate(1.0 / rank**exponent for rank in range(1, count + 1)))


def share_of_top(count: int, exponent: float, top: int) -> float:
    """The share of requests that go to the ``top`` most popular items."""
    weights = zipf_cumulative_weights(count, exponent)
    return weights[min(top, count) - 1] / weights[-1]


class Viewer:
    """One simulated viewer's choices: a seeded stream of variants drawn by popularity."""

    def __init__(self, items: Sequence[Variant], exponent: float, seed: int) -> None:
        self._items = list(items)
        self._cumulative = zipf_cumulative_weights(len(self._items), exponent)
        self._random = random.Random(seed)

    def next(self) -> Variant:
        return self._random.choices(self._items, cum_weights=self._cumulative)[0]
