"""`cdnsim sample-image`: a photo-like image, the same bytes every time, its colour plain
to see, in the format its name asks for."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from PIL import Image, ImageStat

from cdnsim.sample_image import encode, parse_colour, sample_image


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "sample-image", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_command_writes_a_1600_by_900_jpeg_the_same_every_time(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    for path in (first, second):
        done = _run(str(path))
        assert done.returncode == 0 and done.stderr == ""
    assert first.read_bytes() == second.read_bytes()
    with Image.open(first) as image:
        assert (image.format, image.size, image.mode) == ("JPEG", (1600, 900), "RGB")
    assert "1600×900 JPEG" in done.stdout


def test_it_looks_like_a_photograph_not_a_flat_field() -> None:
    image = sample_image((400, 225), parse_colour("steelblue"))
    spread = ImageStat.Stat(image.convert("L")).stddev[0]
    assert spread > 20  # sky, sun and hills: contrast to resize and crop
    assert len(image.convert("L").getcolors(256) or []) > 100  # gradients and grain


def test_another_colour_differs_visibly(tmp_path: Path) -> None:
    blue, orange = tmp_path / "blue.png", tmp_path / "orange.webp"
    assert _run(str(blue), "--size", "320x180").returncode == 0
    assert _run(str(orange), "--size", "320x180", "--colour", "orange").returncode == 0
    with Image.open(blue) as b, Image.open(orange) as o:
        assert (b.format, o.format, o.size) == ("PNG", "WEBP", (320, 180))
        sky_b = ImageStat.Stat(b.convert("RGB").crop((0, 0, 320, 40))).mean
        sky_o = ImageStat.Stat(o.convert("RGB").crop((0, 0, 320, 40))).mean
    assert sky_b[2] > sky_b[0] + 40 and sky_o[0] > sky_o[2] + 40  # blue sky, orange sky


def test_encoding_is_deterministic_in_one_process() -> None:
    image = sample_image((200, 100), (10, 200, 30), caption="x", seed=3)
    assert encode(image) == encode(sample_image((200, 100), (10, 200, 30), caption="x", seed=3))
    assert Image.open(io.BytesIO(encode(image, "PNG"))).size == (200, 100)
