"""The edge emulator: POPs and an optional shield with RFC 9111 shared-cache semantics."""
