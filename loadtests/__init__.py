"""Locust load tests (run as separate processes; never imported by the servers or tests)."""
