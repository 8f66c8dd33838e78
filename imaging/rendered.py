"""What every renderer hands back: the encoded image and what it cost."""

from __future__ import annotations

from dataclasses import dataclass

from imaging.formats import CONTENT_TYPES, Format


@dataclass(frozen=True)
class Rendered:
    """An encoded image; ``cpu_seconds``: the CPU time its render took, as the renderer
    measured it (the process's in a worker process, the thread's on a shared one)."""

    body: bytes
    format: Format
    width: int
    height: int
    cpu_seconds: float

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.format]
