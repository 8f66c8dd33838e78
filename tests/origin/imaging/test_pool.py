"""RenderPool: renders run in separate worker processes, errors come back as themselves, a
dead worker does not take the pool down, and workers=0 renders in-process."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Iterator

import pytest

from imaging.errors import ImageTooLarge, UnreadableImage
from origin.imaging.pool import RenderPool
from origin.imaging.spec import RenderSpec
from tests.imaging.pictures import decode, encode, photo_like

SOURCE = encode(photo_like(800, 600), "JPEG", quality=90)


@pytest.fixture
def pool() -> Iterator[RenderPool]:
    render_pool = RenderPool(2)
    yield render_pool
    render_pool.close()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def test_renders_run_concurrently_in_worker_processes(pool: RenderPool) -> None:
    specs = [RenderSpec(200, None), RenderSpec(100, 100, format="png")]
    first, second = await asyncio.gather(*(pool.render(SOURCE, spec) for spec in specs))
    assert decode(first.body).size == (200, 150) and decode(second.body).format == "PNG"
    pids = pool.worker_pids()
    assert len(pids) == 2 and os.getpid() not in pids
    assert all(alive(pid) for pid in pids)


async def test_closing_the_pool_stops_its_workers(pool: RenderPool) -> None:
    await pool.render(SOURCE, RenderSpec(50, None))
    pids = pool.worker_pids()
    pool.close()
    assert pids and not any(alive(pid) for pid in pids)
    with pytest.raises(RuntimeError, match="closed"):
        await pool.render(SOURCE, RenderSpec(50, None))


async def test_render_errors_cross_the_process_boundary_as_themselves(pool: RenderPool) -> None:
    with pytest.raises(UnreadableImage):
        await pool.render(b"definitely not an image", RenderSpec(50, None))
    with pytest.raises(ImageTooLarge):
        await pool.render(SOURCE, RenderSpec(50, None, max_source_pixels=1000))
    assert (await pool.render(SOURCE, RenderSpec(50, None))).width == 50  # the pool still works


async def test_killed_workers_are_replaced_and_rendering_goes_on(pool: RenderPool) -> None:
    await pool.render(SOURCE, RenderSpec(50, None))
    killed = pool.worker_pids()
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    # No old worker can serve these: they succeed only on a pool that was started anew.
    specs = [RenderSpec(80, None), RenderSpec(40, 40, format="png"), RenderSpec(60, None)]
    rendered = await asyncio.gather(*(pool.render(SOURCE, spec) for spec in specs))
    assert [decode(r.body).size for r in rendered] == [(80, 60), (40, 40), (60, 45)]
    assert pool.worker_pids() and not set(pool.worker_pids()) & set(killed)


async def test_zero_workers_renders_in_a_thread_of_this_process() -> None:
    in_process = RenderPool(0)
    try:
        rendered = await in_process.render(SOURCE, RenderSpec(64, 48, format="webp"))
        assert decode(rendered.body).size == (64, 48)
        assert in_process.worker_pids() == []
    finally:
        in_process.close()


def test_a_negative_worker_count_is_refused() -> None:
    with pytest.raises(ValueError, match="workers"):
        RenderPool(-1)


async def test_originals_reach_workers_whole_through_shared_memory_freed_at_close() -> None:
    """Originals of different sizes, many at once: each worker renders exactly the bytes it
    was given (equal to an in-process render), the blocks are reused, and none is left."""
    from pathlib import Path

    from origin.imaging.pipeline import render_variant

    pool = RenderPool(2)
    small = encode(photo_like(300, 200), "PNG")
    sources = [SOURCE, small] * 6
    try:
        spec = RenderSpec(120, 80, format="png")
        blocks = pool._blocks
        assert blocks is not None
        names: set[str] = set()
        for _ in range(2):  # the second round finds the first round's blocks idle
            rendered = await asyncio.gather(*(pool.render(source, spec) for source in sources))
            for source, result in zip(sources, rendered, strict=True):
                assert result.body == render_variant(source, spec).body
            names |= {block.name for block in blocks._idle}
        assert len(names) <= len(sources)  # reused: no block was made for the second round
    finally:
        pool.close()
    assert not any((Path("/dev/shm") / name).exists() for name in names)
