"""``cdnsim load``: Locust runs against a stack, joined with the stack's own figures.

Nothing here imports locust: Locust runs in its own processes (it monkey-patches with
gevent). The locustfiles in ``loadtests/`` import only :mod:`cdnsim.load.popularity`.
"""
