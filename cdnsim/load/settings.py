"""What one load test runs: the profile, Locust's users and time, the stack, the mode."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoadSettings:
    profile: str
    users: int
    spawn_rate: float
    duration: float
    output: Path
    workers: int = 0  # 0: one Locust process; K: a master and K workers
    target: Path | None = None  # a ready file; None: start `cdnsim up --demo` here
    stack_args: tuple[str, ...] = ()
    warmup: float = 10.0
    sample_interval: float = 1.0
    locust_args: tuple[str, ...] = ()  # profile options: --zipf, --widths, --change-at …
    web_port: int | None = None  # Locust's web UI on this loopback port instead of headless
    progress: bool = True  # a live line every few seconds
