"""CloudFront invalidation paths: which are valid, and which cached URIs they cover.

Pure rules, no I/O. Sources (Amazon CloudFront Developer Guide, "Invalidating files",
section "Specifying the files to invalidate"):

- Paths are case sensitive: ``/images/image.jpg`` and ``/images/Image.jpg`` are two files.
- Through the API a path must begin with ``/``.
- ``*`` replaces zero or more characters and must be the last character; a wildcard
  anywhere else is not allowed.
- "The maximum length of a path is 4,000 characters."
- Query strings are part of what is invalidated: when query strings are forwarded (part
  of the cache key) "you must include the query strings when invalidating files", e.g.
  ``/images/image.jpg?parameter1=a``, or use ``/images/image.jpg*`` to cover every query
  string variant. So a path without ``*`` matches exactly one URI, its query included;
  ``/images/image.jpg`` does not remove ``/images/image.jpg?w=10``.
- Non-ASCII or unsafe characters must be URL-encoded in the path. We refuse raw non-ASCII,
  whitespace and control characters instead of silently never matching anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

MAX_PATH_LENGTH = 4000
WILDCARD = "*"


class InvalidPath(ValueError):
    """An invalidation path CloudFront would refuse; the message says why."""


def validate_path(path: str) -> str:
    """Return ``path`` unchanged if it is a valid invalidation path, else raise InvalidPath."""
    if not isinstance(path, str) or not path:
        raise InvalidPath("an invalidation path must be a non-empty string")
    if len(path) > MAX_PATH_LENGTH:
        raise InvalidPath(
            f"an invalidation path has at most {MAX_PATH_LENGTH} characters, not {len(path)}"
        )
    if not path.startswith("/"):
        raise InvalidPath(f"an invalidation path must begin with '/': {_shown(path)}")
    if WILDCARD in path[:-1]:
        raise InvalidPath(f"'*' is allowed only as the last character of a path: {_shown(path)}")
    for char in path:
        if not char.isascii():
            raise InvalidPath(
                f"URL-encode non-ASCII characters in invalidation paths: {_shown(path)}"
            )
        if char.isspace() or not char.isprintable():
            raise InvalidPath(
                f"whitespace and control characters are not allowed in a path: {_shown(path)}"
            )
    return path


def is_wildcard(path: str) -> bool:
    """Whether ``path`` is a prefix (wildcard) invalidation; these have their own limit."""
    return path.endswith(WILDCARD)


def path_matches(pattern: str, uri: str) -> bool:
    """Whether invalidation path ``pattern`` covers ``uri`` (request path plus ``?query``).

    Exact, case-sensitive match for a path without ``*``; a prefix match on everything
    before the final ``*`` otherwise (so ``/a*`` covers ``/a``, ``/a?x=1`` and ``/ab/c``).
    """
    if pattern.endswith(WILDCARD):
        return uri.startswith(pattern[:-1])
    return uri == pattern


def covering(patterns: Sequence[str]) -> Callable[[str], bool]:
    """One test for a whole invalidation: whether any of ``patterns`` covers a uri, as
    :func:`path_matches` decides, but a set lookup and one C-level ``startswith`` over every
    prefix instead of a Python loop per pattern (a purge checks every stored uri)."""
    exact = frozenset(p for p in patterns if not p.endswith(WILDCARD))
    prefixes = tuple(p[:-1] for p in patterns if p.endswith(WILDCARD))
    return lambda uri: uri in exact or uri.startswith(prefixes)


def _shown(path: str) -> str:
    # Messages echo the path, but never a 4,000-character one in full.
    return repr(path if len(path) <= 200 else path[:200] + "…")
