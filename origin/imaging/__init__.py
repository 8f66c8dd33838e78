"""Image work as small functions composed by one pipeline (thumbor-style)."""
