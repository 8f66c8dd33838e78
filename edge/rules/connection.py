"""Fields about one connection, which an intermediary neither stores nor forwards.

RFC 9110 §7.6.1: ``Connection`` lists the fields that are meant for the immediate
recipient only; they, ``Connection`` itself and the well-known hop-by-hop fields
(``Keep-Alive``, ``Proxy-Connection``, ``TE``, ``Transfer-Encoding``, ``Upgrade``, …)
are removed before a message is forwarded, and a cache does not store them
(RFC 9111 §3.1). ``Content-Length`` is removed as well: the edge frames every body
it sends itself.
"""

from __future__ import annotations

from edge.rules.cache_control import HeaderList, split_list

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


def nominated(headers: HeaderList) -> frozenset[str]:
    """Every field name that is not end-to-end: the fixed set plus those ``Connection``
    names (lower-cased)."""
    named = {
        name.lower() for k, v in headers if k.lower() == "connection" for name in split_list([v])
    }
    return HOP_BY_HOP | named if named else HOP_BY_HOP


def end_to_end(headers: HeaderList) -> tuple[tuple[str, str], ...]:
    """``headers`` without the fields about this connection (RFC 9110 §7.6.1)."""
    drop = nominated(headers)
    return tuple((k, v) for k, v in headers if k.lower() not in drop)
