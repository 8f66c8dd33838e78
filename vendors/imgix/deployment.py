"""A source's deployment: defaults, validation and what the API shows (pure rules).

Every field of the seed's "Source Deployment" tables is accepted. Lists and objects
(``custom_domains``, ``imgix_subdomains``, ``default_params``) are replaced whole on update;
changing ``type`` drops the previous type's fields and needs the new type's. Secrets
(``s3_secret_key``, ``gcs_secret_key``, ``azure_sas_string``) are kept but never shown.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from common.bodies import json_integer
from vendors.imgix.params import InvalidParam, check_default_params

TYPES = ("azure", "gcs", "s3", "webfolder", "webproxy")
TTL_BEHAVIORS = ("respect_origin", "override_origin", "enforce_minimum")
MAX_TTL = 31536000
SECRETS = frozenset({"s3_secret_key", "gcs_secret_key", "azure_sas_string"})
TYPE_FIELDS: dict[str, dict[str, bool]] = {  # field → required
    "s3": {"s3_access_key": True, "s3_bucket": True, "s3_prefix": False, "s3_secret_key": True},
    "gcs": {
        "gcs_access_key": True,
        "gcs_bucket": True,
        "gcs_prefix": False,
        "gcs_secret_key": True,
    },
    "azure": {
        "azure_account": True,
        "azure_bucket": True,
        "azure_prefix": False,
        "azure_sas_string": True,
        "azure_service_type": True,
    },
    "webfolder": {"webfolder_base_url": True},
    "webproxy": {},
}
COMMON_DEFAULTS: dict[str, Any] = {
    "cache_ttl_behavior": "respect_origin",
    "cache_ttl_error": 300,
    "cache_ttl_value": MAX_TTL,
    "crossdomain_xml_enabled": False,
    "custom_domains": [],
    "default_params": {},
    "image_error": None,
    "image_error_append_qs": False,
    "image_missing": None,
    "image_missing_append_qs": False,
    "secure_url_enabled": False,
}
UPDATABLE = frozenset(
    {"annotation", "imgix_subdomains", "type", *COMMON_DEFAULTS}
    | {f for fields in TYPE_FIELDS.values() for f in fields}
)
_SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")


DEFAULT_PARAMS_RULE = "default-params"  # a value the rendering API would not take
TYPE_RULE = "deployment-type"  # the rule of fields per type, on a deployment after a PATCH


class InvalidDeployment(ValueError):
    """A deployment the API refuses (400); the message names the field; ``rule`` is the
    rule beyond the API's schema that refused it, if one did."""

    def __init__(self, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.rule = rule


def merged(
    current: Mapping[str, Any] | None, changes: Mapping[str, Any], user: str
) -> dict[str, Any]:
    """The deployment after ``changes`` (create when ``current`` is None), validated."""
    if not isinstance(changes, Mapping):
        raise InvalidDeployment("deployment must be an object")
    unknown = sorted(set(changes) - UPDATABLE)
    if unknown:
        raise InvalidDeployment(f"unknown or read-only deployment fields: {', '.join(unknown)}")
    base = dict(current) if current is not None else dict(COMMON_DEFAULTS)
    new_type = changes.get("type", base.get("type"))
    if current is not None and new_type != current.get("type"):
        for field_name in TYPE_FIELDS.get(str(current.get("type")), {}):
            base.pop(field_name, None)
    base.update(changes)
    if "annotation" not in changes:
        base["annotation"] = f"New deployment created for source by {user}."
    return validated(base)


def validated(d: dict[str, Any]) -> dict[str, Any]:
    """``d`` with every field checked and normalised, or InvalidDeployment."""
    kind = d.get("type")
    if kind not in TYPES:
        raise InvalidDeployment(f"deployment.type must be one of {', '.join(TYPES)}")
    for name, required in TYPE_FIELDS[kind].items():
        if required and not _non_empty(d.get(name)):
            raise InvalidDeployment(
                f"deployment.{name} is required for {kind} sources", rule=TYPE_RULE
            )
        if name in d and d[name] is not None and not isinstance(d[name], str):
            raise InvalidDeployment(f"deployment.{name} must be a string")
        d.setdefault(name, None)
    for other, fields in TYPE_FIELDS.items():
        stray = [f for f in fields if other != kind and f in d]
        if stray:
            raise InvalidDeployment(
                f"deployment fields for {other} sources on a {kind} source: {stray}",
                rule=TYPE_RULE,
            )
    if d.get("cache_ttl_behavior") not in TTL_BEHAVIORS:
        raise InvalidDeployment(
            f"deployment.cache_ttl_behavior must be one of {', '.join(TTL_BEHAVIORS)}"
        )
    for name in ("cache_ttl_value", "cache_ttl_error"):
        value = json_integer(d.get(name))
        if value is None or not 1 <= value <= MAX_TTL:
            raise InvalidDeployment(f"deployment.{name} must be an integer from 1 to {MAX_TTL}")
        d[name] = value
    for name in (
        "crossdomain_xml_enabled",
        "image_error_append_qs",
        "image_missing_append_qs",
        "secure_url_enabled",
    ):
        if not isinstance(d.get(name), bool):
            raise InvalidDeployment(f"deployment.{name} must be a boolean")
    for name in ("image_error", "image_missing"):
        if d.get(name) is not None and not _absolute_url(d[name]):
            raise InvalidDeployment(f"deployment.{name} must be an absolute http(s) URL or null")
    if kind == "webfolder" and not _absolute_url(d["webfolder_base_url"]):
        raise InvalidDeployment("deployment.webfolder_base_url must be an absolute http(s) URL")
    for bucket in ("s3_bucket", "gcs_bucket"):
        if d.get(bucket) is not None and not _BUCKET.fullmatch(d[bucket]):
            raise InvalidDeployment(f"deployment.{bucket} is not a valid bucket name")
    if kind == "azure" and d.get("azure_service_type") not in ("blob", "file"):
        raise InvalidDeployment("deployment.azure_service_type must be blob or file")
    annotation = d.get("annotation")
    if not isinstance(annotation, str) or len(annotation) > 1024:
        raise InvalidDeployment("deployment.annotation must be a string of at most 1024 characters")
    d["imgix_subdomains"] = _subdomains(d.get("imgix_subdomains"))
    d["custom_domains"] = _domains(d.get("custom_domains"))
    try:
        d["default_params"] = check_default_params(d.get("default_params"))
    except InvalidParam as exc:
        raise InvalidDeployment(
            f"deployment.default_params: {exc}", rule=DEFAULT_PARAMS_RULE
        ) from None
    return d


def shown(d: Mapping[str, Any], *, allows_upload: bool) -> dict[str, Any]:
    """What the API returns: everything but the secrets, plus ``allows_upload``."""
    out = {k: v for k, v in d.items() if k not in SECRETS}
    if d["type"] in ("s3", "gcs", "azure"):
        out["allows_upload"] = allows_upload
    return out


def _non_empty(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _absolute_url(value: object) -> bool:
    if not isinstance(value, str) or len(value) > 2048 or not value.isprintable():
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _subdomains(value: object) -> list[str]:
    if not isinstance(value, list) or not value:
        raise InvalidDeployment(
            "deployment.imgix_subdomains must be a list of at least one subdomain"
        )
    out = []
    for item in value:
        if not isinstance(item, str) or not _SUBDOMAIN.fullmatch(item.lower()):
            raise InvalidDeployment(
                f"{str(item)[:80]!r} is not a valid subdomain (only the part before .imgix.net)"
            )
        out.append(item.lower())
    if len(set(out)) != len(out):
        raise InvalidDeployment("deployment.imgix_subdomains lists a subdomain twice")
    return out


def _domains(value: object) -> list[str]:
    if not isinstance(value, list):
        raise InvalidDeployment("deployment.custom_domains must be a list")
    out = []
    for item in value:
        name = item.lower().rstrip(".") if isinstance(item, str) else ""
        labels = name.split(".")
        if (
            len(name) > 253
            or len(labels) < 2
            or not all(_LABEL.fullmatch(x) for x in labels)
            or labels[-1].isdigit()
        ):
            raise InvalidDeployment(f"{str(item)[:80]!r} is not a valid domain name")
        if name.endswith(".imgix.net"):
            raise InvalidDeployment(f"{name!r}: imgix.net names go in imgix_subdomains")
        out.append(name)
    if len(set(out)) != len(out):
        raise InvalidDeployment("deployment.custom_domains lists a domain twice")
    return out
