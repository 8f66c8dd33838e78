"""Akamai Image Manager beside the edge: policies with versions on staging and production,
on-demand ``imwidth``/``impolicy``/``imformat``, the transformations, images and collections.

- :mod:`vendors.akamai.vendor`: the :class:`~edge.vendor.Vendor` (``ImageManager``);
- :mod:`vendors.akamai.options`: its command-line options (``PLUGIN``);
- :mod:`vendors.akamai.property`: viewer requests → internal derivative requests;
- :mod:`vendors.akamai.renderer`: the transformation service the POPs fill from (decoding
  and encoding are the shared imaging core's, :mod:`imaging`);
- :mod:`vendors.akamai.api`: the policy, images and collections APIs.
"""

from vendors.akamai.backend import ImagingBackend, PropertySettings
from vendors.akamai.vendor import ImageManager

__all__ = ["ImageManager", "ImagingBackend", "PropertySettings"]
