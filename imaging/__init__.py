"""The one imaging core that the origin and the vendors' renderers share.

- :mod:`imaging.decoding`: bytes in, pixels out, safely — the header checked against one
  pixel limit before any pixel is decoded, verify-then-reload where a damaged file must be
  refused, EXIF orientation, and one small set of working modes (:mod:`imaging.modes`);
  JPEG decoded at a reduced DCT scale when the output needs less (:mod:`imaging.dct_scaling`).
- :mod:`imaging.encoding`: pixels out as bytes, per format with one set of quality rules,
  stills and animations alike.
- :mod:`imaging.formats`: the output formats, their content types, and which of them this
  Pillow build can produce; :mod:`imaging.rendered`: what a render hands back.
- :mod:`imaging.errors`: one hierarchy — unreadable, not an image at all, too large.

Operations on pixels (crops, fits, layers, a vendor's transformations) are not here: each
service keeps its own. Everything here is CPU work: call it off the event loop.
"""
