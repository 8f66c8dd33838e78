"""The client serving API: parameters, resolution, the S3 variant cache and single-flight rendering.

Pure rules (``params``, ``resolve``, ``variant_key``, ``conditional``) are kept apart
from the I/O that acts on them (``loading``, ``variants``, ``flight``, ``backend``).
"""
