"""The origin's render pool starts its workers on the first render, not with the app."""

from __future__ import annotations

import pytest

from origin.imaging.spec import RenderSpec
from origin.serving.render_pool import OnDemandRenderPool
from tests.origin.serving.fixtures import decode, image_bytes


async def test_nothing_starts_until_the_first_render() -> None:
    pool = OnDemandRenderPool(0)
    try:
        assert pool._pool is None
        rendered = await pool.render(image_bytes((40, 20)), RenderSpec(10, 5, format="png"))
        assert decode(rendered.body).size == (10, 5)
        assert pool._pool is not None
    finally:
        pool.close()


async def test_a_closed_pool_refuses_to_render() -> None:
    pool = OnDemandRenderPool(0)
    pool.close()
    with pytest.raises(RuntimeError):
        await pool.render(image_bytes((4, 4)), RenderSpec(2, 2))


def test_a_negative_worker_count_is_refused() -> None:
    with pytest.raises(ValueError):
        OnDemandRenderPool(-1)
