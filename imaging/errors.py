"""Why bytes could not become pixels. Plain exceptions that carry only a message, so that
they pickle across a render pool's process boundary; each service maps them to its answer."""

from __future__ import annotations


class UnreadableImage(Exception):
    """The bytes cannot be decoded: corrupt, truncated, or not an image at all."""


class NotAnImage(UnreadableImage):
    """No format this Pillow build reads (or none of the formats allowed) recognises the bytes."""


class ImageTooLarge(UnreadableImage):
    """More pixels than the limit allows; refused from the header, before any pixel is decoded."""
