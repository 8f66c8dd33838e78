"""Invalidations that take time: one per request, applied by each POP after its own delay.

State and rules without HTTP (the CloudFront API and the JSON control routes are in
``cloudfront_api``). Each POP (a :class:`PurgeTarget`) applies an invalidation after a
delay drawn from the :class:`~edge.invalidation.delays.DelayModel` on the injected clock;
the invalidation is ``InProgress`` until every POP has applied it, then ``Completed``
(the exact strings boto3's ``invalidation_completed`` waiter expects).

CloudFront rules kept here (API reference, CreateInvalidation / InvalidationBatch; developer
guide, "Concurrent invalidation request maximum"):
- the same CallerReference with the same paths returns the existing invalidation; with
  other paths it is ``InvalidationBatchAlreadyExists``;
- at most 3,000 individual files and 15 wildcard paths in progress per distribution
  (``TooManyInvalidationsInProgress``), both configurable through :class:`InvalidationLimits`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import string
from collections.abc import Sequence

from common.clock import Clock
from common.events import EventLog
from edge.invalidation.delays import DelayModel
from edge.invalidation.errors import (
    BatchTooLarge,
    InvalidArgument,
    InvalidationBatchAlreadyExists,
    NoSuchInvalidation,
    TooManyInvalidationsInProgress,
)
from edge.invalidation.model import (
    COMPLETED,
    IN_PROGRESS,
    Invalidation,
    InvalidationLimits,
    InvalidationPage,
    PopProgress,
    PurgeTarget,
)
from edge.invalidation.paths import InvalidPath, is_wildcard, validate_path

__all__ = [
    "COMPLETED",
    "IN_PROGRESS",
    "Invalidation",
    "InvalidationLimits",
    "InvalidationPage",
    "InvalidationService",
    "PopProgress",
    "PurgeTarget",
]

log = logging.getLogger(__name__)

MAX_CALLER_REFERENCE = 1024
# A CallerReference may hold any character but a control character (C0, DEL, C1).
CALLER_REFERENCE_PATTERN = "^[^\\x00-\\x1f\\x7f-\\x9f]+$"
_CALLER_REFERENCE = re.compile(CALLER_REFERENCE_PATTERN)
_ID_ALPHABET = string.ascii_uppercase + string.digits
_RETRY_FIRST, _RETRY_MAX = 5.0, 60.0  # simulated seconds between attempts at a failing POP


class InvalidationService:
    """All invalidations of one distribution, propagated to ``targets`` on ``clock``."""

    def __init__(
        self,
        clock: Clock,
        events: EventLog,
        targets: Sequence[PurgeTarget],
        delays: DelayModel,
        *,
        distribution_id: str,
        seed: int | None = None,
        limits: InvalidationLimits | None = None,
        tier_above: str | None = None,
    ) -> None:
        """``tier_above``: the id of the target every other one fills from (the shield).
        A POP is never purged before it: purged earlier, it would re-cache the old object
        from the shield for a whole TTL."""
        self.clock, self.events, self.delays = clock, events, delays
        self.tier_above = tier_above
        self.targets = list(targets)
        self.distribution_id = distribution_id
        self.limits = limits or InvalidationLimits()
        # Separate streams: how many ids were drawn never shifts the delays, and vice versa.
        self._id_rng = random.Random(f"{seed}:ids") if seed is not None else random.Random()
        self._delay_rng = random.Random(f"{seed}:delays") if seed is not None else random.Random()
        self._by_id: dict[str, Invalidation] = {}
        self._order: list[Invalidation] = []  # oldest first
        self._by_reference: dict[str, Invalidation] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._auto_reference = 0
        self._wildcards_in_progress = self._files_in_progress = 0

    def create(
        self, paths: Sequence[str], caller_reference: str, *, limited: bool = True
    ) -> Invalidation:
        """Start an invalidation (needs a running event loop: each POP gets a task).

        ``limited=False``: neither checked against nor counted in the in-progress limits
        (another vendor's purges through the same mechanism, e.g. imgix, which has none)."""
        checked = self._checked_batch(paths, caller_reference)
        existing = self._by_reference.get(caller_reference)
        if existing is not None:
            if sorted(existing.paths) == sorted(checked):
                return existing
            raise InvalidationBatchAlreadyExists(
                f"CallerReference {caller_reference!r} was already used with other paths (invalidation {existing.id})"
            )
        if limited:
            self._check_in_progress(checked)
        now = self.clock.now()
        drawn = {t.pop_id: self.delays.draw(t.pop_id, self._delay_rng) for t in self.targets}
        floor = drawn.get(self.tier_above, 0.0) if self.tier_above else 0.0
        pops = []
        for target in self.targets:
            delay = max(drawn[target.pop_id], floor)
            pops.append(PopProgress(target.pop_id, delay, now + delay))
        invalidation = Invalidation(
            self._new_id(), checked, caller_reference, now, pops, limited=limited
        )
        self._by_id[invalidation.id] = invalidation
        self._order.append(invalidation)
        self._by_reference[caller_reference] = invalidation
        if limited:
            self._count_in_progress(checked, +1)
        self.events.append(
            "edge",
            "invalidation_created",
            id=invalidation.id,
            paths=list(checked),
            callerReference=caller_reference,
            delays={p.pop: p.delay for p in pops},
        )
        log.info("invalidation %s: %d paths, %d POPs", invalidation.id, len(checked), len(pops))
        self._start(invalidation)
        return invalidation

    async def purge(
        self, paths: Sequence[str], caller_reference: str | None = None
    ) -> Invalidation:
        """Purge by exact URL or prefix through the same mechanism: an invalidation.

        When every POP's delay is 0 (the rfc9111 profile) this returns once all have purged.
        """
        if caller_reference is None:
            self._auto_reference += 1
            caller_reference = f"purge-{self.clock.now():.6f}-{self._auto_reference}"
        invalidation = self.create(paths, caller_reference)
        if all(p.delay == 0 for p in invalidation.pops):
            await self.wait_completed(invalidation.id)
        return invalidation

    def get(self, invalidation_id: str) -> Invalidation:
        try:
            return self._by_id[invalidation_id]
        except KeyError:
            raise NoSuchInvalidation(
                f"the invalidation {invalidation_id[:64]!r} does not exist"
            ) from None

    def list(self, marker: str | None = None, max_items: int = 100) -> InvalidationPage:
        """Newest first; ``marker`` is the id of the last invalidation of the previous page."""
        if not 1 <= max_items <= 1000:
            raise InvalidArgument("MaxItems must be between 1 and 1000")
        newest_first = self._order[::-1]
        start = 0
        if marker:
            if marker not in self._by_id:
                raise InvalidArgument(
                    f"Marker {marker[:64]!r} is not an invalidation id of this distribution"
                )
            start = newest_first.index(self._by_id[marker]) + 1
        items = newest_first[start : start + max_items]
        more = start + max_items < len(newest_first)
        return InvalidationPage(
            items, marker or "", max_items, items[-1].id if more and items else None
        )

    def progress_by_pop(self) -> dict[str, tuple[int, int]]:
        """Per POP: how many invalidations it has still to apply, and how many it applied."""
        counts = {target.pop_id: [0, 0] for target in self.targets}
        for invalidation in self._order:
            for progress in invalidation.pops:
                counts[progress.pop][progress.applied_at is not None] += 1
        return {pop: (pending, applied) for pop, (pending, applied) in counts.items()}

    async def wait_completed(self, invalidation_id: str) -> Invalidation:
        invalidation = self.get(invalidation_id)
        await invalidation._done.wait()
        return invalidation

    async def reset(self, seed: int | None) -> None:
        """Forget every invalidation (pending ones are cancelled) and draw ids and delays
        afresh from ``seed``: the service as just started."""
        await self.aclose()
        self._id_rng = random.Random(f"{seed}:ids") if seed is not None else random.Random()
        self._delay_rng = random.Random(f"{seed}:delays") if seed is not None else random.Random()
        self._by_id.clear()
        self._order.clear()
        self._by_reference.clear()
        self._auto_reference = 0
        self._wildcards_in_progress = self._files_in_progress = 0

    def close(self) -> None:
        """Cancel every pending POP task (for the app's cleanup)."""
        for task in list(self._tasks):
            task.cancel()

    async def aclose(self) -> None:
        tasks = list(self._tasks)
        self.close()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _checked_batch(self, paths: Sequence[str], caller_reference: str) -> tuple[str, ...]:
        if not isinstance(caller_reference, str) or not caller_reference:
            raise InvalidArgument("a CallerReference is required")
        if len(caller_reference) > MAX_CALLER_REFERENCE:
            raise InvalidArgument(
                f"a CallerReference has at most {MAX_CALLER_REFERENCE} characters"
            )
        if not _CALLER_REFERENCE.fullmatch(caller_reference):
            raise InvalidArgument("a CallerReference must not contain control characters")
        if isinstance(paths, str) or not paths:
            raise InvalidArgument("an invalidation needs at least one path")
        if len(paths) > self.limits.max_paths_per_batch:
            raise BatchTooLarge(
                f"{len(paths)} paths in one invalidation; at most {self.limits.max_paths_per_batch} are allowed"
            )
        try:
            return tuple(validate_path(p) for p in paths)
        except InvalidPath as exc:
            raise InvalidArgument(
                f"Your request contains one or more invalid invalidation paths: {exc}"
            ) from None

    def _check_in_progress(self, paths: tuple[str, ...]) -> None:
        wildcards, files = _wildcards_and_files(paths)
        wildcards += self._wildcards_in_progress
        files += self._files_in_progress
        if wildcards > self.limits.max_wildcards_in_progress:
            raise TooManyInvalidationsInProgress(
                f"at most {self.limits.max_wildcards_in_progress} wildcard paths may be in progress; "
                f"this request would make {wildcards}"
            )
        if files > self.limits.max_files_in_progress:
            raise TooManyInvalidationsInProgress(
                f"at most {self.limits.max_files_in_progress} file paths may be in progress; "
                f"this request would make {files}"
            )

    def _count_in_progress(self, paths: tuple[str, ...], sign: int) -> None:
        wildcards, files = _wildcards_and_files(paths)
        self._wildcards_in_progress += sign * wildcards
        self._files_in_progress += sign * files

    def _start(self, invalidation: Invalidation) -> None:
        if not invalidation.pops:
            self._complete(invalidation)
        patterns = list(dict.fromkeys(invalidation.paths))
        loop = asyncio.get_running_loop()
        for target, progress in zip(self.targets, invalidation.pops, strict=True):
            task = loop.create_task(self._apply(invalidation, progress, target, patterns))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _apply(
        self,
        invalidation: Invalidation,
        progress: PopProgress,
        target: PurgeTarget,
        patterns: Sequence[str],
    ) -> None:
        # Until the due time, not for the delay: a task that starts late still applies on time.
        await self.clock.sleep_until(progress.due_at)
        backoff = _RETRY_FIRST
        while True:
            progress.attempts += 1
            try:
                purged = await target.purge(patterns)
                break
            # A POP in another process may be briefly unreachable, and whatever goes wrong
            # in one POP must not stop the others: log it, and try again later.
            except Exception as exc:  # noqa: BLE001
                progress.last_error = f"{type(exc).__name__}: {exc}"
                log.warning(
                    "invalidation %s on %s failed (attempt %d): %s",
                    invalidation.id,
                    progress.pop,
                    progress.attempts,
                    progress.last_error,
                )
                self.events.append(
                    "edge",
                    "invalidation_apply_failed",
                    id=invalidation.id,
                    pop=progress.pop,
                    attempt=progress.attempts,
                    error=progress.last_error,
                )
                await self.clock.sleep(backoff)
                backoff = min(backoff * 2, _RETRY_MAX)
        progress.applied_at, progress.purged = self.clock.now(), purged
        self.events.append(
            "edge",
            "invalidation_applied",
            id=invalidation.id,
            pop=progress.pop,
            delay=progress.delay,
            purged=purged,
        )
        if all(p.applied_at is not None for p in invalidation.pops):
            self._complete(invalidation)

    def _complete(self, invalidation: Invalidation) -> None:
        invalidation.completed_at = self.clock.now()
        if invalidation.limited:
            self._count_in_progress(invalidation.paths, -1)
        invalidation._done.set()
        self.events.append(
            "edge",
            "invalidation_completed",
            id=invalidation.id,
            duration=invalidation.completed_at - invalidation.create_time,
        )
        log.info("invalidation %s completed", invalidation.id)

    def _new_id(self) -> str:
        while True:
            candidate = "I" + "".join(self._id_rng.choices(_ID_ALPHABET, k=13))
            if candidate not in self._by_id:
                return candidate


def _wildcards_and_files(paths: Sequence[str]) -> tuple[int, int]:
    wildcards = sum(1 for p in paths if is_wildcard(p))
    return wildcards, len(paths) - wildcards
