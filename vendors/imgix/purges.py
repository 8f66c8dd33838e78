"""Purges: every derivative of an image at every POP, through the edge's invalidations.

A purge becomes one invalidation (so each POP applies it after its own delay) covering the
image's internal path with and without any query string. imgix documents no limit on
purges in progress, so these invalidations are not subject to CloudFront's (15 wildcard
paths per distribution): they neither wait for nor use up the CloudFront API's allowance.
The same URL purged again within ``purge_window`` simulated seconds is a 409. A sub-image purge (``sub_image: true`` with the
parent ``source_id``) also covers every parent derivative that used the sub-image as
``mark`` or ``blend``.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from edge.invalidation.errors import InvalidationError
from edge.vendor import EdgeHandle
from vendors.imgix.addressing import purge_paths, split_internal, url_target
from vendors.imgix.backend import ImgixBackend, sub_image_key
from vendors.imgix.jsonapi import bad_request, conflict

ATTRIBUTES = frozenset({"url", "sub_image", "source_id"})
# Rules beyond the API's schema (the document lists them as refusals).
FOREIGN_DOMAIN, UNKNOWN_SOURCE, EDGE_REFUSED = "foreign-domain", "unknown-source", "edge-refused"


@dataclass(frozen=True)
class Purge:
    id: str
    url: str
    invalidation_id: str
    paths: tuple[str, ...]


class Purges:
    def __init__(self, backend: ImgixBackend, edge: EdgeHandle) -> None:
        self.backend, self.edge = backend, edge
        self.reset()

    def reset(self) -> None:
        """No purge remembered (no 409 pending), ids drawn afresh."""
        self._last: dict[str, float] = {}
        seed = self.backend.settings.seed
        self._rng = random.Random(f"{seed}:purges") if seed is not None else random.SystemRandom()

    def paths_for(self, attrs: Mapping[str, Any]) -> tuple[str, list[str]]:
        """The purged URL (normalised) and the invalidation paths, or a 400; the master
        images purged (of the image, and of the sub-image) are dropped from the origin
        cache by :meth:`create`."""
        url = attrs.get("url")
        if not isinstance(url, str) or not url or len(url) > 2048:
            raise bad_request("url is required: the fully qualified URL of the image")
        target = url_target(url)
        if target is None:
            raise bad_request("url must be an absolute http(s) URL")
        sources, now = self.backend.sources, self.backend.clock.now()
        owner = sources.serving(target[0], now)
        paths = purge_paths(owner.id, target[1]) if owner is not None else []
        sub_image = attrs.get("sub_image", False)
        if not isinstance(sub_image, bool):
            raise bad_request("sub_image must be a boolean")
        if sub_image:
            parent_id = attrs.get("source_id")
            if not isinstance(parent_id, str):
                raise bad_request("a sub-image purge needs the parent images' source_id")
            parent = sources.get(parent_id) if parent_id in sources.by_id else None
            if parent is None:
                raise bad_request(f"no source {parent_id[:40]!r}", rule=UNKNOWN_SOURCE)
            key = sub_image_key(url, parent, sources, now)
            paths += sorted(self.backend.sub_images.parents(parent.id, key))
        elif "source_id" in attrs:
            raise bad_request("source_id is only for sub-image purges (sub_image: true)")
        if owner is None and not sub_image:
            raise bad_request(
                f"{target[0]!r} is not a domain of this account's sources", rule=FOREIGN_DOMAIN
            )
        base = f"{owner.id if owner else target[0]}:{target[1]}"
        return base, list(dict.fromkeys(paths))

    async def create(self, attrs: Mapping[str, Any]) -> Purge:
        base, paths = self.paths_for(attrs)
        now = self.backend.clock.now()
        last = self._last.get(base)
        window = self.backend.settings.purge_window
        if last is not None and now - last < window:
            raise conflict(
                f"this URL was purged {now - last:.1f} s ago; wait {window:g} s between purges"
            )
        purge_id = self._new_id()
        self._drop_masters(attrs)
        if paths:
            try:
                invalidation_id = self.edge.purge(paths, purge_id)
            except InvalidationError as exc:
                raise bad_request(exc.message, rule=EDGE_REFUSED) from None
        else:
            invalidation_id = ""  # an external sub-image used by no parent: nothing cached
        self._last[base] = now
        parents = [p for p in paths if split_internal(p.split("?", 1)[0])]
        self.backend.events.append(
            "imgix",
            "purge",
            purge_id=purge_id,
            url=attrs["url"],
            invalidation=invalidation_id,
            paths=parents,
        )
        return Purge(purge_id, str(attrs["url"]), invalidation_id, tuple(paths))

    def _drop_masters(self, attrs: Mapping[str, Any]) -> None:
        """The purged image's master, fetched again by the next render (seed 004: purge
        "so that imgix will fetch the newest version")."""
        target = url_target(str(attrs["url"]))
        assert target is not None  # checked by paths_for
        owner = self.backend.sources.serving(target[0], self.backend.clock.now())
        if owner is not None:
            self.backend.masters.drop(owner.id, unquote(target[1]))

    async def purge_image(self, source_id: str, image_path: str) -> str:
        """Every derivative of one image (a refresh or an upload; their callers keep the
        new master): no 409 window."""
        purge_id = self._new_id()
        invalidation_id = self.edge.purge(purge_paths(source_id, quote(image_path)), purge_id)
        self.backend.events.append(
            "imgix",
            "purge",
            purge_id=purge_id,
            url=image_path,
            invalidation=invalidation_id,
            paths=[],
        )
        return invalidation_id

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
