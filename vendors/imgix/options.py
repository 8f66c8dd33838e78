"""imgix on the command line (``cdnsim up``, ``cdnsim edge --vendor imgix``): extra API keys,
the API rate limit, deployment time, the purge window, the hosts web folders may fetch from,
the S3 endpoint S3 sources read, the API's port; and how the vendor is created (:data:`PLUGIN`)."""

from __future__ import annotations

import argparse
import random
import string
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from edge.vendor import StorageAccess, VendorContext
from vendors.imgix.api_keys import ALL_PERMISSIONS, ApiKey, RateLimit
from vendors.imgix.backend import ImgixSettings
from vendors.imgix.vendor import ImgixService

DEFAULT_ORIGIN_HOSTS = ("127.0.0.1", "localhost")
DEPLOY_SECONDS = 30.0  # a new source answers "deploying" first, as imgix's does
PORT_OFFSETS = (8, 9)  # with --port-base N: the Management API N+8, the renderer N+9
_BY_NAME = {p.casefold(): p for p in ALL_PERMISSIONS}


@dataclass(frozen=True)
class ImgixOptions:
    """What a user may choose; the stack adds storage and the generated keys."""

    api_keys: tuple[ApiKey, ...] = ()  # besides the generated admin and Sources-only keys
    rate: RateLimit = field(default_factory=RateLimit)
    deploy_seconds: float = DEPLOY_SECONDS
    purge_window: float = 10.0
    origin_hosts: tuple[str, ...] = DEFAULT_ORIGIN_HOSTS
    api_port: int = 0
    s3_endpoint: str | None = None  # None: the stack's storage, if any


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
        default=DEPLOY_SECONDS,
        metavar="S",
        help="simulated seconds a new or changed source stays 'deploying' before it serves "
        f"(default {DEPLOY_SECONDS:g}, as imgix; 0: at once; the demo source deploys at once)",
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
        "--imgix-api-port", type=_port, default=0, help="the Management API's port (default: free)"
    )
    group.add_argument(
        "--imgix-s3-endpoint",
        type=_url,
        metavar="URL",
        help="the S3 endpoint S3 sources read (default: the stack's storage; cdnsim edge: none)",
    )


def _port(spec: str) -> int:
    try:
        port = int(spec)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535 (0: any free port), not {spec!r}")
    return port


def _url(spec: str) -> str:
    if urlsplit(spec).scheme not in ("http", "https") or not urlsplit(spec).hostname:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, not {spec!r}")
    return spec


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
        s3_endpoint=args.imgix_s3_endpoint,
    )


def generated_keys(seed: int | None) -> tuple[ApiKey, ApiKey]:
    """An admin key and a Sources-only key, the same for one seed."""
    rng = random.Random(f"{seed}:imgix-keys") if seed is not None else random.SystemRandom()
    admin, restricted = (
        "".join(rng.choices(string.ascii_letters + string.digits, k=40)) for _ in range(2)
    )
    return (
        ApiKey(admin, frozenset({"Account Admin"}), "demo-admin"),
        ApiKey(restricted, frozenset({"Sources"}), "demo-sources"),
    )


def storage_of(options: ImgixOptions, context: VendorContext) -> StorageAccess | None:
    """Where S3 sources (and the demo's bucket) live: the flag's endpoint, else the stack's."""
    if options.s3_endpoint is not None:
        return StorageAccess(options.s3_endpoint)
    return context.storage


def imgix_settings(options: ImgixOptions, context: VendorContext) -> ImgixSettings:
    storage = storage_of(options, context)
    api_port = options.api_port or context.port(PORT_OFFSETS[0])
    return ImgixSettings(
        generated_keys(context.seed) + options.api_keys,
        rate=options.rate,
        deploy_seconds=options.deploy_seconds,
        origin_hosts=options.origin_hosts,
        s3_endpoint=storage.endpoint if storage else None,
        s3_region=storage.region if storage else "us-east-1",
        purge_window=options.purge_window,
        seed=context.seed,
        host=context.host,
        api_port=api_port,
        renderer_port=context.port(PORT_OFFSETS[1]),
    )


class ImgixPlugin:
    name = "imgix"

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        add_imgix_arguments(parser)

    def options(self, args: argparse.Namespace | None = None) -> ImgixOptions:
        if args is None or not hasattr(args, "imgix_api_key"):
            return ImgixOptions()
        return imgix_options_from_args(args)

    def create(self, options: ImgixOptions, context: VendorContext) -> ImgixService:
        settings = imgix_settings(options, context)
        storage = storage_of(options, context)
        return ImgixService(
            settings,
            clock=context.clock,
            events=context.events,
            storage=storage,
            limits=context.connections,
        )


PLUGIN = ImgixPlugin()
