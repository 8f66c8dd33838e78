"""The edge emulator: POPs and an optional shield with RFC 9111 shared-cache semantics.

Layout: ``rules/`` pure decisions (cache key, freshness, TTL per profile, storability,
Vary, the hit/stale/revalidate/miss decision, Cache-Status, HTTP dates, targeted cache
control, ranges and partial content, validators and preconditions, unsafe-method
invalidation, connection fields, message framing); ``store/`` the storage interface
with a memory and a diskcache store; ``pop.py`` and ``fill.py`` the I/O around the
rules, ``passthrough.py`` what is not cached, ``delivery.py`` the viewer's preconditions
and Range on the answer; ``upstream.py`` and ``upstream_connection.py`` the requests
upstream; ``pop_app.py`` the viewer-facing aiohttp app; ``control.py`` the JSON control
API; ``stack.py`` everything in one process; ``workers.py`` extra worker processes for
one POP.

What every response says:
- ``Cache-Status`` (RFC 9211): one entry per cache, the one closest to the origin first,
  so a POP behind the shield answers ``shield; …, pop-1; …``. On a POP hit only the
  POP's entry is given (the shield did not take part). ``key=`` is added when the
  edge's ``debug`` setting is on or the request carries ``X-Cdnsim-Debug: 1``.
- ``X-Cache``: ``Hit from cdnsim`` (fresh, stale-while-revalidate or stale-if-error),
  ``RefreshHit from cdnsim`` (a 304 refreshed the stored copy), ``Miss from cdnsim``
  (fetched, collapsed or passed through), ``Error from cdnsim`` (the edge's own 502/504).
- ``Age`` (RFC 9111 §4.2.3), ``X-Edge-Pop`` and CloudFront's ``X-Amz-Cf-Pop`` (the POP id).

Time: freshness, Age and stale windows read the injected clock. Upstream connect/read
timeouts and the coalescing wait are wall-clock seconds (``Timeouts``), so no client
waits forever while simulated time stands still.
"""
