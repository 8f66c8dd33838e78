"""Ids from one seedable generator, so that a seeded run repeats exactly."""

from __future__ import annotations

import random
import re
import secrets
import threading

ID_PATTERN = re.compile(r"^[0-9a-f]{24}$")


class IdGenerator:
    """24 lowercase hex characters per id; deterministic when seeded."""

    def __init__(self, seed: int | str | None = None) -> None:
        self._random = random.Random(seed) if seed is not None else None
        self._lock = threading.Lock()

    def new_id(self) -> str:
        if self._random is None:
            return secrets.token_hex(12)
        with self._lock:
            return f"{self._random.getrandbits(96):024x}"

    def reseed(self, seed: int | str | None) -> None:
        with self._lock:
            self._random = random.Random(seed) if seed is not None else None
