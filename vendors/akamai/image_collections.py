"""Image collections: named groups of images, videos and 360° spins, with the history of
their states over the last three months (newest first; older states are dropped, as the
seed's history covers "all updates to it over the last three months"). No HTTP here; times
come from the injected clock."""

from __future__ import annotations

import calendar
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
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
HISTORY_MONTHS = 3
# The seed's own request samples for creating and updating a collection are the
# Acknowledgement its answer repeats: taken as written, these members are ignored.
ACKNOWLEDGEMENT_MEMBERS = {"operationPerformed": ("CREATED", "UPDATED", "DELETED", "CANCELLED"),
                           "description": None}  # fmt: skip
READ_ONLY = ("user", "lastModifiedTimestamp")
EXISTS = "collection-exists"


@dataclass(frozen=True)
class CollectionState:
    collection: dict[str, Any]  # id, definition, tags
    user: str
    modified_ms: int

    def document(self) -> dict[str, Any]:
        return {**self.collection, "user": self.user, "lastModifiedTimestamp": self.modified_ms}


def months_before(timestamp: float, months: int) -> float:
    """The same day and time ``months`` calendar months earlier (UTC), the day clamped to
    the shorter month's last (31 May → 28 or 29 February)."""
    moment = datetime.fromtimestamp(timestamp, UTC)
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day).timestamp()


def validate_collection(body: Any, collection_id: str | None = None) -> dict[str, Any]:
    """The collection a client sends, checked; ``collection_id`` is the URL's, if any. A
    body without ``definition`` is an empty collection (``definition`` is then absent from
    the result: an update keeps the stored one)."""
    if not isinstance(body, dict):
        raise ValidationProblem("an image collection is a JSON object")
    known = {"id", "definition", "tags", *READ_ONLY, *ACKNOWLEDGEMENT_MEMBERS}
    unknown = set(body) - known
    if unknown:
        raise ValidationProblem(f"unknown image collection member(s): {', '.join(sorted(unknown))}")
    _check_acknowledgement(body)
    cid = body.get("id", collection_id)
    if not isinstance(cid, str) or not POLICY_ID.fullmatch(cid):
        raise ValidationProblem("an image collection id is 1 to 64 letters, digits, '_' or '-'")
    if collection_id is not None and cid != collection_id:
        raise ValidationProblem(
            f"the body's id {cid!r} differs from the URL's {collection_id!r}", kind=ID_MISMATCH
        )
    out: dict[str, Any] = {"id": cid}
    if "definition" in body:
        out["definition"] = _checked_definition(body["definition"])
    tags = body.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValidationProblem("tags is an array of strings")
    return {**out, "tags": tags} if "tags" in body else out


def _check_acknowledgement(body: dict[str, Any]) -> None:
    for name, allowed in ACKNOWLEDGEMENT_MEMBERS.items():
        if name not in body:
            continue
        value = body[name]
        if not isinstance(value, str) or (allowed is not None and value not in allowed):
            shape = f"one of {', '.join(allowed)}" if allowed else "a string"
            raise ValidationProblem(f"{name} (ignored, as in an Acknowledgement) is {shape}")


def _checked_definition(definition: Any) -> dict[str, Any]:
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
    return definition


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
        now = self._clock.now()
        state = CollectionState(collection, user, int(now * 1000))
        self._live[collection["id"]] = state
        self._log[collection["id"]] = [*self._recent(collection["id"], now), state]

    def _recent(self, collection_id: str, now: float) -> list[CollectionState]:
        """The collection's states of the last three months, oldest first."""
        cutoff_ms = months_before(now, HISTORY_MONTHS) * 1000
        return [s for s in self._log.get(collection_id, ()) if s.modified_ms >= cutoff_ms]

    def create(self, body: Any, user: str) -> str:
        collection = validate_collection(body)
        collection.setdefault("definition", {"items": []})
        with self._lock:
            if collection["id"] in self._live:
                raise ValidationProblem(
                    f"image collection {collection['id']!r} already exists; POST to update it",
                    kind=EXISTS,
                )
            self._store(collection, user)
        return str(collection["id"])

    def update(self, collection_id: str, body: Any, user: str) -> None:
        collection = validate_collection(body, collection_id)
        with self._lock:
            live = self._live.get(collection_id)
            if live is None:
                raise Problem(404, f"image collection {collection_id!r} does not exist")
            self._store({**live.collection, **collection}, user)

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
        """The states of the last three months, newest first: 404 for an id that was never
        stored or whose states are all older; a live collection unchanged for longer has
        none (200, empty)."""
        with self._lock:
            recent = self._recent(collection_id, self._clock.now())
            if collection_id in self._log:
                self._log[collection_id] = recent
            live = collection_id in self._live
        if not recent and not live:
            raise Problem(404, f"image collection {collection_id!r} has no history")
        newest_first = recent[::-1]
        return newest_first[:limit] if limit is not None else newest_first
