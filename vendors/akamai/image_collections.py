"""Image collections: named groups of images, videos and 360° spins, with a history of
every state (newest first). No HTTP here; times come from the injected clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from common.clock import Clock
from vendors.akamai.policy_validation import POLICY_ID
from vendors.akamai.problems import Problem, ValidationProblem

ITEM_TYPES = frozenset({"image", "video", "spin360", "AkaImage"})
MAX_ITEMS = 1000


@dataclass(frozen=True)
class CollectionState:
    collection: dict[str, Any]  # id, definition, tags
    user: str
    modified_ms: int

    def document(self) -> dict[str, Any]:
        return {**self.collection, "user": self.user, "lastModifiedTimestamp": self.modified_ms}


def validate_collection(body: Any, collection_id: str | None = None) -> dict[str, Any]:
    """The collection a client sends, checked; ``collection_id`` is the URL's, if any."""
    if not isinstance(body, dict):
        raise ValidationProblem("an image collection is a JSON object")
    unknown = set(body) - {"id", "definition", "tags", "user", "lastModifiedTimestamp"}
    if unknown:
        raise ValidationProblem(f"unknown image collection member(s): {', '.join(sorted(unknown))}")
    cid = body.get("id", collection_id)
    if not isinstance(cid, str) or not POLICY_ID.match(cid):
        raise ValidationProblem("an image collection id is 1 to 64 letters, digits, '_' or '-'")
    if collection_id is not None and cid != collection_id:
        raise ValidationProblem(f"the body's id {cid!r} differs from the URL's {collection_id!r}")
    definition = body.get("definition")
    if not isinstance(definition, dict) or not isinstance(definition.get("items"), list):
        raise ValidationProblem("definition is an object with an items array")
    if len(definition["items"]) > MAX_ITEMS:
        raise ValidationProblem(f"a collection holds at most {MAX_ITEMS} items")
    for index, item in enumerate(definition["items"]):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("type"), str)
            or item["type"] not in ITEM_TYPES
        ):
            raise ValidationProblem(
                f"definition.items[{index}] needs a type among {', '.join(sorted(ITEM_TYPES))}"
            )
        if item["type"] == "spin360" and not isinstance(item.get("urls"), list):
            raise ValidationProblem(f"definition.items[{index}] (spin360) needs urls")
        if item["type"] in ("image", "video") and not isinstance(item.get("url"), str):
            raise ValidationProblem(f"definition.items[{index}] ({item['type']}) needs a url")
        if item["type"] == "AkaImage" and not isinstance(item.get("imageId"), str):
            raise ValidationProblem(f"definition.items[{index}] (AkaImage) needs an imageId")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationProblem("tags is an array of strings")
    out = {"id": cid, "definition": definition}
    return {**out, "tags": tags} if "tags" in body else out


class ImageCollections:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._live: dict[str, CollectionState] = {}
        self._log: dict[str, list[CollectionState]] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._live.clear()
            self._log.clear()

    def _store(self, collection: dict[str, Any], user: str) -> None:
        state = CollectionState(collection, user, int(self._clock.now() * 1000))
        self._live[collection["id"]] = state
        self._log.setdefault(collection["id"], []).append(state)

    def create(self, body: Any, user: str) -> str:
        collection = validate_collection(body)
        with self._lock:
            if collection["id"] in self._live:
                raise Problem(
                    409, f"image collection {collection['id']!r} already exists; POST to update it"
                )
            self._store(collection, user)
        return str(collection["id"])

    def update(self, collection_id: str, body: Any, user: str) -> None:
        collection = validate_collection(body, collection_id)
        with self._lock:
            if collection_id not in self._live:
                raise Problem(404, f"image collection {collection_id!r} does not exist")
            self._store(collection, user)

    def get(self, collection_id: str) -> CollectionState:
        with self._lock:
            state = self._live.get(collection_id)
        if state is None:
            raise Problem(404, f"image collection {collection_id!r} does not exist")
        return state

    def listing(self, limit: int | None) -> list[CollectionState]:
        with self._lock:
            states = [self._live[k] for k in sorted(self._live)]
        return states[:limit] if limit is not None else states

    def delete(self, collection_id: str) -> None:
        with self._lock:
            if self._live.pop(collection_id, None) is None:
                raise Problem(404, f"image collection {collection_id!r} does not exist")

    def history(self, collection_id: str, limit: int | None) -> list[CollectionState]:
        with self._lock:
            log = list(self._log.get(collection_id, ()))
        if not log:
            raise Problem(404, f"image collection {collection_id!r} has no history")
        newest_first = log[::-1]
        return newest_first[:limit] if limit is not None else newest_first
