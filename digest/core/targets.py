"""Notification targets: Apprise URLs, checked and shown with their secrets masked.

A target URL is a credential (a Slack webhook's tokens, a mail password, a bot token, a `json://` path, an
ntfy topic): it is only ever shown through `mask_target`, Apprise's privacy form with every part of
`target_secrets` masked too (Apprise shows a `json://` path and an ntfy topic in clear). `remember_targets`
hands those parts to `redact`, so a library's log line that names one is masked as well.
Apprise is imported on first use, so a configuration without targets never pays for it.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import unquote

from digest.core.redact import mask_secrets, redact, remember_secrets, secret_name

if TYPE_CHECKING:
    from apprise import Apprise

__all__ = ["load_target", "mask_target", "remember_targets", "target_problem", "target_secrets"]


def load_target(url: str) -> Apprise | None:
    """An Apprise object holding the one target `url`, or None when Apprise does not understand it."""
    from apprise import Apprise

    notifier = Apprise()
    apprise_log = logging.getLogger("apprise")
    level = apprise_log.level
    # Its own "Unparseable URL" would echo ours, and "Loaded … URL" names the target before `remember_targets`
    # knows it (setLevel, not `.level =`: only setLevel clears the loggers' cache of enabled levels).
    apprise_log.setLevel(logging.CRITICAL)
    try:
        return notifier if notifier.add(url) else None
    finally:
        apprise_log.setLevel(level)


def target_problem(url: str) -> str | None:
    """Why `url` is not a notification target, or None."""
    if not url.strip():
        return "an empty string is not a notification URL (see Apprise's wiki for the services)"
    if load_target(url) is None:
        return f"{mask_target(url)} is not a notification URL Apprise knows (see its wiki for the services)"
    return None


def mask_target(url: str) -> str:
    """`url` safe to print: Apprise's privacy form without its options or user information, or the scheme alone
    if Apprise cannot parse it."""
    notifier = load_target(url)
    if notifier is None:
        scheme, found, _ = url.partition("://")
        return f"{scheme}://***" if found else "***"
    shown: str = notifier[0].url(privacy=True)  # type: ignore[no-untyped-call]
    return redact(mask_secrets(shown.partition("?")[0].rstrip("/"), target_secrets(url)))


def remember_targets(urls: Iterable[str]) -> None:
    """Mask the secret parts of these targets in every later message of the process (`redact`)."""
    remember_secrets(secret for url in urls for secret in target_secrets(url))


def target_secrets(url: str) -> set[str]:
    """The parts of a target URL that could use it, as written and percent-decoded: the user information,
    a host that is no network host (a token, a topic), a port that is no number, every path segment, and
    the values of `token`/`key`/`password`-like options and of `+header` options."""
    _, found, rest = url.partition("://")
    if not found:
        return {url}
    address, _, query = rest.partition("?")
    authority, _, path = address.partition("#")[0].partition("/")
    userinfo, at, host_port = authority.rpartition("@")
    parts = userinfo.split(":") if at else []
    if host_port.startswith("["):  # an IPv6 address
        host, _, port = host_port[1:].partition("]")
        port = port.removeprefix(":")
    else:
        host, _, port = host_port.partition(":")
    if not _network_host(host):
        parts += [host, host_port]
    if port and not port.isdigit():
        parts.append(port)
    parts += path.split("/")
    for option in query.split("&"):
        name, _, value = option.partition("=")
        if name.startswith("+") or secret_name(name.lstrip(":-")):
            parts.append(value)
    return {form for part in parts for form in (part, unquote(part)) if form}


def _network_host(host: str) -> bool:
    """A name or an address a target posts to (`hooks.slack.com`, `127.0.0.1`), not a token in its place."""
    if "." in host or host.lower() == "localhost":
        return True
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
