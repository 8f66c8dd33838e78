"""Per-tenant settings from a JSON file (``cdnsim origin|up --tenants-file FILE``).

The document (every key optional but ``tenants``; a tenant not listed gets the defaults)::

    {
      "tenants": {
        "acme": {
          "useResizeIncludeAll": "TRUE",
          "resizeGravity": "north",
          "accessKey": "s3cret"
        }
      }
    }

- ``useResizeIncludeAll``: ``UNSET`` (the default), ``TRUE`` or ``FALSE``; the last step
  of seed 001's lookup (pack location → pack → location config → tenant default).
- ``resizeGravity``: one of the nine gravities (default ``center``); the same lookup,
  after a client's ``resize-gravity``.
- ``accessKey``: the ``X-vimond-access-key`` this tenant's images require (1–256
  visible ASCII characters); absent: none. ``--tenant-access-key`` wins over it.

Every mistake is found, not only the first, and each is one line that names its key
(``tenants.acme.resizeGravity: …``), so a file can be fixed in one go.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from origin.models.fields import GRAVITIES, INCLUDE_ALL, TENANT_PATTERN
from origin.settings import TenantSettings

ACCESS_KEY = re.compile(r"^[\x21-\x7e]{1,256}$")
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
TOP_KEYS = ("tenants",)


class TenantsFileError(ValueError):
    """What is wrong with a tenants file: one line per mistake, each naming its key."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Object(dict[str, Any]):
    """A JSON object that remembers the keys it was given more than once."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, Any]]) -> _Object:
    result = _Object()
    result.duplicates = []
    for key, value in pairs:
        if key in result and key not in result.duplicates:
            result.duplicates.append(key)
        result[key] = value
    return result


def load_tenants(path: Path) -> tuple[TenantSettings, ...]:
    """The tenants of the file at ``path``; :class:`TenantsFileError` says what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise TenantsFileError(["not UTF-8 text"]) from None
    except OSError as exc:
        raise TenantsFileError([f"cannot read it: {exc.strerror or exc}"]) from None
    return tenants_from_json(text)


def tenants_from_json(text: str) -> tuple[TenantSettings, ...]:
    try:
        document = json.loads(text, object_pairs_hook=_object)
    except json.JSONDecodeError as exc:
        raise TenantsFileError(
            [f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"]
        ) from None
    problems = list(_document_problems(document))
    if problems:
        raise TenantsFileError(problems)
    return tuple(_tenant(name, fields) for name, fields in document.get("tenants", {}).items())


def _tenant(name: str, fields: dict[str, Any]) -> TenantSettings:
    return TenantSettings(
        name,
        access_key=fields.get("accessKey"),
        use_resize_include_all=fields.get("useResizeIncludeAll", "UNSET"),
        resize_gravity=fields.get("resizeGravity", "center"),
    )


def _document_problems(document: Any) -> Iterator[str]:
    if not isinstance(document, dict):
        yield f'the document must be a JSON object {{"tenants": {{…}}}}, not {_kind(document)}'
        return
    yield from _duplicates(document, "")
    yield from _unknown(document, TOP_KEYS, "")
    if "tenants" not in document:
        yield 'tenants: missing (the document is {"tenants": {NAME: {…}, …}})'
        return
    tenants = document["tenants"]
    if not isinstance(tenants, dict):
        yield f"tenants: must be an object of tenant name → settings, not {_kind(tenants)}"
        return
    yield from _duplicates(tenants, "tenants")
    for name, fields in tenants.items():
        yield from _tenant_problems(name, fields, _path("tenants", name))


def _tenant_problems(name: str, fields: Any, where: str) -> Iterator[str]:
    if not TENANT_PATTERN.match(name):
        yield (
            f"{where}: not a tenant name (1 to 63 lower-case letters, digits and '-', "
            "starting with a letter or digit)"
        )
    if not isinstance(fields, dict):
        yield f"{where}: must be an object of settings, not {_kind(fields)}"
        return
    yield from _duplicates(fields, where)
    yield from _unknown(fields, tuple(TENANT_KEYS), where)
    for key, check in TENANT_KEYS.items():
        if key in fields and (problem := check(fields[key])):
            yield f"{_path(where, key)}: {problem}"


def _one_of(choices: tuple[str, ...]) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        if isinstance(value, str) and value in choices:
            return None
        return f"must be one of {', '.join(choices)}, not {json.dumps(value)}"

    return check


def _access_key(value: Any) -> str | None:
    if isinstance(value, str) and ACCESS_KEY.match(value):
        return None
    # A key is a secret: the line says what is wrong with it, never what it is.
    got = f"a string of {len(value)} characters" if isinstance(value, str) else _kind(value)
    return f"must be 1 to 256 visible ASCII characters (no spaces), not {got}"


TENANT_KEYS: dict[str, Callable[[Any], str | None]] = {
    "useResizeIncludeAll": _one_of(INCLUDE_ALL),
    "resizeGravity": _one_of(GRAVITIES),
    "accessKey": _access_key,
}


def _unknown(fields: dict[str, Any], known: tuple[str, ...], where: str) -> Iterator[str]:
    for key in fields:
        if key not in known:
            near = difflib.get_close_matches(key, known, n=1, cutoff=0.75)
            hint = f"; did you mean {near[0]}?" if near else ""
            yield f"{_path(where, key)}: unknown key (known: {', '.join(known)}){hint}"


def _duplicates(fields: dict[str, Any], where: str) -> Iterator[str]:
    for key in getattr(fields, "duplicates", ()):
        yield f"{_path(where, key)}: given more than once"


def _path(where: str, key: str) -> str:
    step = key if _PLAIN_KEY.match(key) else f"[{json.dumps(key)}]"
    if not where:
        return step
    return f"{where}.{step}" if _PLAIN_KEY.match(key) else f"{where}{step}"


def _kind(value: Any) -> str:
    """A value as the line shows it: strings quoted, containers by their kind."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return json.dumps(value) if len(value) <= 40 else f"a string of {len(value)} characters"
    return json.dumps(value)
