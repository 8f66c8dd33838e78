"""Render timings for the README (not a test): smart crops, blend modes, animations.

Run: PYTHONPATH=$PWD python -m tests.vendors.imgix.render_timings
Best of three (one for animations), single thread: wall time and, since the machine may be
shared, the process CPU time of that same run."""

from __future__ import annotations

import io
import time
from collections.abc import Mapping

from PIL import Image

from vendors.imgix.pipeline import render


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _best_ms(data: bytes, params: Mapping[str, str], runs: int = 3) -> str:
    """``"W ms (cpu C ms)"`` of the fastest of ``runs`` renders."""
    times = []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), time.process_time()
        render(data, params)
        times.append((time.perf_counter() - started, time.process_time() - cpu_started))
    wall, cpu = min(times)
    return f"{round(wall * 1000)} ms (cpu {round(cpu * 1000)} ms)"


def main() -> None:
    photo = _png(Image.effect_mandelbrot((2400, 1600), (-2, -1, 1, 1), 100).convert("RGB"))
    for crop in ("center", "entropy", "edges"):
        ms = _best_ms(photo, {"w": "400", "h": "400", "fit": "crop", "crop": crop})
        print(f"2400x1600 PNG -> 400x400 fit=crop&crop={crop}: {ms}")
    base = _png(Image.effect_mandelbrot((1000, 1000), (-2, -1.5, 1, 1.5), 100).convert("RGB"))
    for mode in ("normal", "multiply", "overlay", "burn", "exclusion", "hue", "luminosity"):
        print(
            f"1000x1000 PNG blend=3366cc&blend-mode={mode}: {_best_ms(base, {'blend': '3366cc', 'blend-mode': mode})}"
        )
    frames = [
        Image.effect_mandelbrot((400, 300), (-2 + i / 50, -1, 1, 1), 50).convert("RGB")
        for i in range(100)
    ]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=40, loop=0)
    for fm in ("gif", "webp", "png"):
        print(
            f"100-frame 400x300 GIF -> w=200&fm={fm}: {_best_ms(out.getvalue(), {'w': '200', 'fm': fm}, runs=1)}"
        )


if __name__ == "__main__":
    main()
