"""Pure caching rules: no aiohttp, no diskcache, no clock reads (``now`` is an argument)."""
