"""Joining Locust's figures with the stack's: pure functions over a recorded run."""

from __future__ import annotations

from cdnsim.load import latency
from cdnsim.load.popularity import Viewer, catalogue, share_of_top, zipf_cumulative_weights
from cdnsim.load.report import Thresholds, join
from cdnsim.load.words import headline

T0 = 1_000.0


def _sample(
    t: float,
    pop_hits: int,
    pop_requests: int,
    shield_fetches: int,
    events=None,
    cpu=0.0,
    locust=0.0,
):
    pops = {
        "pop-1": {
            "role": "pop",
            "requests": pop_requests,
            "hits": pop_hits,
            "bypass": 0,
            "collapsed": 1,
            "origin_fetches": pop_requests - pop_hits,
        },
        "shield": {
            "role": "shield",
            "requests": pop_requests - pop_hits,
            "hits": 0,
            "bypass": 0,
            "collapsed": 0,
            "origin_fetches": shield_fetches,
        },
    }
    return {
        "t": T0 + t,
        "pops": pops,
        "events": events or {},
        "render_cpu_s": cpu,
        "locust_cpu_s": {"42": locust},
        "stack_cpu_s": None,
    }


def _second(requests: int, hits: int, latency_ms: dict[str, int], failures: int = 0):
    return {"requests": requests, "failures": failures, "hits": hits, "latency_ms": latency_ms}


def recording(samples, seconds, stats=None, warnings=()):
    return {
        "started": T0,
        "ended": T0 + 4,
        "warmup_s": 2.0,
        "cpu_count": 2,
        "settings": {"profile": "serving"},
        "locust": {
            "stats": stats
            or [
                {
                    "name": "pop-1 main",
                    "num_requests": 300,
                    "num_failures": 0,
                    "response_times": {"5": 280, "80": 20},
                },
            ],
            "log_warnings": list(warnings),
        },
        "timelines": [{"pid": 1, "seconds": seconds}],
        "samples": samples,
    }


def test_percentiles_of_a_histogram_use_the_nearest_rank():
    histogram = latency.merge([{"1": 50, "10": 45}, {10: 0, "100": 5}])
    assert latency.percentile(histogram, 0.5) == 1
    assert latency.percentile(histogram, 0.95) == 10
    assert latency.percentile(histogram, 0.99) == 100
    assert latency.percentile({}, 0.5) is None


def test_zipf_weights_favour_the_first_ranks_and_exponent_zero_is_uniform():
    assert share_of_top(100, 1.0, 10) > 0.5
    assert share_of_top(100, 0.0, 10) == 0.1
    assert zipf_cumulative_weights(3, 1.0) == [1.0, 1.5, 1.5 + 1 / 3]


def test_viewers_are_seeded_and_cover_packs_locations_and_widths():
    items = catalogue(["a", "b"], ["main", "thumb"], [0, 320], seed=3)
    assert len(items) == 8 and len({v.path for v in items}) == 8
    assert "/api/v2/img/a?location=thumb&width=320" in {v.path for v in items}
    draws = [Viewer(items, 1.0, seed=9).next() for _ in range(1)] + [
        Viewer(items, 1.0, seed=9).next()
    ]
    assert draws[0] == draws[1]


def test_the_report_joins_locust_totals_the_steady_window_and_the_edge_counters():
    samples = [
        _sample(0, 0, 0, 0),
        _sample(2, 80, 100, 20, {"render": 20}, cpu=0.4, locust=0.5),
        _sample(4, 278, 300, 22, {"render": 2}, cpu=0.04, locust=1.0),
    ]
    seconds = {str(int(T0) + s): _second(50, 40 + 2 * s, {"5": 45, "80": 5}) for s in range(4)}
    report = join(recording(samples, seconds), Thresholds(0.0, 50.0, 0.95))
    assert report["locust"]["requests"] == 300 and report["locust"]["p95_ms"] == 80
    assert report["locust"]["requests_per_s"] == 75.0
    # The stack over the whole run: 278/300 hits, the origin saw the shield's 22 fetches.
    assert report["stack"]["edge_hit_ratio"] == round(278 / 300, 4)
    assert report["stack"]["origin_offload"] == round(1 - 22 / 300, 4)
    assert report["stack"]["renders"] == 22 and report["stack"]["render_cpu_s"] == 0.44
    # After the 2 s warm-up: 198 of 200 edge requests hit, Locust's seconds 2 and 3.
    assert report["steady"]["edge_hit_ratio"] == 0.99
    assert report["steady"]["requests"] == 100 and report["steady"]["p95_ms"] == 80
    assert [row["renders"] for row in report["timeline"]] == [20, 2]
    assert [row["client_hit_ratio"] for row in report["timeline"]] == [0.82, 0.9]
    assert report["load_generator"]["share_of_machine"] == 0.125  # 1 CPU second over 4 s × 2 cores
    assert not report["load_generator"]["saturated"]
    by_name = {t["name"]: t for t in report["thresholds"]}
    assert by_name["edge_hit_ratio"]["ok"] and by_name["failure_ratio"]["ok"]
    assert not by_name["p95_ms"]["ok"] and report["passed"] is False


