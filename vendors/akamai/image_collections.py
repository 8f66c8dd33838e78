"""Image collections: named groups of images, videos and 360° spins, with a history of
every state (newest first). No HTTP here; times come from the injected clock."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from common.clock import Clock
from vendors.akamai.policy_validation import ID_MISMATCH, POLICY_ID
from vendors.akamai.problems import Problem, ValidationProblem

# The members of each kind of item (the seed's Image, Video, Spin360 and AkaImage), the
# first one required: a string, or (urls, tags) an array of strings.
ITEM_MEMBERS: dict[str, tuple[str, ...]] = {
    "image": ("url", "mime", "tags"),
    "video": ("url", "mime", "poster", "tags"),
    "spin360": ("urls", "tags"),
    "AkaImage": ("imageId", "tags"),
}
ITEM_TYPES = frozenset(ITEM_MEMBERS)
LIST_MEMBERS = frozenset({"urls", "tags"})
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
    if not isinstance(cid, str) or not POLICY_ID.fullmatch(cid):
        raise ValidationProblem("an image collection id is 1 to 64 letters, digits, '_' or '-'")
    if collection_id is not None and cid != collection_id:
        raise ValidationProblem(
            f"the body's id {cid!r} differs from the URL's {collection_id!r}", kind=ID_MISMATCH
        )
    definition = body.get("definition")
    if not isinstance(definition, dict) or not isinstance(definition.get("items"), list):
        raise ValidationProblem("definition is an object with an items array")
    if set(definition) - {"items", "version", "type"}:
        raise ValidationProblem("definition holds items, and optionally version and type")
    version, kind = definition.get("version", 0), definition.get("type", "")
    if (
        isinstance(version, bool)
        or not isinstance(version, int | float)
        or not isinstance(kind, str)
    ):
        raise ValidationProblem("definition.version is a number, definition.type a string")
    if len(definition["items"]) > MAX_ITEMS:
        raise ValidationProblem(f"a collection holds at most {MAX_ITEMS} items")
    for index, item in enumerate(definition["items"]):
        _check_item(item, f"definition.items[{index}]")
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationProblem("tags is an array of strings")
    out = {"id": cid, "definition": definition}
    return {**out, "tags": tags} if "tags" in body else out


def _check_item(item: Any, where: str) -> None:
    kind = item.get("type") if isinstance(item, dict) else None
    if not isinstance(kind, str) or kind not in ITEM_MEMBERS:
        raise ValidationProblem(f"{where} needs a type among {', '.join(sorted(ITEM_TYPES))}")
    members = ITEM_MEMBERS[kind]
    unknown = sorted(set(item) - {"type", *members})
    if unknown:
        raise ValidationProblem(f"{where} ({kind}) has no member {unknown[0][:64]!r}")
    if members[0] not in item:
        raise ValidationProblem(f"{where} ({kind}) needs {members[0]}")
    for member in members:
        if member not in item:
            continue
        value = item[member]
        valid = (
            isinstance(value, list) and all(isinstance(v, str) for v in value)
            if member in LIST_MEMBERS
            else isinstance(value, str)
        )
        if not valid:
            shape = "an array of strings" if member in LIST_MEMBERS else "a string"
            raise ValidationProblem(f"{where}.{member} is {shape}")


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
