"""Targeted cache control, RFC 9213: ``CDN-Cache-Control`` and vendors' own fields.

A cache that honours targeted fields has an ordered list of field names (for instance
``Akamai-Cache-Control`` then ``CDN-Cache-Control``). The first of them that is present,
not empty and parses as a Structured Fields Dictionary (RFC 8941 §3.2) governs: its
directives are used *instead of* every ``Cache-Control`` directive (RFC 9213 §2.2). A
field that fails to parse is ignored as if absent (§2.1). Directive values must have the
type the directive implies (§2.1: a ``max-age`` that is not a non-negative Integer is not
used): such a directive is dropped, the rest of the field still governs.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from edge.rules.cache_control import Directives, HeaderList, header_values, parse_cache_control

# Directives whose argument is delta-seconds: an sf-integer in a targeted field.
_INTEGER_DIRECTIVES = frozenset(
    {"max-age", "s-maxage", "stale-while-revalidate", "stale-if-error", "max-stale", "min-fresh"}
)

_KEY = re.compile(r"[a-z*][a-z0-9_\-.*]*", re.ASCII)
_INTEGER = re.compile(r"-?\d{1,15}", re.ASCII)
_DECIMAL = re.compile(r"-?\d{1,12}\.\d{1,3}", re.ASCII)
_TOKEN = re.compile(r"[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*", re.ASCII)
_BYTES = re.compile(r":[A-Za-z0-9+/=]*:")
_BOOLEAN = re.compile(r"\?[01]")

# An sf bare item after parsing; a Dictionary maps keys to an item or an inner list.
BareItem = int | float | str | bytes | bool | tuple[object, ...]


class _Invalid(ValueError):
    """The text is not a Structured Field of the expected type (RFC 8941 §4.2)."""


def response_directives(headers: HeaderList, targeted: Sequence[str]) -> Directives:
    """The directives that govern this cache: the first valid targeted field's, else
    ``Cache-Control``'s (RFC 9213 §2.2)."""
    for name in targeted:
        directives = targeted_directives(header_values(headers, name))
        if directives is not None:
            return directives
    return parse_cache_control(header_values(headers, "cache-control"))


def targeted_directives(values: Sequence[str]) -> Directives | None:
    """One targeted field's directives, or None when it is absent, empty or invalid."""
    if not values:
        return None
    try:
        dictionary = parse_sf_dictionary(", ".join(values))
    except _Invalid:
        return None
    if not dictionary:
        return None
    directives: Directives = {}
    for name, value in dictionary.items():
        if name in _INTEGER_DIRECTIVES:
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
                directives[name] = str(value)
        elif value is True:
            directives[name] = None
        elif isinstance(value, str):  # e.g. no-cache="set-cookie": a qualified directive
            directives[name] = value
    return directives


def parse_sf_dictionary(text: str) -> dict[str, BareItem]:
    """An RFC 8941 §4.2.2 Dictionary; parameters are parsed and dropped (RFC 9213 §2.1
    gives them no meaning). Raises _Invalid."""
    parser = _Parser(text)
    parser.skip(" ")
    result: dict[str, BareItem] = {}
    while not parser.done():
        key = parser.match(_KEY)
        if parser.peek() == "=":
            parser.pos += 1
            value = parser.item_or_inner_list()
        else:
            value = True
            parser.parameters()
        result[key] = value
        parser.skip(" \t")
        if parser.done():
            break
        parser.expect(",")
        parser.skip(" \t")
        if parser.done():
            raise _Invalid("trailing comma")
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def done(self) -> bool:
        return self.pos >= len(self.text)

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip(self, chars: str) -> None:
        while self.peek() and self.peek() in chars:
            self.pos += 1

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise _Invalid(f"expected {char!r} at {self.pos}")
        self.pos += 1

    def match(self, pattern: re.Pattern[str]) -> str:
        found = pattern.match(self.text, self.pos)
        if found is None:
            raise _Invalid(f"unexpected {self.peek()!r} at {self.pos}")
        self.pos = found.end()
        return found.group()

    def item_or_inner_list(self) -> BareItem:
        if self.peek() != "(":
            item = self.bare_item()
            self.parameters()
            return item
        self.pos += 1
        items: list[object] = []
        while True:
            self.skip(" ")
            if self.peek() == ")":
                self.pos += 1
                self.parameters()
                return tuple(items)
            items.append(self.bare_item())
            self.parameters()
            if self.peek() not in (" ", ")"):
                raise _Invalid("inner list members are separated by spaces")

    def parameters(self) -> None:
        while self.peek() == ";":
            self.pos += 1
            self.skip(" ")
            self.match(_KEY)
            if self.peek() == "=":
                self.pos += 1
                self.bare_item()

    def bare_item(self) -> BareItem:
        first = self.peek()
        if first == "-" or first.isdigit():
            decimal = _DECIMAL.match(self.text, self.pos)
            if decimal is not None:
                self.pos = decimal.end()
                return float(decimal.group())
            return int(self.match(_INTEGER))
        if first == '"':
            return self.string()
        if first == ":":
            return self.match(_BYTES).encode()
        if first == "?":
            return self.match(_BOOLEAN) == "?1"
        if first == "*" or first.isalpha():
            return self.match(_TOKEN)
        raise _Invalid(f"no item at {self.pos}")

    def string(self) -> str:
        self.pos += 1
        out: list[str] = []
        while not self.done():
            char = self.text[self.pos]
            self.pos += 1
            if char == "\\":
                escaped = self.peek()
                if escaped not in ('"', "\\"):
                    raise _Invalid("bad escape in a string")
                out.append(escaped)
                self.pos += 1
            elif char == '"':
                return "".join(out)
            elif not " " <= char <= "~":
                raise _Invalid("strings are printable ASCII")
            else:
                out.append(char)
        raise _Invalid("unterminated string")
