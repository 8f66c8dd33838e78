"""Akamai Image Manager at the edge: policies with versions on staging and production,
on-demand ``imwidth``/``impolicy``/``imformat``, the transformations, images and collections."""

from vendors.akamai.backend import ImagingBackend, PropertySettings
from vendors.akamai.service import ImageManager

__all__ = ["ImageManager", "ImagingBackend", "PropertySettings"]
