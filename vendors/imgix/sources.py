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
    upload_ok: bool = False  # the credentials wrote to the bucket when last checked

    def settle(self, now: float) -> None:
        """Make the newest deployment live once its time has come."""
        if self.live is not self.deployment and now >= self.ready_at:
            self.live, self.date_deployed = self.deployment, int(self.ready_at)

    @property
    def allows_upload(self) -> bool:
        """Upload credentials that wrote to the bucket (seed 004's ``allows_upload``)."""
        return self.upload_credentials is not None and self.upload_ok

    def status(self, now: float) -> str:
        if not self.enabled:
            return "disabled"
        return "deploying" if now < self.ready_at else "deployed"

    def attributes(self, now: float) -> dict[str, Any]:
        self.settle(now)
        attrs: dict[str, Any] = {
            "date_deployed": self.date_deployed,
            "deployment": dep.shown(self.deployment, allows_upload=self.allows_upload),
            "deployment_status": self.status(now),
            "enabled": self.enabled,
            "name": self.name,
        }
        if self.deployment["secure_url_enabled"]:
            attrs["secure_url_token"] = self.secure_url_token
        return attrs


@dataclass(frozen=True)
class Change:
    """A create (``source_id`` None) or an update, checked and not yet made."""

    source_id: str | None
    name: str
    enabled: bool
    deployment: dict[str, Any]
    credentials: dict[str, str] | None
    credentials_given: bool
    check_upload: bool  # credentials to try on the bucket: new ones, or a moved bucket


def _storage_of(d: Mapping[str, Any]) -> tuple[Any, ...]:
    """Where uploads go: the type, bucket, prefix (and Azure account and service)."""
    kind = d["type"]
    return (kind, *(d.get(f) for f in dep.TYPE_FIELDS.get(kind, {}) if not f.endswith("_key")))


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
        upload_ok: bool | None = None,
    ) -> Source:
        """A new source, deployed ``deploy_seconds`` from now (default: the account's)."""
        return self.apply(
            self.plan(None, attrs, user, now),
            now,
            deploy_seconds=deploy_seconds,
            upload_ok=upload_ok,
        )

    def update(
        self,
        source_id: str,
        attrs: Mapping[str, Any],
        user: str,
        now: float,
        *,
        upload_ok: bool | None = None,
    ) -> Source:
        """A partial update: every change is checked before any is made."""
        return self.apply(self.plan(source_id, attrs, user, now), now, upload_ok=upload_ok)

    def plan(
        self, source_id: str | None, attrs: Mapping[str, Any], user: str, now: float
    ) -> Change:
        """``attrs`` checked against the source (a new one when ``source_id`` is None):
        what :meth:`apply` would make of it, or a 400/404/409 with nothing changed."""
        source = self.get(source_id) if source_id is not None else None
        if source is None and ("name" not in attrs or "deployment" not in attrs):
            raise bad_request("name and deployment are required to create a source")
        if source is not None:
            source.settle(now)
        name = _name(attrs["name"]) if "name" in attrs else source.name if source else ""
        enabled = _enabled(attrs.get("enabled", source.enabled if source else True))
        deployment = source.deployment if source is not None else None
        if "deployment" in attrs:
            deployment = _deployment(deployment, attrs["deployment"], user)
            self._check_unique(deployment, source_id)
        assert deployment is not None
        credentials = source.upload_credentials if source is not None else None
        given = "upload_credentials" in attrs
        if given:
            credentials = _upload_credentials(attrs["upload_credentials"], deployment)
        elif credentials is not None and deployment["type"] != credentials["type"]:
            credentials = None  # credentials for another kind of storage are no use
        moved = source is not None and _storage_of(deployment) != _storage_of(source.deployment)
        check = credentials is not None and (given or moved)
        return Change(source_id, name, enabled, deployment, credentials, given, check)

    def apply(
        self,
        change: Change,
        now: float,
        *,
        deploy_seconds: float | None = None,
        upload_ok: bool | None = None,
    ) -> Source:
        """Make ``change``. ``upload_ok``: whether its credentials wrote to the bucket
        (when ``change.check_upload``; unchecked credentials count as not working)."""
        delay = self.deploy_seconds if deploy_seconds is None else deploy_seconds
        # Again: another request may have taken a domain while credentials were tried.
        self._check_unique(change.deployment, change.source_id)
        if change.source_id is None:
            source = Source(
                self.ids.new_id(),
                change.name,
                change.enabled,
                change.deployment,
                now + delay,
                "".join(self._rng.choices(_TOKEN_ALPHABET, k=16)),
            )
            self.by_id[source.id] = source
        else:
            source = self.get(change.source_id)
            source.name, source.enabled = change.name, change.enabled
            if change.deployment != source.deployment:
                source.deployment, source.ready_at = change.deployment, now + delay
        source.upload_credentials = change.credentials
        if change.credentials is None:
            source.upload_ok = False
        elif change.check_upload:
            source.upload_ok = bool(upload_ok)
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


__all__ = ["ATTRIBUTES", "Change", "JsonApiError", "Source", "Sources"]
