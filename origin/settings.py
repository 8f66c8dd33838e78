"""Origin settings: frozen, validated once, built by the CLI (factories never read the environment)."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from pathlib import Path

from origin.aggregator.settings import AggregatorSettings
from origin.models.fields import GRAVITIES, INCLUDE_ALL, TENANT_PATTERN
from origin.storage.settings import StorageSettings

DEV_JWT_SECRET = "cdnsim-development-secret-change-me-0123456789"
EMBEDDED_VARIANT_BUDGET = 512 * 1024 * 1024


@dataclass(frozen=True)
class TenantSettings:
    """Per-tenant serving defaults; tenants not listed get these defaults."""

    name: str
    access_key: str | None = None  # when set, clients must send X-vimond-access-key
    use_resize_include_all: str = "UNSET"
    resize_gravity: str = "center"

    def __post_init__(self) -> None:
        if not TENANT_PATTERN.fullmatch(self.name):
            raise ValueError(f"bad tenant name {self.name!r}")
        if self.use_resize_include_all not in INCLUDE_ALL or self.resize_gravity not in GRAVITIES:
            raise ValueError(f"bad defaults for tenant {self.name!r}")


@dataclass(frozen=True)
class AuthSettings:
    jwt_secret: str | None = DEV_JWT_SECRET  # HS256
    jwt_public_key: str | None = None  # PEM; enables RS256
    basic_users: tuple[tuple[str, str], ...] = ()  # legacy HTTP Basic (user, password)
    trusted_networks: tuple[str, ...] = ("127.0.0.0/8", "::1/128")

    def __post_init__(self) -> None:
        if not (self.jwt_secret or self.jwt_public_key or self.basic_users):
            raise ValueError("auth needs a JWT secret, a JWT public key or Basic users")
        for net in self.trusted_networks:
            ipaddress.ip_network(net)


@dataclass(frozen=True)
class OriginSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    environment: str = "dev"
    default_tenant: str = "demo"
    tenants: tuple[TenantSettings, ...] = ()
    storage: StorageSettings = field(default_factory=StorageSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    max_body_bytes: int = 1024 * 1024  # admin JSON bodies
    max_upload_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 50_000_000  # above this an upload is a decompression bomb
    fetch_allowed_hosts: tuple[str, ...] = ()  # host names or *.suffix patterns; empty: none
    fetch_timeout: float = 10.0
    max_dimension: int = 4096
    # Per render, the output's width × height (the default allows every box max_dimension
    # allows; it bounds memory and CPU when max_dimension is raised).
    max_output_pixels: int = 4096 * 4096
    response_limit_bytes: int = 6 * 1024 * 1024
    # The S3 variant cache in bytes; the least recently stored variants are evicted past it.
    # None: EMBEDDED_VARIANT_BUDGET on the embedded store, no bound on a real endpoint
    # (whose bucket lifecycle rules are its owner's); 0: no bound.
    variant_store_bytes: int | None = None
    cache_control: str = "public, max-age=86400"
    # Without a `format` parameter, pick WebP for clients whose Accept takes it. The
    # response then varies on Accept; `vary_on_negotiation=False` is the production bug
    # of not saying so (see the stack's --bug-accept-not-in-key).
    negotiate_format: bool = False
    vary_on_negotiation: bool = True
    render_workers: int = field(default_factory=lambda: os.cpu_count() or 2)
    tls_cert: Path | None = None
    tls_key: Path | None = None
    tls_self_signed: bool = False
    id_seed: int | None = None
    public_url: str | None = None  # how clients reach this origin (for 302 locations)
    # The invalidation pipeline: the platform API and the aggregator share it.
    pipeline: AggregatorSettings = field(default_factory=AggregatorSettings)

    def __post_init__(self) -> None:
        if not TENANT_PATTERN.fullmatch(self.default_tenant):
            raise ValueError(f"bad default tenant {self.default_tenant!r}")
        if not TENANT_PATTERN.fullmatch(self.environment):
            raise ValueError(f"bad environment {self.environment!r}")
        if self.max_body_bytes < 1024 or self.max_upload_bytes < 1024:
            raise ValueError("body limits must be at least 1 KiB")
        if not 16 <= self.max_dimension <= 20_000:
            raise ValueError("max_dimension must be 16..20000")
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("tls_cert and tls_key go together")
        if self.max_output_pixels < 256:
            raise ValueError("max_output_pixels must be at least 256")
        if self.variant_store_bytes is not None and self.variant_store_bytes < 0:
            raise ValueError("variant_store_bytes must be 0 (no bound) or more")

    @property
    def variant_budget(self) -> int | None:
        """The variant cache's budget in bytes, or None for no bound."""
        if self.variant_store_bytes is None:
            return EMBEDDED_VARIANT_BUDGET if self.storage.embedded else None
        return self.variant_store_bytes or None

    def tenant(self, name: str) -> TenantSettings:
        for tenant in self.tenants:
            if tenant.name == name:
                return tenant
        return TenantSettings(name)
