"""Image Manager assets: what the edge has seen of each source's originals (state, no HTTP).

An asset appears when the rendering service first loads an original, or when one is
uploaded; it is measured again when its ETag changes. Users may set ``categories``,
``custom_fields``, ``description``, ``name`` and ``tags``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from vendors.imgix import jsonapi as ja
from vendors.imgix import jsonapi_query as jq
from vendors.imgix.fetch import Original
from vendors.imgix.measure import measure

UPDATABLE = frozenset({"categories", "custom_fields", "description", "name", "tags"})
SORTS = frozenset({"date_created", "date_modified", "file_size"})
# A range filter: N, N:M, N: or :M (ASCII digits: str.isdigit() takes '²').
RANGE = re.compile("[0-9]{1,9}|[0-9]{1,9}:[0-9]{0,9}|:[0-9]{1,9}")


@dataclass
class Asset:
    source_id: str
    origin_path: str
    etag: str
    measured: dict[str, Any]
    date_created: int
    date_modified: int
    user: dict[str, Any] = field(
        default_factory=lambda: {
            "categories": [],
            "custom_fields": None,
            "description": None,
            "name": None,
            "tags": {},
        }
    )
    uploaded_by_api: bool = False

    @property
    def id(self) -> str:
        return f"{self.source_id}{self.origin_path}"

    def attributes(self) -> dict[str, Any]:
        return {
            **self.measured,
            **self.user,
            "date_created": self.date_created,
            "date_modified": self.date_modified,
            "origin_path": self.origin_path,
            "source_id": self.source_id,
            "uploaded_by": None,
            "uploaded_by_api": self.uploaded_by_api,
        }


def etag_of(original: Original) -> str:
    given = next((v for k, v in original.headers if k.lower() == "etag" and v), None)
    return given or '"' + hashlib.md5(original.body, usedforsecurity=False).hexdigest() + '"'


class Assets:
    def __init__(self) -> None:
        self.by_id: dict[str, Asset] = {}

    def known(self, source_id: str, path: str, etag: str) -> bool:
        asset = self.by_id.get(f"{source_id}{path}")
        return asset is not None and asset.etag == etag

    def observe(
        self, source_id: str, path: str, original: Original, now: float, *, uploaded: bool = False
    ) -> tuple[Asset, bool]:
        """Record (or re-measure, when its ETag changed) the asset; True when (re)processed.
        CPU work: call it off the event loop."""
        etag = etag_of(original)
        asset = self.by_id.get(f"{source_id}{path}")
        if asset is not None and asset.etag == etag and not uploaded:
            return asset, False
        measured = measure(original.body)
        if asset is None:
            asset = Asset(source_id, path, etag, measured, int(now), int(now))
            self.by_id[asset.id] = asset
        else:
            asset.etag, asset.measured, asset.date_modified = etag, measured, int(now)
        asset.uploaded_by_api = asset.uploaded_by_api or uploaded
        return asset, True

    def get(self, source_id: str, path: str) -> Asset:
        asset = self.by_id.get(f"{source_id}{path}")
        if asset is None:
            raise ja.not_found()
        return asset

    def update(self, asset: Asset, attrs: Mapping[str, Any], now: float) -> Asset:
        checked = {name: _CHECKS[name](value) for name, value in attrs.items()}
        asset.user.update(checked)
        asset.date_modified = int(now)
        return asset

    def of_source(self, source_id: str) -> list[Asset]:
        return [a for a in self.by_id.values() if a.source_id == source_id]


def _string_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and len(v) <= 256 for v in value):
        raise ja.bad_request("categories must be a list of strings")
    return list(value)


def _fields(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, dict) or not all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value.values()
    ):
        raise ja.bad_request("custom_fields must be an object of strings and numbers")
    return dict(value)


def _text(name: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if value is not None and (not isinstance(value, str) or len(value) > 4096):
            raise ja.bad_request(f"{name} must be a string or null")
        return value  # type: ignore[no-any-return]

    return check


def _tags(value: Any) -> dict[str, float]:
    if not isinstance(value, dict) or not all(
        isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1
        for v in value.values()
    ):
        raise ja.bad_request("tags must be an object of confidences from 0 to 1")
    return {str(k): float(v) for k, v in value.items()}


_CHECKS: dict[str, Callable[[Any], Any]] = {
    "categories": _string_list,
    "custom_fields": _fields,
    "description": _text("description"),
    "name": _text("name"),
    "tags": _tags,
}


def _range(getter: Callable[[jq.Resource], Any]) -> jq.Checked:
    """``3``, ``1:3``, ``1:`` or ``:2``; a value that is unknown (null) never matches."""

    def check(value: str) -> None:
        if not RANGE.fullmatch(value):
            raise ja.bad_request(f"a range filter takes N, N:M, N: or :M, not {value[:40]!r}")

    def match(resource: jq.Resource, value: str) -> bool:
        low, sep, high = value.partition(":")
        bounds = (low, high) if sep else (low, low)
        got = getter(resource)
        if got is None:
            return False
        return (bounds[0] == "" or got >= int(bounds[0])) and (
            bounds[1] == "" or got <= int(bounds[1])
        )

    return jq.Checked(check, match)


def _custom(resource: jq.Resource, packed: str) -> bool:
    key, _, value = packed.partition("\n")
    fields = resource["attributes"].get("custom_fields") or {}
    return key in fields and (value == "" or str(fields[key]) == value)


def _keyword(resource: jq.Resource, value: str) -> bool:
    a = resource["attributes"]
    texts = [
        a["origin_path"],
        a.get("name"),
        a.get("description"),
        *a.get("categories", []),
        *(a.get("tags") or {}),
        *map(str, (a.get("custom_fields") or {}).values()),
    ]
    return any(isinstance(t, str) and value.casefold() in t.casefold() for t in texts)


def _attr(name: str) -> Callable[[jq.Resource], Any]:
    return lambda r: r["attributes"].get(name)


def _warning(kind: str) -> Callable[[jq.Resource], Any]:
    return lambda r: r["attributes"].get(f"warning_{kind}") or None  # 0 means unknown


FILTERS: dict[str, jq.Matcher] = {
    "categories": jq.substring(_attr("categories")),
    "colors": lambda r, v: (
        f"#{v.lower().lstrip('#')}" in r["attributes"]["colors"]["dominant_colors"]
    ),
    "custom:": _custom,
    "face_count": _range(_attr("face_count")),
    "has_frames": jq.boolean(_attr("has_frames")),
    "keyword": _keyword,
    "media_kind": lambda r, v: (r["attributes"].get("media_kind") or "") == v.upper(),
    "origin_path": jq.substring(_attr("origin_path")),
    "tags": jq.substring(lambda r: list(r["attributes"].get("tags") or {})),
    **{
        f"warning_{w}": _range(_warning(w))
        for w in ("adult", "medical", "racy", "spoof", "violence")
    },
}
