"""The TLS roots every HTTPS client of a process shares: arXiv's and the language model's."""

from __future__ import annotations

import functools
import ssl

import httpx

__all__ = ["trust_store"]


@functools.cache
def trust_store() -> ssl.SSLContext:
    """httpx's TLS context (certifi's roots, or SSL_CERT_FILE/SSL_CERT_DIR), built once a process: loading the
    roots costs 40 to 75 ms, which every client of a run and of a test would pay again."""
    return httpx.create_ssl_context()
