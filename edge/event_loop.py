"""The event loop the edge's processes run on."""

from __future__ import annotations


def install_uvloop() -> bool:
    """Use uvloop's event loop when it is installed (a faster hit path)."""
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return False
    uvloop.install()
    return True
