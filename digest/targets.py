"""Notification targets: Apprise URLs, checked and shown with their secrets masked.

A target URL is a credential (a Slack webhook's tokens, a mail password, a bot token): it is only ever
shown through `mask_target`, which keeps the service and the host and masks what Apprise calls private.
Apprise is imported on first use, so a configuration without targets never pays for it.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from digest.redact import redact

if TYPE_CHECKING:
    from apprise import Apprise

__all__ = ["load_target", "mask_target", "target_problem"]


def load_target(url: str) -> Apprise | None:
    """An Apprise object holding the one target `url`, or None when Apprise does not understand it."""
    from apprise import Apprise

    notifier = Apprise()
    apprise_log = logging.getLogger("apprise")
    level, apprise_log.level = apprise_log.level, logging.CRITICAL  # its own "Unparseable URL" would echo ours
    try:
        return notifier if notifier.add(url) else None
    finally:
        apprise_log.setLevel(level)


def target_problem(url: str) -> str | None:
    """Why `url` is not a notification target, or None."""
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
    return redact(shown.partition("?")[0].rstrip("/"))
