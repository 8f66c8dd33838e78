"""Admin and platform authentication: Bearer JWT (HS256, or RS256 with a public key),
optional legacy HTTP Basic, and the HTTPS-or-trusted-network transport rule."""

from __future__ import annotations

import base64
import binascii
import hmac
import ipaddress
import time
from dataclasses import dataclass
from typing import Any

import jwt
from aiohttp import web

from common.errors import Forbidden, Unauthorized
from origin.app_keys import SETTINGS
from origin.settings import AuthSettings

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="cdnsim", charset="UTF-8"'}


@dataclass(frozen=True)
class Principal:
    subject: str
    tenants: frozenset[str]  # "*" covers every tenant

    def covers(self, tenant: str) -> bool:
        return "*" in self.tenants or tenant in self.tenants


def make_token(
    secret: str, tenant: str = "*", *, ttl: float = 30 * 86400, subject: str = "cdnsim-dev"
) -> str:
    """A development admin token (HS256). Expiry is wall time: tokens are real credentials."""
    now = int(time.time())
    return jwt.encode(
        {"sub": subject, "tenant": tenant, "iat": now, "exp": now + int(ttl)}, secret, "HS256"
    )


def authenticate(request: web.Request) -> Principal:
    settings = request.app[SETTINGS].auth
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials:
        return _from_jwt(settings, credentials.strip())
    if scheme.lower() == "basic" and credentials and settings.basic_users:
        return _from_basic(settings, credentials.strip())
    raise Unauthorized(
        "missing or unsupported credentials: send Authorization: Bearer <JWT>", headers=_CHALLENGE
    )


def authorize(request: web.Request, *tenants: str) -> Principal:
    """Check transport and credentials, and that the caller may act on every tenant given."""
    _check_transport(request)
    principal = authenticate(request)
    for tenant in tenants:
        if not principal.covers(tenant):
            raise Forbidden(f"this token does not cover tenant {tenant!r}", code="wrong_tenant")
    return principal


def _from_jwt(settings: AuthSettings, token: str) -> Principal:
    keys: list[tuple[Any, str]] = []
    if settings.jwt_secret:
        keys.append((settings.jwt_secret, "HS256"))
    if settings.jwt_public_key:
        keys.append((settings.jwt_public_key, "RS256"))
    try:
        algorithm = jwt.get_unverified_header(token).get("alg")
    except jwt.InvalidTokenError as exc:
        raise Unauthorized(f"invalid token: {exc}", headers=_CHALLENGE) from None
    for key, alg in keys:
        if alg != algorithm:
            continue
        try:
            claims = jwt.decode(token, key, algorithms=[alg], options={"require": ["exp"]})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("token expired", code="token_expired", headers=_CHALLENGE) from None
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"invalid token: {exc}", headers=_CHALLENGE) from None
        return Principal(str(claims.get("sub", "")), _tenants(claims.get("tenant")))
    raise Unauthorized(f"token algorithm {algorithm!r} is not accepted here", headers=_CHALLENGE)


def _tenants(claim: Any) -> frozenset[str]:
    if isinstance(claim, str):
        return frozenset([claim])
    if isinstance(claim, list) and all(isinstance(t, str) for t in claim):
        return frozenset(claim)
    return frozenset()


def _from_basic(settings: AuthSettings, credentials: str) -> Principal:
    try:
        user, _, password = base64.b64decode(credentials, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise Unauthorized("malformed Basic credentials", headers=_CHALLENGE) from None
    for known_user, known_password in settings.basic_users:
        if hmac.compare_digest(user, known_user) and hmac.compare_digest(password, known_password):
            return Principal(user, frozenset(["*"]))
    raise Unauthorized("wrong user or password", headers=_CHALLENGE)


def _check_transport(request: web.Request) -> None:
    if request.secure:
        return
    networks = request.app[SETTINGS].auth.trusted_networks
    try:
        remote = ipaddress.ip_address((request.remote or "").split("%")[0])
    except ValueError:
        remote = None
    if remote is None or not any(remote in ipaddress.ip_network(n) for n in networks):
        raise Forbidden(
            "admin requests must use HTTPS or come from a trusted network",
            code="insecure_transport",
        )