def test_a_forced_change_splits_the_run_into_phases_that_add_up_to_the_whole_run():
    samples = [
        _sample(0, 0, 0, 0),
        _sample(1, 0, 100, 96, {"render": 96}),  # the cold start: every variant once
        _sample(2, 100, 200, 96),
        _sample(3, 200, 300, 96, {"render": 4}),
        _sample(4, 300, 400, 96, {"location_config_saved": 1, "forced_change": 1}),
        _sample(5, 380, 500, 116, {"render": 96}),  # the stack's own earlier invalidation
        _sample(6, 480, 600, 116, {"invalidation_created": 1}),  # the change's tick
        _sample(7, 550, 700, 146, {"render": 30}),
        _sample(8, 640, 800, 156, {"render": 10}),
        _sample(9, 740, 900, 156),
        _sample(10, 840, 1000, 156),
    ]
    seconds = {str(int(T0) + s): _second(100, 90, {"5": 100}) for s in range(10)}
    report = join(recording(samples, seconds), Thresholds(None, None, None))
    names = [p["phase"] for p in report["phases"]]
    assert names == ["warm-up", "before", "waiting for the tick", "surge", "after"]
    by_name = {p["phase"]: p for p in report["phases"]}
    assert by_name["waiting for the tick"]["renders"] == 96  # not counted as the rebuild
    assert by_name["surge"]["renders"] == 40 and by_name["surge"]["peak_renders_per_interval"] == 30
    assert by_name["after"]["renders"] == 0 and by_name["after"]["edge_hit_ratio"] == 1.0
    # One total: the phases' renders are the whole run's (the cold start's included).
    assert sum(p["renders"] for p in report["phases"]) == report["stack"]["renders"] == 236
    assert report["passed"]  # no thresholds


def test_locust_cpu_warnings_or_a_busy_process_mark_the_generator_saturated():
    samples = [
        _sample(0, 0, 0, 0),
        _sample(2, 100, 100, 0, locust=0.1),
        _sample(4, 200, 200, 0, locust=2.0),
    ]
    report = join(recording(samples, {}), Thresholds(None, None, None))
    assert report["load_generator"]["busiest_process_share_of_core"] == 0.95
    assert report["load_generator"]["saturated"]
    quiet = [_sample(0, 0, 0, 0), _sample(4, 100, 100, 0, locust=0.1)]
    warned = join(
        recording(quiet, {}, warnings=["CPU usage above 90%!"]), Thresholds(None, None, None)
    )
    assert warned["load_generator"]["saturated"]


def test_locust_writing_its_reports_after_the_last_request_is_not_saturation():
    samples = [
        _sample(0, 0, 0, 0),
        _sample(2, 100, 100, 0, locust=0.5),
        _sample(3, 150, 150, 0, locust=1.0),
        _sample(4, 150, 150, 0, locust=1.99),
    ]  # the last second: no requests, a busy Locust
    seconds = {str(int(T0) + s): _second(50, 50, {"5": 50}) for s in range(3)}
    report = join(recording(samples, seconds), Thresholds(None, None, None))
    assert report["load_generator"]["busiest_process_share_of_core"] == 0.5
    assert not report["load_generator"]["saturated"]


def test_no_requests_fail_the_failure_threshold():
    report = join(
        recording(
            [_sample(0, 0, 0, 0), _sample(4, 0, 0, 0)],
            {},
            stats=[{"name": "x", "num_requests": 0, "num_failures": 0, "response_times": {}}],
        ),
        Thresholds(0.0, None, None),
    )
    assert report["thresholds"][0]["ok"] is False
    # No ratio to show (a 0 beside "limit ≤ 0" and FAIL read as a contradiction), and the
    # headline says why instead of naming the thresholds "missed".
    assert report["thresholds"][0]["value"] is None
    assert headline(report).startswith("FAILED: Locust made no requests, so nothing was measured")
