"""The origin's HTTP handlers: thin, one module per tag of the API."""
