"""Why a render could not happen, besides an unreadable or oversized original (those are
:mod:`imaging.errors`). Plain exceptions (not ApiError): the serving layer maps them.

They carry only a message so that they pickle across the render pool's process boundary.
"""

from __future__ import annotations


class InvalidRenderSpec(ValueError):
    """The spec itself is out of range (unknown mode, gravity or format, box < 1 px, ...).

    The serving layer validates parameters first; this guards the pipeline's own contract."""


class RenderFailed(Exception):
    """A render worker died (crash, out of memory) while rendering; the pool has been rebuilt."""
