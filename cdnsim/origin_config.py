"""Origin settings from the command line and the environment (only the CLI reads either).

Environment variables (a flag wins over its variable):
- ``AWS_ENDPOINT_URL``: S3 and DynamoDB endpoint (``embedded`` = in-process moto, the
  default; ``aws`` = boto3's own resolution). ``AWS_ENDPOINT_URL_S3`` /
  ``AWS_ENDPOINT_URL_DYNAMODB`` override per service, as boto3 itself reads them.
- ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` / ``AWS_REGION``.
- ``CDNSIM_JWT_SECRET``, ``CDNSIM_JWT_PUBLIC_KEY_FILE``, ``CDNSIM_BASIC_USERS`` (``user:pass,…``).
- ``CDNSIM_FETCH_ALLOWED_HOSTS`` (``host,*.suffix,…``), ``CDNSIM_DATA_DIR``.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm
from jwt.exceptions import InvalidKeyError

from cdnsim.aggregator_config import aggregator_settings_from_args
from cdnsim.tls import check_pair
from cdnsim.usage import (
    UsageError,
    at_least,
    cidr,
    directory,
    http_url,
    listen_host,
    port,
    readable_file,
)
from origin.settings import DEV_JWT_SECRET, AuthSettings, OriginSettings, TenantSettings
from origin.storage.settings import AWS, EMBEDDED, MEMO_MODES, StorageSettings
from origin.tenants_file import TenantsFileError, load_tenants


def add_origin_arguments(parser: argparse.ArgumentParser, *, serving: bool = True) -> None:
    """The origin's flags; ``serving=False`` leaves out where it listens (``--host``,
    ``--port``, TLS), for commands that choose that themselves (``cdnsim up``)."""
    env = os.environ.get
    if serving:
        add_listen_arguments(parser)
    parser.add_argument(
        "--environment", default="dev", help="the {env} of host names and the platform path"
    )
    parser.add_argument(
        "--default-tenant", default="demo", help="tenant for hosts that do not name one"
    )
    parser.add_argument(
        "--tenant-access-key",
        action="append",
        type=tenant_access_key,
        default=[],
        metavar="TENANT=KEY",
        help="require X-vimond-access-key KEY for TENANT's images (repeatable)",
    )
    parser.add_argument(
        "--tenants-file",
        type=readable_file,
        metavar="FILE",
        help='per-tenant defaults and access keys, JSON: {"tenants": {NAME: {"useResizeIncludeAll",'
        ' "resizeGravity", "accessKey"}}} (README, "Tenants file")',
    )
    parser.add_argument(
        "--data-dir",
        type=directory,
        default=env("CDNSIM_DATA_DIR"),
        help="keep the embedded storage's writes here across restarts (created if absent)",
    )
    add_storage_arguments(parser)
    parser.add_argument(
        "--jwt-secret",
        default=env("CDNSIM_JWT_SECRET"),
        help="HS256 secret (default: the development secret, unless an RS256 key is given)",
    )
    parser.add_argument(
        "--jwt-public-key-file",
        type=readable_file,
        default=env("CDNSIM_JWT_PUBLIC_KEY_FILE"),
        help="RS256 public key (PEM)",
    )
    parser.add_argument(
        "--basic-users",
        type=basic_users,
        default=env("CDNSIM_BASIC_USERS", ""),
        help="user:pass,… for legacy Basic",
    )
    parser.add_argument(
        "--trusted-network",
        action="append",
        type=cidr,
        default=None,
        help="CIDR allowed to use the admin API over plain HTTP (repeatable; default loopback)",
    )
    parser.add_argument(
        "--fetch-allowed-hosts",
        default=env("CDNSIM_FETCH_ALLOWED_HOSTS", ""),
        help="host,*.suffix,… fetchImage may fetch from (default: none)",
    )
    parser.add_argument(
        "--negotiate-format",
        action="store_true",
        help="without ?format=, serve WebP to clients whose Accept takes it (Vary: Accept)",
    )
    parser.add_argument(
        "--render-workers",
        type=at_least(0),
        default=os.cpu_count() or 2,
        help="renderer processes (default: one per core; 0: a thread of the origin)",
    )
    parser.add_argument(
        "--seed", type=int, default=None, help="seed the id generator (repeatable runs)"
    )
    parser.add_argument(
        "--max-output-pixels",
        type=at_least(1),
        default=4096 * 4096,
        metavar="N",
        help="largest output of one render, width × height (default 4096×4096); more: 422",
    )
    parser.add_argument(
        "--variant-store-bytes",
        type=at_least(0),
        default=None,
        metavar="N",
        help="budget of the S3 variant cache; the least recently stored variants are evicted "
        "past it (default 512 MiB on the embedded store, none on a real endpoint; 0: none)",
    )


def add_listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--host", type=listen_host, default="127.0.0.1", help="listen address (default 127.0.0.1)"
    )
    parser.add_argument(
        "--port", type=port, default=8080, help="listen port (default 8080; 0: any free port)"
    )
    parser.add_argument(
        "--tls-cert", type=readable_file, help="serve HTTPS with this certificate (PEM)"
    )
    parser.add_argument("--tls-key", type=readable_file, help="… and this key (PEM)")
    parser.add_argument(
        "--tls-self-signed", action="store_true", help="serve HTTPS with a generated certificate"
    )


def add_storage_arguments(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    parser.add_argument(
        "--endpoint-url",
        type=endpoint,
        default=env("AWS_ENDPOINT_URL", EMBEDDED),
        help="S3/DynamoDB endpoint: embedded (moto in a child process, the default), aws, or a URL",
    )
    parser.add_argument("--s3-endpoint-url", type=http_url, default=env("AWS_ENDPOINT_URL_S3"))
    parser.add_argument(
        "--dynamodb-endpoint-url", type=http_url, default=env("AWS_ENDPOINT_URL_DYNAMODB")
    )
    parser.add_argument(
        "--aws-region", default=env("AWS_REGION", env("AWS_DEFAULT_REGION", "us-east-1"))
    )
    parser.add_argument(
        "--storage-memo",
        choices=MEMO_MODES,
        default="auto",
        help="memo of packs, configs and originals: auto = exact with the embedded store, off "
        "for other endpoints; exact = this origin is the endpoint's only writer (default auto)",
    )
    parser.add_argument("--originals-bucket", default="cdnsim-originals")
    parser.add_argument("--variants-bucket", default="cdnsim-variants")
    parser.add_argument("--table-prefix", default="cdnsim-")


def endpoint(text: str) -> str:
    if text in (EMBEDDED, AWS) or text.startswith(("http://", "https://")):
        return text if text in (EMBEDDED, AWS) else http_url(text)
    raise argparse.ArgumentTypeError(f"expected embedded, aws or an http(s):// URL, not {text!r}")


def tenant_access_key(text: str) -> tuple[str, str]:
    name, _, key = text.partition("=")
    if not name or not key:
        raise argparse.ArgumentTypeError(f"expected TENANT=KEY, not {text!r}")
    return name, key


def basic_users(text: str) -> str:
    for pair in _split(text):
        user, _, password = pair.partition(":")
        if not user or not password:
            raise argparse.ArgumentTypeError(f"expected user:pass,…, not {pair!r}")
    return text


def storage_settings_from_args(args: argparse.Namespace) -> StorageSettings:
    return StorageSettings(
        endpoint_url=args.endpoint_url,
        s3_endpoint_url=args.s3_endpoint_url,
        dynamodb_endpoint_url=args.dynamodb_endpoint_url,
        region=args.aws_region,
        access_key_id=os.environ.get("AWS_ACCESS_KEY_ID"),
        secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY"),
        originals_bucket=args.originals_bucket,
        variants_bucket=args.variants_bucket,
        table_prefix=args.table_prefix,
        data_dir=getattr(args, "data_dir", None),
        memo=args.storage_memo,
    )


def origin_settings_from_args(args: argparse.Namespace) -> OriginSettings:
    """The origin's settings; a value its settings refuse is a :class:`UsageError`."""
    if bool(getattr(args, "tls_cert", None)) != bool(getattr(args, "tls_key", None)):
        raise UsageError("--tls-cert and --tls-key go together")
    try:
        if getattr(args, "tls_cert", None):
            check_pair(args.tls_cert, args.tls_key)
        return _origin_settings(args)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _public_key(path: Path) -> str:
    """The RS256 key's text, refused now if it is not one: read only when a token comes,
    a bad file made every admin request a 500."""
    text = path.read_bytes().decode("utf-8", "replace")
    try:
        if isinstance(RSAAlgorithm(RSAAlgorithm.SHA256).prepare_key(text), RSAPublicKey):
            return text
    except (InvalidKeyError, ValueError, TypeError):
        pass
    raise ValueError(f"--jwt-public-key-file {path}: not an RSA public key in PEM form")


