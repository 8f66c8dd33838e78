"""``cdnsim token``: a development admin token for the configured secret."""

from __future__ import annotations

import argparse
import os

from cdnsim.usage import positive_float
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tenant", default="*", help="tenant the token covers ('*' for every tenant)"
    )
    parser.add_argument(
        "--ttl",
        type=positive_float,
        default=30 * 86400,
        help="seconds until it expires (wall time)",
    )
    parser.add_argument(
        "--secret",
        default=os.environ.get("CDNSIM_JWT_SECRET", DEV_JWT_SECRET),
        help="HS256 secret (default: $CDNSIM_JWT_SECRET or the development secret)",
    )


def run(args: argparse.Namespace) -> int:
    print(make_token(args.secret, args.tenant, ttl=args.ttl))
    return 0
