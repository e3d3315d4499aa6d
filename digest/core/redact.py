"""Secrets never reach a terminal, a log line or the store: one `redact` that every message passes.

It masks what any text may carry, whoever wrote it (our code, git, Apprise, httpx, urllib3):

- every URL's user information and the values of its query parameters (but arXiv's public ones: a harvest's
  `from`, an `id_list`, are what makes an arXiv error worth reading);
- every path segment of a URL on a known webhook host (Slack, Discord, Telegram, ntfy.sh): the path is the
  token there;
- the value of a `token`, `key`, `secret` or `password` field in dict or JSON text, and an `Authorization`
  header's credentials;
- the secret parts of the configured notification targets, wherever they appear (`remember_secrets`): a
  library logs a bare path (`"POST /hook/<token> HTTP/1.1"`) that no URL pattern can recognise.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["MASK", "mask_secrets", "redact", "remember_secrets", "secret_name"]

MASK = "***"

_URL = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<rest>[^\s'\"<>]+)")
_PUBLIC_PARAMETERS = frozenset(
    {
        "verb", "metadataPrefix", "set", "from", "until", "resumptionToken", "identifier",  # OAI-PMH
        "search_query", "id_list", "start", "max_results", "sortBy", "sortOrder",  # the API
    }
)  # fmt: skip
_WEBHOOK_HOSTS = frozenset(
    {"hooks.slack.com", "discord.com", "discordapp.com", "api.telegram.org", "ntfy.sh", "api.pushover.net"}
)
_SECRET_NAME = r"(?:[A-Za-z0-9]+[_-])*(?:token|key|secret|password|passwd|pwd)"
_SECRET_FIELD = re.compile(
    rf"""(?P<name>(?P<quote>["']?)\b{_SECRET_NAME}\b(?P=quote)\s*[:=]\s*)"""
    r"""(?P<value>"[^"]*"|'[^']*'|[^\s,;&}\]'"]+)""",
    re.IGNORECASE,
)
_AUTHORIZATION = re.compile(r"\b(?P<scheme>Bearer|Basic)\s+(?P<credentials>[A-Za-z0-9._~+/=-]{8,})")
_SHORTEST_SECRET = 4
"""A shorter part of a target (`api`, a port) is no secret, and masking it would garble every message."""

_known: set[str] = set()


def remember_secrets(secrets: Iterable[str]) -> None:
    """Mask these strings (a configured target's tokens) in every later message of this process."""
    _known.update(secret for secret in secrets if len(secret) >= _SHORTEST_SECRET)


def redact(text: str) -> str:
    """`text` with every secret it may carry masked (see the module's docstring)."""
    text = mask_secrets(text, _known)
    text = _URL.sub(_redact_url, text)
    text = _SECRET_FIELD.sub(_redact_field, text)
    return _AUTHORIZATION.sub(lambda match: f"{match['scheme']} {MASK}", text)


def secret_name(name: str) -> bool:
    """Whether a field or option of this name holds a secret: `token`, `api_key`, `X-Api-Key`, `password`, …"""
    return re.fullmatch(_SECRET_NAME, name, re.IGNORECASE) is not None


def mask_secrets(text: str, secrets: Iterable[str]) -> str:
    """`text` with each of `secrets` masked where it stands as a whole (not inside a longer word), longest first."""
    ordered = sorted({secret for secret in secrets if secret}, key=len, reverse=True)
    if not ordered:
        return text
    pattern = "|".join(re.escape(secret) for secret in ordered)
    return re.sub(rf"(?<![A-Za-z0-9])(?:{pattern})(?![A-Za-z0-9])", MASK, text)


def _redact_url(match: re.Match[str]) -> str:
    rest = match["rest"]
    address, question, query = rest.partition("?")
    authority, slash, path = address.partition("/")
    if "@" in authority:
        authority = f"{MASK}@{authority.rpartition('@')[2]}"
    if authority.partition(":")[0].lower() in _WEBHOOK_HOSTS and path:
        path = "/".join(MASK if segment else segment for segment in path.split("/"))
    if question:
        query = "&".join(_redact_parameter(parameter) for parameter in query.split("&"))
    return f"{match['scheme']}{authority}{slash}{path}{question}{query}"


def _redact_parameter(parameter: str) -> str:
    name, equals, value = parameter.partition("=")
    if not equals or name in _PUBLIC_PARAMETERS or not value:
        return parameter
    return f"{name}={MASK}"


def _redact_field(match: re.Match[str]) -> str:
    value = match["value"]
    quote = value[0] if value[0] in "'\"" else ""
    return f"{match['name']}{quote}{MASK}{quote}"
