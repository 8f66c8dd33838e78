"""imgix settings from the command line (``cdnsim up``): extra API keys, the API rate limit,
deployment time, the purge window, the hosts web folders may fetch from, the API's port."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from vendors.imgix.api_keys import ALL_PERMISSIONS, ApiKey, RateLimit

DEFAULT_ORIGIN_HOSTS = ("127.0.0.1", "localhost")
_BY_NAME = {p.casefold(): p for p in ALL_PERMISSIONS}


@dataclass(frozen=True)
class ImgixOptions:
    """What a user may choose; the stack adds storage and the generated keys."""

    api_keys: tuple[ApiKey, ...] = ()  # besides the generated admin and Sources-only keys
    rate: RateLimit = field(default_factory=RateLimit)
    deploy_seconds: float = 0.0  # the stack deploys at once unless told otherwise
    purge_window: float = 10.0
    origin_hosts: tuple[str, ...] = DEFAULT_ORIGIN_HOSTS
    api_port: int = 0


def api_key(spec: str) -> ApiKey:
    """``KEY`` (every permission) or ``KEY:Permission,Permission`` (names as imgix's,
    any case: ``Sources``, ``Purge``, ``Image Manager Edit``…)."""
    key, _, names = spec.partition(":")
    wanted = [n.strip() for n in names.split(",") if n.strip()] if names else ["Account Admin"]
    unknown = [n for n in wanted if n.casefold() not in _BY_NAME]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown permission {unknown[0]!r}; known: {', '.join(sorted(ALL_PERMISSIONS))}"
        )
    try:
        return ApiKey(key, frozenset(_BY_NAME[n.casefold()] for n in wanted), "cdnsim-cli")
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def rate_limit(spec: str) -> RateLimit:
    """``N`` requests per 60 simulated seconds and key, or ``N/SECONDS``; ``0``: unlimited."""
    count, _, window = spec.partition("/")
    try:
        limit, seconds = int(count), float(window) if window else 60.0
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected N or N/SECONDS, not {spec!r}") from None
    if limit < 0 or seconds <= 0:
        raise argparse.ArgumentTypeError("the limit is >= 0 and the window > 0 seconds")
    return RateLimit(limit, seconds)


def _seconds(spec: str) -> float:
    try:
        value = float(spec)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, not {spec!r}") from None
    if not 0 <= value <= 86400:
        raise argparse.ArgumentTypeError("expected 0 to 86400 seconds")
    return value


def add_imgix_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("imgix (the edge's imgix Management API and sources)")
    group.add_argument(
        "--imgix-api-key",
        type=api_key,
        action="append",
        default=[],
        metavar="KEY[:PERMS]",
        help="accept this API key too (16-128 letters and digits), with every permission "
        "or the comma-separated ones named, e.g. 'KEY:Sources,Purge'; repeatable",
    )
    group.add_argument(
        "--imgix-rate-limit",
        type=rate_limit,
        default=RateLimit(),
        metavar="N[/SECONDS]",
        help="API requests per key per window of simulated seconds (default 60), "
        "then 429 (default 0: unlimited)",
    )
    group.add_argument(
        "--imgix-deploy-seconds",
        type=_seconds,
        default=0.0,
        metavar="S",
        help="simulated seconds from deploying to deployed (default 0; the demo source too)",
    )
    group.add_argument(
        "--imgix-purge-window",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="a second purge of one URL within S simulated seconds is a 409 (default 10)",
    )
    group.add_argument(
        "--imgix-origin-host",
        action="append",
        default=None,
        metavar="HOST",
        help="a host web folder and web proxy sources may fetch from; repeatable "
        "(default: 127.0.0.1 and localhost)",
    )
    group.add_argument(
        "--imgix-api-port", type=int, default=0, help="the Management API's port (default: free)"
    )


def imgix_options_from_args(args: argparse.Namespace) -> ImgixOptions:
    hosts = (
        tuple(h.strip().lower() for h in args.imgix_origin_host) if args.imgix_origin_host else None
    )
    return ImgixOptions(
        api_keys=tuple(args.imgix_api_key),
        rate=args.imgix_rate_limit,
        deploy_seconds=args.imgix_deploy_seconds,
        purge_window=args.imgix_purge_window,
        origin_hosts=hosts or DEFAULT_ORIGIN_HOSTS,
        api_port=args.imgix_api_port,
    )
