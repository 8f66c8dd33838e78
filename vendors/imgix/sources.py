"""Sources: state and rules without HTTP (moto-style).

A source is created ``deploying`` and becomes ``deployed`` ``deploy_seconds`` later on the
injected clock; an update that changes the deployment redeploys, and until then the
previous deployment keeps serving. A disabled source reports ``disabled``.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from common.ids import IdGenerator
from vendors.imgix import deployment as dep
from vendors.imgix.jsonapi import JsonApiError, bad_request, conflict, not_found

ATTRIBUTES = frozenset({"name", "enabled", "deployment", "upload_credentials"})
CREDENTIALS_RULE = "credentials-type"  # upload_credentials of the source's own type
_TOKEN_ALPHABET = string.ascii_letters + string.digits


@dataclass
class Source:
    id: str
    name: str
    enabled: bool
    deployment: dict[str, Any]  # the newest deployment (live once ready_at has passed)
    ready_at: float
    secure_url_token: str
    live: dict[str, Any] | None = None  # the deployment that serves now
    date_deployed: int | None = None
    upload_credentials: dict[str, str] | None = None

    def settle(self, now: float) -> None:
        """Make the newest deployment live once its time has come."""
        if self.live is not self.deployment and now >= self.ready_at:
            self.live, self.date_deployed = self.deployment, int(self.ready_at)

    def status(self, now: float) -> str:
        if not self.enabled:
            return "disabled"
        return "deploying" if now < self.ready_at else "deployed"

    def attributes(self, now: float) -> dict[str, Any]:
        self.settle(now)
        attrs: dict[str, Any] = {
            "date_deployed": self.date_deployed,
            "deployment": dep.shown(
                self.deployment, allows_upload=self.upload_credentials is not None
            ),
            "deployment_status": self.status(now),
            "enabled": self.enabled,
            "name": self.name,
        }
        if self.deployment["secure_url_enabled"]:
            attrs["secure_url_token"] = self.secure_url_token
        return attrs


def _hosts_of(d: Mapping[str, Any]) -> set[str]:
    return {*(f"{s}.imgix.net" for s in d["imgix_subdomains"]), *d["custom_domains"]}


def _all_hosts(source: Source) -> set[str]:
    out = _hosts_of(source.deployment)
    if source.live is not None:
        out |= _hosts_of(source.live)
    return out


class Sources:
    """Every source of the account."""

    def __init__(
        self, ids: IdGenerator, *, deploy_seconds: float = 30.0, seed: int | None = None
    ) -> None:
        self.ids = ids
        self.deploy_seconds = deploy_seconds
        self._rng = random.Random(f"{seed}:tokens") if seed is not None else random.SystemRandom()
        self.by_id: dict[str, Source] = {}

    def __iter__(self) -> Iterator[Source]:
        return iter(list(self.by_id.values()))

    def get(self, source_id: str) -> Source:
        source = self.by_id.get(source_id)
        if source is None:
            raise not_found()
        return source

    def create(
        self,
        attrs: Mapping[str, Any],
        user: str,
        now: float,
        *,
        deploy_seconds: float | None = None,
    ) -> Source:
        """A new source, deployed ``deploy_seconds`` from now (default: the account's)."""
        if "name" not in attrs or "deployment" not in attrs:
            raise bad_request("name and deployment are required to create a source")
        name = _name(attrs["name"])
        enabled = _enabled(attrs.get("enabled", True))
        deployment = _deployment(None, attrs["deployment"], user)
        self._check_unique(deployment, None)
        source = Source(
            self.ids.new_id(),
            name,
            enabled,
            deployment,
            now + (self.deploy_seconds if deploy_seconds is None else deploy_seconds),
            "".join(self._rng.choices(_TOKEN_ALPHABET, k=16)),
        )
        if "upload_credentials" in attrs:
            source.upload_credentials = _upload_credentials(attrs["upload_credentials"], deployment)
        self.by_id[source.id] = source
        return source

    def update(self, source_id: str, attrs: Mapping[str, Any], user: str, now: float) -> Source:
        """A partial update: every change is checked before any is made."""
        source = self.get(source_id)
        source.settle(now)
        name = _name(attrs["name"]) if "name" in attrs else source.name
        enabled = _enabled(attrs["enabled"]) if "enabled" in attrs else source.enabled
        deployment = source.deployment
        if "deployment" in attrs:
            deployment = _deployment(source.deployment, attrs["deployment"], user)
            self._check_unique(deployment, source.id)
        credentials = source.upload_credentials
        if "upload_credentials" in attrs:
            credentials = _upload_credentials(attrs["upload_credentials"], deployment)
        elif credentials is not None and deployment["type"] != source.deployment["type"]:
            credentials = None  # credentials for another kind of storage are no use
        source.name, source.enabled, source.upload_credentials = name, enabled, credentials
        if deployment != source.deployment:
            source.deployment, source.ready_at = deployment, now + self.deploy_seconds
        return source

    def serving(self, host: str, now: float) -> Source | None:
        """The source whose live deployment answers for ``host`` (``x.imgix.net`` or a custom domain)."""
        return serving(self.by_id.values(), host, now)

    def _check_unique(self, deployment: Mapping[str, Any], own_id: str | None) -> None:
        mine = _hosts_of(deployment)
        for other in self.by_id.values():
            if other.id != own_id and (taken := mine & _all_hosts(other)):
                raise conflict(f"already used by another source: {', '.join(sorted(taken))}")


def serving(sources: Iterable[Source], host: str, now: float) -> Source | None:
    """Of ``sources``, the one whose live deployment answers for ``host``."""
    for source in sources:
        source.settle(now)
        if source.live is not None and host in _hosts_of(source.live):
            return source
    return None


@dataclass(frozen=True)
class PublishedSources:
    """A picklable snapshot of the account's sources, for worker processes."""

    sources: tuple[Source, ...]

    def serving(self, host: str, now: float) -> Source | None:
        return serving(self.sources, host, now)


def _name(value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 256:
        raise bad_request("name must be a non-empty string of at most 256 characters")
    return value


def _enabled(value: object) -> bool:
    if not isinstance(value, bool):
        raise bad_request("enabled must be a boolean")
    return value


def _deployment(current: Mapping[str, Any] | None, changes: Any, user: str) -> dict[str, Any]:
    try:
        return dep.merged(current, changes, user)
    except dep.InvalidDeployment as exc:
        raise bad_request(str(exc), rule=exc.rule) from None


def _upload_credentials(raw: Any, deployment: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise bad_request("upload_credentials must be an object")
    kind = raw.get("type")
    if kind not in ("s3", "gcs", "azure"):
        raise bad_request("upload_credentials.type must be azure, gcs or s3")
    if kind != deployment["type"]:
        raise bad_request(
            f"upload_credentials.type {kind!r} does not match the source type",
            rule=CREDENTIALS_RULE,
        )
    needed = {
        "s3": ("s3_access_key", "s3_secret_key"),
        "gcs": ("gcs_access_key", "gcs_secret_key"),
        "azure": ("azure_sas_string",),
    }[kind]
    unknown = set(raw) - {"type", *needed}
    if unknown:
        raise bad_request(f"unknown upload_credentials fields: {sorted(unknown)}")
    for name in needed:
        if not isinstance(raw.get(name), str) or not raw[name]:
            raise bad_request(f"upload_credentials.{name} is required")
    return dict(raw)


__all__ = ["ATTRIBUTES", "JsonApiError", "Source", "Sources"]
