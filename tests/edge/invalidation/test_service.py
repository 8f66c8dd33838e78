"""The invalidation service on a manual clock: per-POP delays, status, idempotency, limits."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

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
from edge.invalidation.service import (
    COMPLETED,
    IN_PROGRESS,
    InvalidationLimits,
    InvalidationService,
)
from tests.edge.invalidation.memory_pop import MemoryPop

DIST = "ETESTDIST0001"


def make_service(
    clock: Clock,
    events: EventLog,
    pops: Sequence[MemoryPop],
    delays: DelayModel,
    *,
    seed: int | None = 7,
    limits: InvalidationLimits | None = None,
) -> InvalidationService:
    return InvalidationService(
        clock, events, pops, delays, distribution_id=DIST, seed=seed, limits=limits
    )


async def test_each_pop_applies_after_its_own_delay_and_completion_waits_for_the_last(
    clock: Clock, events: EventLog
) -> None:
    pops = [MemoryPop("pop-a"), MemoryPop("pop-b"), MemoryPop("pop-c")]
    delays = DelayModel.fixed(0, per_pop={"pop-a": 10, "pop-b": 30, "pop-c": 60})
    service = make_service(clock, events, pops, delays)
    start = clock.now()
    inv = service.create(["/img/a.jpg*"], "ref-1")

    await clock.advance(9)
    assert all("/img/a.jpg" in pop.entries for pop in pops)
    assert inv.status == IN_PROGRESS

    await clock.advance(1)
    assert set(pops[0].entries) == {"/img/b.jpg", "/other/c.jpg"}
    assert "/img/a.jpg" in pops[1].entries
    assert inv.status == IN_PROGRESS

    await clock.advance(20)
    assert "/img/a.jpg?w=10" not in pops[1].entries
    assert "/img/a.jpg" in pops[2].entries
    await clock.advance(29)
    assert service.get(inv.id).status == IN_PROGRESS

    await clock.advance(1)
    assert service.get(inv.id).status == COMPLETED
    assert set(pops[2].entries) == {"/img/b.jpg", "/other/c.jpg"}
    assert [(p.pop, p.applied_at, p.purged) for p in inv.pops] == [
        ("pop-a", start + 10, 2),
        ("pop-b", start + 30, 2),
        ("pop-c", start + 60, 2),
    ]
    assert inv.completed_at == start + 60


async def test_events_record_creation_each_pop_and_completion(
    clock: Clock, events: EventLog
) -> None:
    pops = [MemoryPop("pop-a"), MemoryPop("pop-b")]
    service = make_service(
        clock, events, pops, DelayModel.fixed(0, per_pop={"pop-a": 5, "pop-b": 15})
    )
    inv = service.create(["/img/b.jpg", "/nothing/here"], "ref-events")
    await clock.advance(15)

    kinds = ("invalidation_created", "invalidation_applied", "invalidation_completed")
    recorded = [(e.kind, e.data, e.time - inv.create_time) for e in events.read(kinds=kinds)]
    assert recorded == [
        (
            "invalidation_created",
            {
                "id": inv.id,
                "paths": ["/img/b.jpg", "/nothing/here"],
                "callerReference": "ref-events",
                "delays": {"pop-a": 5.0, "pop-b": 15.0},
            },
            0,
        ),
        ("invalidation_applied", {"id": inv.id, "pop": "pop-a", "delay": 5.0, "purged": 1}, 5),
        ("invalidation_applied", {"id": inv.id, "pop": "pop-b", "delay": 15.0, "purged": 1}, 15),
        ("invalidation_completed", {"id": inv.id, "duration": 15.0}, 15),
    ]
    assert all(e.component == "edge" for e in events.read(kinds=kinds))


async def test_wait_completed_returns_once_the_clock_reaches_the_slowest_pop(
    clock: Clock, events: EventLog
) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(42))
    inv = service.create(["/other/*"], "ref-wait")
    await clock.advance(42)
    done = await service.wait_completed(inv.id)
    assert done.status == COMPLETED
    assert done.completed_at == inv.create_time + 42


async def test_a_seeded_service_draws_the_same_ids_and_delays_every_run(
    clock: Clock, events: EventLog
) -> None:
    def run(seed: int) -> list[tuple[str, list[float]]]:
        pops = [MemoryPop(f"pop-{n}") for n in range(4)]
        service = make_service(clock, events, pops, DelayModel.uniform(10, 100), seed=seed)
        invs = [service.create([f"/img/{n}.jpg"], f"ref-{n}") for n in range(3)]
        service.close()
        return [(inv.id, [p.delay for p in inv.pops]) for inv in invs]

    first, again, other = run(1), run(1), run(2)
    assert first == again
    assert first != other
    for inv_id, delays in first:
        assert len(inv_id) == 14 and inv_id[0] == "I" and inv_id.isalnum() and inv_id.isupper()
        assert all(10 <= d <= 100 for d in delays)
    assert len({d for _, delays in first for d in delays}) == 12


async def test_the_same_caller_reference_and_paths_return_the_existing_invalidation(
    clock: Clock, events: EventLog
) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(10))
    inv = service.create(["/img/a.jpg", "/img/b.jpg"], "ref-same")
    again = service.create(["/img/b.jpg", "/img/a.jpg"], "ref-same")
    assert again is inv
    assert len(events.read(kinds=["invalidation_created"])) == 1
    assert len(service.list().items) == 1

    with pytest.raises(InvalidationBatchAlreadyExists, match=inv.id) as refused:
        service.create(["/img/c.jpg"], "ref-same")
    assert refused.value.status == 409
    service.close()


async def test_wildcard_paths_in_progress_are_limited_until_earlier_ones_complete(
    clock: Clock, events: EventLog
) -> None:
    limits = InvalidationLimits(max_wildcards_in_progress=3)
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(30), limits=limits)
    service.create(["/a/*", "/b/*", "/exact.jpg"], "ref-1")
    with pytest.raises(TooManyInvalidationsInProgress, match="at most 3 wildcard") as refused:
        service.create(["/c/*", "/d/*"], "ref-2")
    assert refused.value.status == 400
    service.create(["/c/*"], "ref-3")
    await clock.advance(30)
    second = service.create(["/c/*", "/d/*"], "ref-2")
    assert second.status == IN_PROGRESS
    service.close()


async def test_file_paths_in_progress_are_limited_separately(
    clock: Clock, events: EventLog
) -> None:
    limits = InvalidationLimits(max_files_in_progress=2, max_wildcards_in_progress=1)
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(30), limits=limits)
    service.create(["/1.jpg", "/w/*"], "ref-1")
    with pytest.raises(TooManyInvalidationsInProgress, match="file paths"):
        service.create(["/2.jpg", "/3.jpg"], "ref-2")
    service.create(["/2.jpg"], "ref-3")
    service.close()


async def test_unlimited_invalidations_neither_wait_for_nor_use_up_the_limits(
    clock: Clock, events: EventLog
) -> None:
    limits = InvalidationLimits(max_wildcards_in_progress=1)
    pop = MemoryPop("pop-a")
    service = make_service(clock, events, [pop], DelayModel.fixed(30), limits=limits)
    service.create(["/a/*"], "ref-1")
    vendor = [service.create([f"/v/{n}/*"], f"vendor-{n}", limited=False) for n in range(5)]
    with pytest.raises(TooManyInvalidationsInProgress):
        service.create(["/b/*"], "ref-2")
    await clock.advance(30)
    assert all(v.status == COMPLETED for v in vendor)
    service.create(["/b/*"], "ref-2")  # completing the vendor's never freed what they did not take
    with pytest.raises(TooManyInvalidationsInProgress):
        service.create(["/c/*"], "ref-3")
    service.close()


async def test_a_batch_over_the_path_limit_is_too_large(clock: Clock, events: EventLog) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(1))
    with pytest.raises(BatchTooLarge, match="at most 3000") as refused:
        service.create([f"/img/{n}.jpg" for n in range(3001)], "ref-big")
    assert refused.value.status == 413
    assert service.list().items == []


@pytest.mark.parametrize(
    ("paths", "reference", "message"),
    [
        ([], "ref", "at least one path"),
        (["/img/*/a.jpg"], "ref", "last character"),
        (["img/a.jpg"], "ref", "begin with '/'"),
        (["/ok", "/has space"], "ref", "whitespace"),
        (["/ok"], "", "CallerReference is required"),
        (["/ok"], "x" * 1025, "at most 1024"),
        (["/ok"], "bad\nref", "control characters"),
    ],
)
async def test_bad_batches_are_refused_and_nothing_is_created(
    clock: Clock, events: EventLog, paths: list[str], reference: str, message: str
) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(1))
    with pytest.raises(InvalidArgument, match=message):
        service.create(paths, reference)
    assert service.list().items == []
    assert events.read(kinds=["invalidation_created"]) == []


async def test_list_is_newest_first_and_pages_with_the_last_id_as_marker(
    clock: Clock, events: EventLog
) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(5))
    created = [service.create([f"/img/{n}.jpg"], f"ref-{n}") for n in range(5)]
    await clock.advance(5)
    newest_first = [inv.id for inv in reversed(created)]

    first = service.list(max_items=2)
    assert [i.id for i in first.items] == newest_first[:2]
    assert first.is_truncated and first.next_marker == newest_first[1]
    second = service.list(first.next_marker, 2)
    assert [i.id for i in second.items] == newest_first[2:4]
    last = service.list(second.next_marker, 2)
    assert [i.id for i in last.items] == newest_first[4:]
    assert not last.is_truncated and last.next_marker is None
    assert all(i.status == COMPLETED for i in first.items)


@pytest.mark.parametrize(("marker", "max_items"), [("INOSUCHMARKER1", 10), (None, 0), (None, 1001)])
async def test_list_refuses_unknown_markers_and_page_sizes_out_of_range(
    clock: Clock, events: EventLog, marker: str | None, max_items: int
) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(5))
    with pytest.raises(InvalidArgument):
        service.list(marker, max_items)


async def test_get_of_an_unknown_id_is_no_such_invalidation(clock: Clock, events: EventLog) -> None:
    service = make_service(clock, events, [MemoryPop("pop-a")], DelayModel.fixed(5))
    with pytest.raises(NoSuchInvalidation) as refused:
        service.get("IDOESNOTEXIST1")
    assert refused.value.status == 404


async def test_an_unreachable_pop_is_retried_and_completion_waits_for_it(
    clock: Clock, events: EventLog
) -> None:
    healthy, flaky = MemoryPop("pop-a"), MemoryPop("pop-b")
    flaky.online = False
    service = make_service(clock, events, [healthy, flaky], DelayModel.fixed(10))
    inv = service.create(["/img/*"], "ref-flaky")
    await clock.advance(10)
    assert inv.status == IN_PROGRESS
    assert [p.status for p in inv.pops] == ["Applied", "Retrying"]
    failed = events.read(kinds=["invalidation_apply_failed"])
    assert [(e.data["pop"], e.data["attempt"]) for e in failed] == [("pop-b", 1)]

    flaky.online = True
    await clock.advance(5)
    assert inv.status == COMPLETED
    assert inv.pops[1].applied_at == inv.create_time + 15
    assert set(flaky.entries) == {"/other/c.jpg"}


async def test_without_pops_an_invalidation_completes_at_once(
    clock: Clock, events: EventLog
) -> None:
    service = make_service(clock, events, [], DelayModel.fixed(10))
    assert service.create(["/*"], "ref-none").status == COMPLETED


async def test_purge_with_zero_delays_returns_after_every_pop_purged(
    clock: Clock, events: EventLog
) -> None:
    pops = [MemoryPop("pop-a"), MemoryPop("pop-b")]
    service = make_service(clock, events, pops, DelayModel.for_profile("rfc9111"))
    inv = await service.purge(["/img/a.jpg?w=10", "/other*"])
    assert inv.status == COMPLETED
    assert all(set(pop.entries) == {"/img/a.jpg", "/img/b.jpg"} for pop in pops)
    second = await service.purge(["/img/a.jpg"])
    assert second.id != inv.id and second.caller_reference != inv.caller_reference


async def test_purge_with_delays_goes_through_the_same_propagation(
    clock: Clock, events: EventLog
) -> None:
    pop = MemoryPop("pop-a")
    service = make_service(clock, events, [pop], DelayModel.fixed(20))
    inv = await service.purge(["/img/b.jpg"])
    assert inv.status == IN_PROGRESS and "/img/b.jpg" in pop.entries
    await clock.advance(20)
    assert inv.status == COMPLETED and "/img/b.jpg" not in pop.entries


async def test_closing_cancels_pending_pops(clock: Clock, events: EventLog) -> None:
    pop = MemoryPop("pop-a")
    service = make_service(clock, events, [pop], DelayModel.fixed(20))
    inv = service.create(["/img/*"], "ref-close")
    await service.aclose()
    assert clock.pending_deadlines() == []
    await clock.advance(60)
    assert inv.status == IN_PROGRESS
    assert "/img/a.jpg" in pop.entries
