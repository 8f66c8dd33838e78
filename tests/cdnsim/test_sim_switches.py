"""/_sim/bugs and /_sim/faults: bug switches and origin faults at run time, validated
before anything changes."""

from __future__ import annotations

from cdnsim.aggregator_config import aggregator_settings_from_args
from cdnsim.cli import build_parser
from tests.cdnsim.conftest import Running

OFF = {
    "s3-delete-after-edge": None,
    "drop-writes-during-flush": None,
    "keep-s3-variants": False,
    "ignore-location-config-changes": False,
    "accept-not-in-key": False,
    "flush-duration": 0.0,
    "fix-invalidate-on-fallback-change": False,
}


async def _call(run: Running, method: str, path: str, body: object = None) -> tuple[int, dict]:  # type: ignore[type-arg]
    async with run.http.request(method, run.stack.edge.control_url + path, json=body) as response:  # type: ignore[union-attr]
        return response.status, await response.json()


async def test_bug_switches_turn_on_and_off_and_bad_values_change_nothing(running: Running):
    assert await _call(running, "GET", "/_sim/bugs") == (200, OFF)
    status, state = await _call(
        running, "PUT", "/_sim/bugs", {"keep-s3-variants": True, "s3-delete-after-edge": 90}
    )
    assert status == 200 and state["keep-s3-variants"] and state["s3-delete-after-edge"] == 90
    assert running.stack.aggregator.settings.keep_s3_variants  # type: ignore[union-attr]
    for bad in (
        {"no-such-bug": True},
        {"keep-s3-variants": "yes"},
        {"s3-delete-after-edge": -1},
        {"ignore-location-config-changes": True, "flush-duration": "long"},
    ):
        status, body = await _call(running, "PUT", "/_sim/bugs", bad)
        assert status == 400 and body["code"] == "bad_request", bad
    status, state = await _call(running, "GET", "/_sim/bugs")
    assert state["ignore-location-config-changes"] is False  # the refused batch left nothing behind
    status, state = await _call(
        running, "PUT", "/_sim/bugs", {"keep-s3-variants": False, "s3-delete-after-edge": None}
    )
    assert state == OFF


async def test_the_fallback_fix_switches_on_and_off_at_run_time(running: Running):
    status, state = await _call(
        running, "PUT", "/_sim/bugs", {"fix-invalidate-on-fallback-change": True}
    )
    assert status == 200 and state == {**OFF, "fix-invalidate-on-fallback-change": True}
    assert running.stack.aggregator.settings.invalidate_on_fallback_change  # type: ignore[union-attr]
    status, body = await _call(
        running, "PUT", "/_sim/bugs", {"fix-invalidate-on-fallback-change": "yes"}
    )
    assert status == 400 and body["field"] == "fix-invalidate-on-fallback-change"
    assert running.stack.aggregator.settings.invalidate_on_fallback_change  # type: ignore[union-attr]
    status, state = await _call(
        running, "PUT", "/_sim/bugs", {"fix-invalidate-on-fallback-change": False}
    )
    assert state == OFF and not running.stack.aggregator.settings.invalidate_on_fallback_change  # type: ignore[union-attr]


def test_the_fallback_fix_is_a_flag_of_up_origin_and_aggregator():
    for command in ("up", "origin", "aggregator"):
        args = build_parser().parse_args([command])
        assert not aggregator_settings_from_args(args).invalidate_on_fallback_change
        args = build_parser().parse_args([command, "--fix-invalidate-on-fallback-change"])
        assert aggregator_settings_from_args(args).invalidate_on_fallback_change, command


async def test_the_accept_bug_drops_vary_and_accept_from_the_key(running: Running):
    await running.admin_call(
        "PUT", "/adminAPI/imageLocationConfig/thumb", json={"width": 160, "height": 90}
    )
    pack = (await running.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
    await running.upload(pack, "main", (200, 0, 0))
    await _call(running, "PUT", "/_sim/bugs", {"accept-not-in-key": True})
    url = running.stack.edge.pop_urls["pop-1"] + f"/api/v2/img/{pack}?location=thumb"  # type: ignore[union-attr]
    async with running.http.get(url, headers={"Accept": "image/webp"}) as response:
        assert response.content_type == "image/webp" and "Vary" not in response.headers
    async with running.http.get(url, headers={"Accept": "image/jpeg"}) as response:
        assert response.content_type == "image/webp"  # the bug: one browser's format for all


async def test_origin_faults_down_slow_and_up(running: Running):
    pack = (await running.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
    await running.upload(pack, "main", (0, 0, 200))
    url = running.stack.edge.pop_urls["pop-1"] + f"/api/v2/img/{pack}?width=40&height=40"  # type: ignore[union-attr]
    assert (await _call(running, "PUT", "/_sim/faults", {"origin": "down"}))[1]["origin"] == "down"
    async with running.http.get(url) as response:
        assert response.status == 502  # nothing cached, nobody listening
    status, body = await _call(running, "PUT", "/_sim/faults", {"origin": "slow"})
    assert status == 400 and body["field"] == "seconds"
    status, body = await _call(running, "PUT", "/_sim/faults", {"origin": "sideways"})
    assert status == 400
    assert (await _call(running, "PUT", "/_sim/faults", {"origin": "up"}))[1] == {
        "origin": "up",
        "seconds": None,
        "held": 0,
    }
    async with running.http.get(url) as response:
        assert response.status == 200
