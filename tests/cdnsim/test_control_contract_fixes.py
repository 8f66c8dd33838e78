"""What schemathesis found against the control API's document, each fixed in the code, and
the documents the control app serves (its own, and the CloudFront-compatible API's)."""

from __future__ import annotations

from typing import Any

import pytest

from cdnsim.sim_control import MAX_ADVANCE
from tests.cdnsim.conftest import Running


async def _call(running: Running, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    url = running.stack.edge.control_url + path  # type: ignore[union-attr]
    async with running.http.request(method, url, json=body) as response:
        return response.status, await response.json()


@pytest.mark.parametrize("since", ["%C2%B2", "%D9%A3", "1e3", "-1"])
async def test_event_positions_are_ascii_digits_or_a_400(running: Running, since: str):
    # '²' and '٣' are digits to str.isdigit(), which int() then refused: a 500.
    status, body = await _call(running, "GET", f"/_edge/events?since={since}")
    assert (status, body["code"]) == (400, "bad_parameter")


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/_edge/purge", {"paths": ["/a"], "extra": 1}),
        ("/_edge/purge", {"paths": ["/a"], "callerReference": None}),
        ("/_sim/clock/advance", {"seconds": 1, "extra": 1}),
        ("/_sim/clock/advance", {"seconds": MAX_ADVANCE + 1}),
        ("/_sim/seed", {"seed": 2**63}),
        ("/_sim/seed", {"seed": 1, "x": 2}),
    ],
)
async def test_unknown_members_nulls_and_out_of_range_values_are_refused(
    running: Running, path: str, body: Any
):
    status, answer = await _call(running, "POST", path, body)
    assert status == 400, answer


async def test_a_fault_checks_seconds_whenever_they_are_given(running: Running):
    status, _ = await _call(running, "PUT", "/_sim/faults", {"origin": "up", "seconds": "x"})
    assert status == 400
    status, state = await _call(running, "PUT", "/_sim/faults", {"origin": "up", "seconds": 5})
    assert status == 200 and state["seconds"] is None


async def test_a_seed_of_five_point_zero_is_the_integer_five(running: Running):
    assert await _call(running, "POST", "/_sim/seed", {"seed": 5.0}) == (200, {"seed": 5})


async def test_the_control_app_serves_both_documents_unsigned(running: Running):
    status, control = await _call(running, "GET", "/openapi.json")
    assert status == 200 and "/_sim/clock/advance" in control["paths"]
    assert "/_edge/purge" in control["paths"]
    status, cloudfront = await _call(running, "GET", "/2020-05-31/openapi.json")
    assert status == 200
    assert set(cloudfront["paths"]) == {
        "/2020-05-31/distribution/{DistributionId}/invalidation",
        "/2020-05-31/distribution/{DistributionId}/invalidation/{Id}",
    }
