"""Origin state and rules (no HTTP): one backend per concern, as moto's models.py."""
