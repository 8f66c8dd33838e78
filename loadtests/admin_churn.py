"""Admin churn while viewers watch: uploads, crop changes and location-config changes at
``--admin-rate`` writes/s (one admin user), next to the serving viewers.

Crop changes and uploads make the aggregator invalidate the pack at its next tick; config
changes here are label-only (light: no variant changes), so they exercise the write path
and the stream without forcing a rebuild (see rebuild.py for that).
"""

from __future__ import annotations

import io
import json
import random
import uuid

from audience import ImageViewer, admin_headers  # type: ignore[import-not-found]
from locust import constant_throughput, task
from locust.contrib.fasthttp import FastHttpUser
from PIL import Image


class Viewer(ImageViewer):
    @task
    def view(self) -> None:
        self.view_one()


def small_jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (800, 450), colour).save(out, "JPEG", quality=80)
    return out.getvalue()


class Admin(FastHttpUser):
    fixed_count = 1
    host = "http://127.0.0.1"

    def wait_time(self) -> float:
        return constant_throughput(self.environment.parsed_options.admin_rate)(self)

    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.origin = options.origin
        self.packs = [p for p in options.packs.split(",") if p]
        self.headers = admin_headers()
        self.random = random.Random(options.viewer_seed)
        if not self.origin or not self.packs:
            raise RuntimeError("--origin and --packs are required")

    @task(3)
    def change_crop(self) -> None:
        pack = self.random.choice(self.packs)
        x, y = self.random.uniform(0, 0.3), self.random.uniform(0, 0.3)
        crop = {"topLeftX": x, "topLeftY": y, "bottomRightX": x + 0.6, "bottomRightY": y + 0.6}
        self.client.put(
            f"{self.origin}/adminAPI/imagePack/{pack}/main",
            json={"cropInfo": crop},
            headers=self.headers,
            name="admin crop",
        )

    @task(1)
    def upload(self) -> None:
        pack = self.random.choice(self.packs)
        boundary = uuid.uuid4().hex
        colour = (
            self.random.randrange(256),
            self.random.randrange(256),
            self.random.randrange(256),
        )
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="main.jpg"\r\n'
                "Content-Type: image/jpeg\r\n\r\n"
            ).encode()
            + small_jpeg(colour)
            + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {**self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"}
        self.client.post(
            f"{self.origin}/adminAPI/imagePack/{pack}/main/upload",
            data=body,  # type: ignore[arg-type]  # bytes work; Locust's hint says str only
            headers=headers,
            name="admin upload",
        )

    @task(1)
    def relabel_config(self) -> None:
        name = self.random.choice(["main", "thumb", "portal-cover", "square"])
        label = json.dumps({"label": f"{name} {self.random.randrange(1000)}"})
        self.client.put(
            f"{self.origin}/adminAPI/imageLocationConfig/{name}/label",
            data=label,
            headers={**self.headers, "Content-Type": "application/json"},
            name="admin config label",
        )
