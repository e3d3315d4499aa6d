"""Secrets never reach a terminal or a log: every URL in a message loses its user information and the values
of its query parameters.

Git remotes carry tokens as `https://user:TOKEN@host/…` or `…?token=TOKEN`, notification targets as
passwords and keys. Only the parameters of arXiv's own public interfaces (a harvest's `from`, an `id_list`)
stay readable, since they are what makes an arXiv error worth reading.
"""

from __future__ import annotations

import re

__all__ = ["redact"]

MASK = "***"

_URL = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>[^\s'\"<>]+)")
_PUBLIC_PARAMETERS = frozenset(
    {
        "verb", "metadataPrefix", "set", "from", "until", "resumptionToken", "identifier",  # OAI-PMH
        "search_query", "id_list", "start", "max_results", "sortBy", "sortOrder",  # the API
    }
)  # fmt: skip


def redact(text: str) -> str:
    """`text` with every URL's user information and query values (but arXiv's public ones) masked."""
    return _URL.sub(_redact_url, text)


def _redact_url(match: re.Match[str]) -> str:
    rest = match["rest"]
    address, question, query = rest.partition("?")
    authority, slash, path = address.partition("/")
    if "@" in authority:
        authority = f"{MASK}@{authority.rpartition('@')[2]}"
    if question:
        query = "&".join(_redact_parameter(parameter) for parameter in query.split("&"))
    return f"{match['scheme']}{authority}{slash}{path}{question}{query}"


def _redact_parameter(parameter: str) -> str:
    name, equals, value = parameter.partition("=")
    if not equals or name in _PUBLIC_PARAMETERS or not value:
        return parameter
    return f"{name}={MASK}"
