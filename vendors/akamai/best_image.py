"""The best image (the seed: Image Manager "dynamically select[s] the best image when
requested"): one rendered image encoded in each candidate format the browser takes, and
the smallest kept. Every lossy candidate is encoded at the policy's quality and PNG is
lossless, so each keeps the quality the policy asks for and the fewest bytes is the only
thing left to choose by; a tie goes to the earlier candidate (modern formats first).

Transparency: when the image has any, JPEG (which has none) is dropped if another candidate
keeps it; when JPEG is the only candidate the encoder flattens the image onto white.
"""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image

from imaging.encoding import encode
from imaging.formats import Format, producible
from imaging.modes import has_transparency


def best_encoding(
    image: Image.Image, formats: Sequence[str], quality: int
) -> tuple[Format, bytes, dict[str, int]]:
    """(format, body) of the smallest encoding among ``formats``, and every candidate's
    size in bytes. ``ValueError`` for a format this build cannot write."""
    candidates = [producible(name) for name in formats]
    if not candidates:
        raise ValueError("no candidate format")
    if has_transparency(image) and any(fmt != "jpeg" for fmt in candidates):
        candidates = [fmt for fmt in candidates if fmt != "jpeg"]
    bodies = {fmt: encode(image, fmt, quality) for fmt in candidates}
    best = min(candidates, key=lambda fmt: len(bodies[fmt]))
    return best, bodies[best], {fmt: len(body) for fmt, body in bodies.items()}
