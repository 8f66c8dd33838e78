"""Cache behaviours (which rules apply to a path) and cache keys, as CloudFront defines them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

from edge.config import CacheBehavior, CachePolicy, ListBehavior
from edge.rules.cache_control import HeaderList, header_values

# Characters left as they are when re-encoding query names and values.
_QUERY_SAFE = "-_.~!$'()*+,;:@/"


@dataclass(frozen=True)
class CacheKey:
    primary: str  # uri, then the key's headers and cookies, one per line
    uri: str  # path plus the key's query: what invalidation paths match
    query: str  # the query string forwarded upstream


@lru_cache(maxsize=256)
def _pattern(pattern: str) -> re.Pattern[str]:
    if pattern != "*" and not pattern.startswith("/"):
        pattern = "/" + pattern  # CloudFront patterns may omit the leading slash
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(regex + r"\Z", re.DOTALL)


def pattern_matches(pattern: str, path: str) -> bool:
    """CloudFront path pattern: ``*`` any run of characters, ``?`` one; case-sensitive."""
    return _pattern(pattern).match(path) is not None


def select_behavior(behaviors: Sequence[CacheBehavior], path: str) -> CacheBehavior:
    """The first behaviour whose pattern matches (CloudFront's precedence), else the last."""
    for behavior in behaviors:
        if pattern_matches(behavior.path_pattern, path):
            return behavior
    return behaviors[-1]


def build_key(
    policy: CachePolicy, path: str, query: Sequence[tuple[str, str]], headers: HeaderList
) -> CacheKey:
    """The cache key of a request under ``policy``.

    The query part keeps the parameters the policy names (none, all, an allow-list, all
    but a deny-list), re-encoded consistently and, with ``normalize_query``, sorted, so
    that equivalent URLs share one entry. Header and cookie values the policy names
    follow, lower-cased names, in the policy's order.
    """
    pairs = [(k, v) for k, v in query if _selected(policy.query_strings, policy.query_list, k)]
    if policy.normalize_query:
        pairs.sort()
    query_string = "&".join(f"{quote(k, _QUERY_SAFE)}={quote(v, _QUERY_SAFE)}" for k, v in pairs)
    uri = f"{path}?{query_string}" if query_string else path
    lines = [uri]
    for name in policy.headers:
        values = header_values(headers, name)
        lines.append(f"h:{name.lower()}={','.join(values) if values else '!'}")
    if policy.cookies != "none":
        cookies = _cookies(headers)
        for name in sorted(cookies):
            if _selected(policy.cookies, policy.cookie_list, name):
                lines.append(f"c:{name}={cookies[name]}")
    return CacheKey("\n".join(lines), uri, query_string)


def uri_of(primary: str) -> str:
    """The uri part of a stored key."""
    return primary.split("\n", 1)[0]


def _selected(behavior: ListBehavior, names: tuple[str, ...], name: str) -> bool:
    if behavior == "all":
        return True
    if behavior == "allow":
        return name in names
    if behavior == "deny":
        return name not in names
    return False


def _cookies(headers: HeaderList) -> dict[str, str]:
    jar: dict[str, str] = {}
    for value in header_values(headers, "cookie"):
        parsed: SimpleCookie = SimpleCookie()
        try:
            parsed.load(value)
        except CookieError:
            continue  # a malformed Cookie header contributes nothing to the key
        for name, morsel in parsed.items():
            jar.setdefault(name, morsel.value)
    return jar
