"""Serving: viewers on every POP asking for packs × locations × widths by Zipf popularity.

cdnsim load --profile serving …   (or locust -f loadtests/serving.py --pops … --packs …)
"""

from __future__ import annotations

from audience import ImageViewer  # type: ignore[import-not-found]
from locust import task


class Viewer(ImageViewer):
    @task
    def view(self) -> None:
        self.view_one()
