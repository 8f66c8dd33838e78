"""Why a render could not happen. Plain exceptions (not ApiError): the serving layer maps them.

They carry only a message so that they pickle across the render pool's process boundary.
"""

from __future__ import annotations


class SourceUnreadable(Exception):
    """The stored original cannot be decoded: not an image, corrupt or truncated."""


class SourceTooLarge(SourceUnreadable):
    """The original has more pixels than ``RenderSpec.max_source_pixels``; refused from its header."""


class InvalidRenderSpec(ValueError):
    """The spec itself is out of range (unknown mode, gravity or format, box < 1 px, ...).

    The serving layer validates parameters first; this guards the pipeline's own contract."""


class RenderFailed(Exception):
    """A render worker died (crash, out of memory) while rendering; the pool has been rebuilt."""
