"""``cdnsim token``: a development admin token for the configured secret."""

from __future__ import annotations

import argparse
import os

from cdnsim.usage import positive_float
from origin.auth import make_token
from origin.models.fields import TENANT_PATTERN
from origin.settings import DEV_JWT_SECRET


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--tenant",
        type=_tenant,
        default="*",
        help="tenant the token covers ('*' for every tenant)",
    )
    parser.add_argument(
        "--ttl",
        type=positive_float,
        default=30 * 86400,
        help="seconds until it expires (wall time)",
    )
    parser.add_argument(
        "--secret",
        type=_secret,
        default=os.environ.get("CDNSIM_JWT_SECRET") or DEV_JWT_SECRET,
        help="HS256 secret (default: $CDNSIM_JWT_SECRET or the development secret)",
    )


def _tenant(text: str) -> str:
    """'*' or a tenant name: a token for a name no tenant can have opens nothing."""
    if text != "*" and not TENANT_PATTERN.fullmatch(text):
        raise argparse.ArgumentTypeError(
            f"a tenant is '*' or lowercase letters, digits and '-' (at most 63), not {text!r}"
        )
    return text


def _secret(text: str) -> str:
    if not text:
        raise argparse.ArgumentTypeError("must not be empty")
    return text


def run(args: argparse.Namespace) -> int:
    print(make_token(args.secret, args.tenant, ttl=args.ttl))
    return 0
