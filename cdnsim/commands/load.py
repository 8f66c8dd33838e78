"""``cdnsim load``: Locust, headless in its own processes, against a running stack (its
ready file) or one started here (``cdnsim up --demo``); prints and writes (JSON, HTML) a
report joining Locust's figures with the stack's. Thresholds give a non-zero exit code.

Profiles: serving (Zipf viewers over the POPs), admin-churn (viewers and admin writes),
rebuild (viewers, then a forced location change part-way). The load generator and the
stack share this machine's cores unless --target names a stack elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
from pathlib import Path
from typing import Any

from cdnsim.load.html import render
from cdnsim.load.report import Thresholds, join
from cdnsim.load.runner import PROFILES, free_port, record
from cdnsim.load.settings import LoadSettings
from cdnsim.load.words import headline, saturation_note
from cdnsim.usage import (
    UsageError,
    at_least,
    check_can_listen,
    non_negative_float,
    port,
    positive_float,
)
from scenarios.target import Target, TargetError

# Per profile: thresholds (failure ratio, p95 ms, hit ratio; None: not checked) and the
# flags given to the `cdnsim up --demo` started when there is no --target.
DEFAULTS: dict[str, dict[str, Any]] = {
    "serving": {"thresholds": Thresholds(0.0, 50.0, 0.95), "stack": []},
    # 20× simulated time too: the aggregator's tick every 15 s, so the admin writes of a run
    # of a minute are invalidated within it (on the real clock the first tick came after
    # 300 s: 40 writes, no invalidation).
    "admin-churn": {
        "thresholds": Thresholds(0.0, None, 0.8),
        "stack": ["--clock", "scaled:20"],
    },
    # 20× simulated time: the aggregator's 5-minute tick every 15 s, invalidations 0.5–5 s.
    "rebuild": {"thresholds": Thresholds(0.0, None, None), "stack": ["--clock", "scaled:20"]},
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--profile", choices=tuple(PROFILES), default="serving")
    parser.add_argument(
        "--users", type=at_least(1), default=20, help="simulated users (default 20)"
    )
    parser.add_argument(
        "--spawn-rate", type=positive_float, default=20.0, help="users started per second"
    )
    parser.add_argument(
        "--duration", type=duration, default=60.0, help="run time: 60, 60s, 2m (default 60s)"
    )
    parser.add_argument(
        "--workers", type=at_least(0), default=0, help="K>0: a Locust master and K local workers"
    )
    parser.add_argument(
        "--target", type=Path, help="ready file of a running stack (default: start one)"
    )
    parser.add_argument(
        "--output", type=Path, help="report directory (default reports/load-PROFILE)"
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_float,
        help="seconds before the steady window (default 10 + ramp-up)",
    )
    parser.add_argument(
        "--sample-interval", type=positive_float, default=1.0, help="seconds between stack samples"
    )
    parser.add_argument(
        "--web",
        action="store_true",
        help="run Locust's own web UI (127.0.0.1, --web-port) with these settings filled in, "
        "instead of a headless run; Ctrl-C here ends it and writes the report",
    )
    parser.add_argument(
        "--web-port", type=port, default=8089, help="the web UI's port (default 8089, Locust's)"
    )
    parser.add_argument(
        "--quiet", action="store_true", help="no live line while Locust runs, only the report"
    )
    parser.add_argument(
        "--stack-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra flag for the stack started here (repeatable), e.g. --stack-arg=--pops=2",
    )
    viewers = parser.add_argument_group("viewers")
    viewers.add_argument(
        "--zipf", type=float, default=1.0, help="popularity exponent (default 1.0)"
    )
    viewers.add_argument("--widths", default="0,160,320,640", help="width parameters (0: none)")
    viewers.add_argument("--locations", default="main,thumb,portal-cover,square")
    viewers.add_argument("--seed", type=int, default=1, help="seeds the catalogue and the viewers")
    viewers.add_argument(
        "--change-at",
        type=non_negative_float,
        help="rebuild: seconds into the run (default a third)",
    )
    viewers.add_argument(
        "--change-location", default="thumb", help="rebuild: the location to change"
    )
    viewers.add_argument(
        "--admin-rate", type=positive_float, default=1.0, help="admin-churn: writes per second"
    )
    limits = parser.add_argument_group("thresholds (the profile's default; 'none' skips one)")
    limits.add_argument("--max-failure-ratio", type=optional_float)
    limits.add_argument("--max-p95-ms", type=optional_float)
    limits.add_argument("--min-hit-ratio", type=optional_float)


def duration(value: str) -> float:
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(s|m|h)?", value.strip())
    if not match or float(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"a duration is like 60, 60s, 2m or 1h, not {value!r}")
    return float(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2) or "s"]


def optional_float(value: str) -> float | str:
    if value.lower() == "none":
        return "none"
    try:
        return float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a number or 'none', not {value!r}") from None


def thresholds(args: argparse.Namespace) -> Thresholds:
    base = DEFAULTS[args.profile]["thresholds"]

    def pick(given: float | str | None, default: float | None) -> float | None:
        return default if given is None else None if given == "none" else float(given)

    return Thresholds(
        pick(args.max_failure_ratio, base.max_failure_ratio),
        pick(args.max_p95_ms, base.max_p95_ms),
        pick(args.min_hit_ratio, base.min_hit_ratio),
    )


def settings_from(args: argparse.Namespace) -> LoadSettings:
    if args.target is not None:
        try:
            Target.from_file(args.target)
        except TargetError as exc:
            raise UsageError(f"--target: {exc}") from None
    ramp = args.users / args.spawn_rate
    change_at = args.change_at if args.change_at is not None else args.duration / 3
    locust_args = ["--zipf", f"{args.zipf:g}", "--widths", args.widths, "--locations", args.locations,
                   "--viewer-seed", str(args.seed), "--change-at", f"{change_at:g}",
                   "--change-location", args.change_location, "--admin-rate", f"{args.admin_rate:g}"]  # fmt: skip
    return LoadSettings(
        profile=args.profile,
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration=args.duration,
        output=args.output or Path("reports") / f"load-{args.profile}",
        workers=args.workers,
        target=args.target,
        stack_args=(*DEFAULTS[args.profile]["stack"], *args.stack_arg),
        warmup=args.warmup if args.warmup is not None else min(10.0 + ramp, args.duration / 2),
        sample_interval=args.sample_interval,
        locust_args=tuple(locust_args),
        web_port=_web_port(args),
        progress=not args.quiet,
    )


def _web_port(args: argparse.Namespace) -> int | None:
    if not args.web:
        return None
    chosen = int(args.web_port) or free_port()
    check_can_listen("127.0.0.1", chosen)
    return chosen


def run(args: argparse.Namespace) -> int:
    settings = settings_from(args)
    recording = asyncio.run(record(settings))
    report = join(recording, thresholds(args))
    report["settings"]["zipf"] = args.zipf
    write(settings.output, recording, report)
    print_summary(report, settings.output)
    return 0 if report["passed"] and recording["locust"]["exit_code"] in (0, 1) else 1


def write(output: Path, recording: dict[str, Any], report: dict[str, Any]) -> None:
    output.mkdir(parents=True, exist_ok=True)
    (output / "recording.json").write_text(json.dumps(recording) + "\n", encoding="utf-8")
    (output / "report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    (output / "report.html").write_text(render(report), encoding="utf-8")


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:g} ms"


def _ratio(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def print_summary(report: dict[str, Any], output: Path) -> None:
    s, loc, steady, stack = report["settings"], report["locust"], report["steady"], report["stack"]
    gen = report["load_generator"]
    processes = f"master + {s['workers']} workers" if s["workers"] else "one Locust process"
    print(f"cdnsim load {s['profile']}: {s['users']} users, {report['window']['duration_s']:g} s, "
          f"{processes}; {report['machine']['note']} ({report['machine']['cpu_count']} cores)")  # fmt: skip
    print(f"  {headline(report)}")
    if warning := saturation_note(gen):
        print(f"  {warning}")
    print(f"  Locust, whole run: {loc['requests']:,} requests, {loc['failures']:,} failures, "
          f"{loc['requests_per_s']:,.0f} req/s, p50 {_ms(loc['p50_ms'])}, p95 {_ms(loc['p95_ms'])}, "
          f"p99 {_ms(loc['p99_ms'])}")  # fmt: skip
    if steady.get("available"):
        print(f"  after warm-up ({steady['from_s']:g} s on): {steady['requests_per_s']:,.0f} req/s, "
              f"p50 {_ms(steady['p50_ms'])}, p95 {_ms(steady['p95_ms'])}, p99 {_ms(steady['p99_ms'])}, "
              f"edge hit ratio {_ratio(steady['edge_hit_ratio'])}, "
              f"origin offload {_ratio(steady['origin_offload'])}")  # fmt: skip
    if stack:
        pops = ", ".join(f"{k} {_ratio(v['hit_ratio'])}" for k, v in stack["per_pop"].items())
        invalidations = ", ".join(f"{n} {kind}" for kind, n in stack["invalidations"].items())
        print(f"  stack: hit ratio per POP {pops}; origin requests {stack['origin_requests']:,} "
              f"(offload {_ratio(stack['origin_offload'])}); renders {stack['renders']:,} "
              f"({stack['render_cpu_s']:g} s CPU); collapsed {stack['collapsed']:,}; "
              f"invalidations {invalidations}")  # fmt: skip
    for phase in report["phases"]:
        print(f"  {phase['phase']:<20} {phase['from_s']}–{phase['to_s']} s: "
              f"{phase['requests_per_s']} req/s, hit ratio {_ratio(phase['edge_hit_ratio'])}, "
              f"origin requests {phase['origin_requests']}, renders {phase['renders']} "
              f"(peak {phase['peak_renders_per_interval']} in 1 s), "
              f"worst p95 {_ms(phase['worst_p95_ms'])}")  # fmt: skip
    if gen.get("available"):
        stack_share = gen["stack_share_of_machine"]
        print(f"  Locust CPU: {gen['share_of_machine']:.0%} of the machine, busiest process "
              f"{gen['busiest_process_share_of_core']:.0%} of a core"
              + (f"; the stack {stack_share:.0%}" if stack_share is not None else ""))  # fmt: skip
    for t in report["thresholds"]:
        value = t["value"] if not isinstance(t["value"], float) else f"{t['value']:.4g}"
        value = "–" if value is None else value
        print(f"  {'ok  ' if t['ok'] else 'FAIL'} {t['name']} {value} (limit {t['limit']})")
    print(f"report: {output / 'report.json'}, {output / 'report.html'}")
