"""API keys, their permissions, and the rate limit (pure state, no HTTP).

A key is sent as ``Authorization: Bearer <key>``. Permissions are imgix's: Account Admin
(every permission), Analytics, Billing, Sources, Purge, Image Manager Browse and Image
Manager Edit (which includes Browse). 401 for a missing or unknown key, 403 for a key
without the permission, 429 once a key has made ``limit`` requests in ``window`` simulated
seconds.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from vendors.imgix.jsonapi import JsonApiError

Permission = Literal[
    "Account Admin",
    "Analytics",
    "Billing",
    "Sources",
    "Purge",
    "Image Manager Browse",
    "Image Manager Edit",
]
ALL_PERMISSIONS: frozenset[str] = frozenset(get_args(Permission))
_KEY = re.compile(r"^[A-Za-z0-9]{16,128}$")
_BEARER = re.compile(r"^Bearer ([A-Za-z0-9]+)$")


@dataclass(frozen=True)
class ApiKey:
    key: str
    permissions: frozenset[str]
    tag: str = "cdnsim"  # who the key belongs to, shown in meta.authentication

    def __post_init__(self) -> None:
        if not _KEY.fullmatch(self.key):
            raise ValueError("an API key is 16 to 128 letters and digits")
        unknown = self.permissions - ALL_PERMISSIONS
        if unknown:
            raise ValueError(f"unknown permissions: {sorted(unknown)}")

    def allows(self, permission: Permission) -> bool:
        """Account Admin holds everything; Image Manager Edit includes Browse."""
        held = self.permissions
        if "Account Admin" in held or permission in held:
            return True
        return permission == "Image Manager Browse" and "Image Manager Edit" in held


@dataclass(frozen=True)
class RateLimit:
    limit: int = 0  # requests per window and key; 0: unlimited
    window: float = 60.0  # simulated seconds


class KeyRing:
    """The account's keys and each key's recent request times."""

    def __init__(self, keys: Iterable[ApiKey], rate: RateLimit | None = None) -> None:
        self.keys: dict[str, ApiKey] = {k.key: k for k in keys}
        self.rate = rate or RateLimit()
        self._recent: dict[str, deque[float]] = {}

    def authenticate(self, authorization: str | None) -> ApiKey:
        """The key named by an Authorization header, or a 401."""
        match = _BEARER.match(authorization or "")
        key = self.keys.get(match.group(1)) if match else None
        if key is None:
            raise JsonApiError(
                401,
                "Unauthorized",
                "a valid API key is required: Authorization: Bearer <api-key>",
                headers={"WWW-Authenticate": 'Bearer realm="imgix"'},
            )
        return key

    def authorize(self, key: ApiKey, permission: Permission) -> None:
        if not key.allows(permission):
            raise JsonApiError(403, "Forbidden", f"this API key lacks the {permission} permission")

    def count(self, key: ApiKey, now: float) -> None:
        """Record one request by ``key`` at ``now``; a 429 past the limit."""
        if self.rate.limit <= 0:
            return
        recent = self._recent.setdefault(key.key, deque())
        while recent and recent[0] <= now - self.rate.window:
            recent.popleft()
        if len(recent) >= self.rate.limit:
            retry = max(1, int(recent[0] + self.rate.window - now + 0.999))
            raise JsonApiError(
                429,
                "TooManyRequests",
                f"rate limit of {self.rate.limit} requests per {self.rate.window:g} s exceeded",
                headers={"Retry-After": str(retry)},
            )
        recent.append(now)


def authentication_meta(key: ApiKey) -> Mapping[str, object]:
    return {
        "authorized": True,
        "clientId": None,
        "mode": "PUBLIC_APIKEY",
        "modeTitle": "Public API Key",
        "tag": key.tag,
        "user": None,
    }
