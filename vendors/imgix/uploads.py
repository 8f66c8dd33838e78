"""What an upload may be named and what it may contain (rules, no HTTP, no storage).

The seed says an upload goes to ``origin_path`` in the Source's bucket, below its prefix.
So an origin path must be a key S3 stores as the path says: at most 1,024 bytes of UTF-8
with the prefix (S3's limit on object keys), no ``.`` or ``..`` segment (a path that
means another path), no empty segment, no control character (NUL included), not
ending in ``/`` (a folder, not an asset).

The content must be an image the rendering service can decode (Pillow identifies the
format; SVG, HTML, PDF and anything else are refused: an uploaded asset is served as an
image to every viewer). A declared ``Content-Type`` must agree with what the bytes are,
unless it is one of the generic types clients send for raw bytes; the object is stored with
the sniffed type. Every refusal is a 400 before anything is written or purged.
"""

from __future__ import annotations

import re

from imaging.decoding import load_image
from imaging.errors import UnreadableImage
from vendors.imgix.jsonapi import bad_request
from vendors.imgix.measure import IMAGE_TYPES
from vendors.imgix.pipeline import MAX_PIXELS

MAX_KEY_BYTES = 1024
# What clients send when they say nothing about raw bytes (curl --data-binary's default too).
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/x-www-form-urlencoded"}
)
_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/x-png": "image/png"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Rules the API's document lists as refusals of requests that match it.
KEY_TOO_LONG, NOT_AN_IMAGE, CONTENT_TYPE = "key-too-long", "not-an-image", "content-type"


def upload_key(origin_path: str, prefix: str) -> str:
    """The S3 key of ``origin_path`` (decoded, with its leading ``/``) below ``prefix``."""
    if _CONTROL.search(origin_path):
        raise bad_request("an upload path may not contain control characters (NUL included)")
    segments = origin_path.removeprefix("/").split("/")
    if any(s in (".", "..") for s in segments):
        raise bad_request("an upload path may not contain '.' or '..' segments")
    if any(not s for s in segments):
        raise bad_request("an upload path may not contain empty segments or end with '/'")
    key = f"{prefix.strip('/')}{origin_path}" if prefix.strip("/") else origin_path[1:]
    try:
        size = len(key.encode("utf-8"))
    except UnicodeEncodeError:
        raise bad_request("an upload path must be valid UTF-8 once percent-decoded") from None
    if size > MAX_KEY_BYTES:
        raise bad_request(
            f"an upload path is at most {MAX_KEY_BYTES} bytes of UTF-8 with the source's "
            f"prefix (S3's key limit), not {size}",
            rule=KEY_TOO_LONG,
        )
    return key


def sniffed_type(body: bytes, declared: str | None) -> str:
    """The content type of ``body``, which must be an image whose type the declared one
    (if any) agrees with; 400 otherwise. Decodes fully: call it off the event loop."""
    if not body:
        raise bad_request("an upload needs a body: the image's bytes", rule=NOT_AN_IMAGE)
    try:
        image = load_image(body, MAX_PIXELS, verify=True)
    except UnreadableImage as exc:
        raise bad_request(
            f"the upload is not an image imgix accepts: {exc}", rule=NOT_AN_IMAGE
        ) from None
    actual = IMAGE_TYPES.get(image.format or "")
    if actual is None:
        raise bad_request(f"{image.format} images are not accepted for upload", rule=NOT_AN_IMAGE)
    given = (declared or "").split(";")[0].strip().lower()
    if given not in GENERIC_TYPES and _ALIASES.get(given, given) != actual:
        raise bad_request(
            f"the Content-Type says {given!r} but the body is {actual}", rule=CONTENT_TYPE
        )
    return actual