def _origin_settings(args: argparse.Namespace) -> OriginSettings:
    storage = storage_settings_from_args(args)
    public_key = _public_key(args.jwt_public_key_file) if args.jwt_public_key_file else None
    basic = tuple(tuple(pair.split(":", 1)) for pair in _split(args.basic_users) if ":" in pair)
    # The development secret is a default only when nothing else is configured: with an
    # RS256 key alone, HS256 tokens signed with that well-known secret must not pass.
    secret = args.jwt_secret or (None if public_key or basic else DEV_JWT_SECRET)
    auth = AuthSettings(
        jwt_secret=secret,
        jwt_public_key=public_key,
        basic_users=basic,  # type: ignore[arg-type]
        **({"trusted_networks": tuple(args.trusted_network)} if args.trusted_network else {}),
    )
    return OriginSettings(
        host=getattr(args, "host", "127.0.0.1"),
        port=getattr(args, "port", 0),
        environment=args.environment,
        default_tenant=args.default_tenant,
        tenants=_tenants(args),
        storage=storage,
        auth=auth,
        fetch_allowed_hosts=tuple(_split(args.fetch_allowed_hosts)),
        render_workers=args.render_workers,
        tls_cert=getattr(args, "tls_cert", None),
        tls_key=getattr(args, "tls_key", None),
        tls_self_signed=getattr(args, "tls_self_signed", False),
        id_seed=args.seed,
        pipeline=aggregator_settings_from_args(args),
        negotiate_format=args.negotiate_format or getattr(args, "bug_accept_not_in_key", False),
        vary_on_negotiation=not getattr(args, "bug_accept_not_in_key", False),
        max_output_pixels=args.max_output_pixels,
        variant_store_bytes=args.variant_store_bytes,
    )


def _tenants(args: argparse.Namespace) -> tuple[TenantSettings, ...]:
    """The tenants file's, then ``--tenant-access-key`` (which wins for a tenant's key).
    A bad file is one line per mistake on stderr and exit status 2."""
    tenants: dict[str, TenantSettings] = {}
    if args.tenants_file is not None:
        try:
            tenants = {t.name: t for t in load_tenants(args.tenants_file)}
        except TenantsFileError as exc:
            prog = f"cdnsim {getattr(args, 'command', None) or 'origin'}"
            for problem in exc.problems:
                print(
                    f"{prog}: error: --tenants-file {args.tenants_file}: {problem}",
                    file=sys.stderr,
                )
            raise SystemExit(2) from None
    for name, key in args.tenant_access_key:
        tenants[name] = replace(tenants.get(name, TenantSettings(name)), access_key=key)
    return tuple(tenants.values())


def _split(value: str) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]
