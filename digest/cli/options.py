"""The option groups that reach a command as one value each, one value per intent: which batches
(`Fetching`: `--topic`, `--source`, `--offline`, `--refresh`), what follows the writing (`Finish`: `--commit`,
`--push` and the notify flags), which dates a backfill writes (`--from`, `--to`, `--every-day`, `--force`)
and whether it goes ahead when large (`--dry-run`, `--yes`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal, TypeVar, get_args

import click

from digest.cli.arguments import DATE
from digest.core.config import Settings, Source
from digest.core.errors import InputError
from digest.core.intents import Finish, Notify, Publish, Sourcing, StoreUse
from digest.outputs.reports import BackfillOptions

__all__ = [
    "COMMIT",
    "PUSH",
    "Consent",
    "Fetching",
    "consent_options",
    "fetch_options",
    "finish_options",
    "span_options",
]

F = TypeVar("F", bound=Callable[..., Any])

COMMIT = click.option("--commit", is_flag=True, help="Commit the written digests to the git repository.")
PUSH = click.option("--push", is_flag=True, help="Commit and push (implies --commit).")

Consent = Literal["ask", "yes", "dry-run"]
"""Whether a backfill over the confirmation limit asks, goes ahead (`--yes`) or only prints its plan."""


@dataclass(frozen=True)
class Fetching:
    """What `--topic`, `--source`, `--offline` and `--refresh` asked of a command that fetches."""

    topics: tuple[str, ...]
    source: Source | None
    stored: StoreUse

    def sourcing(self, settings: Settings) -> Sourcing:
        """Where the batches come from: `--source`, else `settings.source`."""
        return Sourcing(self.source or settings.source, self.stored)


def _stored(offline: bool, refresh: bool) -> StoreUse:
    if offline and refresh:
        raise InputError("--offline uses only the store and --refresh never reads it: give one of them")
    return "only" if offline else "never" if refresh else "first"


def _decorated(command: Callable[..., Any], options: list[Callable[[Any], Any]]) -> Any:
    for option in reversed(options):
        command = option(command)
    return command


def fetch_options(*, refresh: bool = False) -> Callable[[F], F]:
    """`--topic`, `--source`, `--offline` (and `--refresh` where a command takes it), handed to the command
    as one `fetching` value."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, topics: tuple[str, ...], source: Source | None, offline: bool, **kw: Any) -> Any:
            stored = _stored(offline, kw.pop("refresh", False))
            return command(*args, fetching=Fetching(topics, source, stored), **kw)

        options = [
            click.option("--topic", "topics", multiple=True, help="Only this topic (repeatable)."),
            click.option(
                "--source",
                type=click.Choice(get_args(Source)),
                default=None,
                help="Where the batch comes from (default: settings.source, auto: RSS for the latest batch, "
                "OAI-PMH for past dates; api is approximate: new papers only).",
            ),
            click.option(
                "--offline", is_flag=True, help="Use only the store, never the network; a date it lacks fails."
            ),
        ]
        if refresh:
            options.append(
                click.option("--refresh", is_flag=True, help="Fetch again even when the store holds the batch.")
            )
        return _decorated(wrapper, options)  # type: ignore[no-any-return]

    return decorate


_NOTIFY_FLAGS = {
    "owed": [
        click.option("--no-notify", is_flag=True, help="Send no notification (settings.notify) for this run."),
        click.option("--renotify", is_flag=True, help="Send the date's notifications again, even if they were sent."),
    ],
    "none": [
        click.option("--notify", is_flag=True, help="Send each written date's notifications (a backfill sends none)."),
        click.option("--renotify", is_flag=True, help="With --notify: send them even if they were sent."),
    ],
}


def _notify(default: Notify, flags: dict[str, bool]) -> Notify:
    """`--no-notify` wins over `--renotify`; `--renotify` without `--notify` sends nothing where none is the
    default."""
    wanted = not flags.pop("no_notify", False) if default == "owed" else flags.pop("notify", False)
    again = flags.pop("renotify", False)
    if not wanted:
        return "none"
    return "again" if again else "owed"


def finish_options(default: Notify, *, notify_flags: bool = True) -> Callable[[F], F]:
    """`--commit`, `--push` and the notify flags, handed to the command as one `finish` value. A command
    that sends its messages by default takes `--no-notify` and `--renotify`; one that sends none by default
    takes `--notify` and `--renotify`."""

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def wrapper(*args: Any, commit: bool, push: bool, **kw: Any) -> Any:
            publish: Publish = "push" if push else "commit" if commit else "none"
            notify = _notify(default, kw) if notify_flags else default
            return command(*args, finish=Finish(publish, notify), **kw)

        return _decorated(wrapper, [*(_NOTIFY_FLAGS[default] if notify_flags else []), COMMIT, PUSH])  # type: ignore[no-any-return]

    return decorate


def consent_options(command: F) -> F:
    """`--dry-run` and `--yes`, handed to the command as one `consent` value; `--dry-run` wins."""

    @functools.wraps(command)
    def wrapper(*args: Any, dry_run: bool, yes: bool, **kw: Any) -> Any:
        consent: Consent = "dry-run" if dry_run else "yes" if yes else "ask"
        return command(*args, consent=consent, **kw)

    options = [
        click.option(
            "--dry-run", is_flag=True, help="Print the plan (dates, requests, time) and stop, with no request."
        ),
        click.option(
            "--yes", is_flag=True, help="Go ahead without asking when the plan is over backfill_confirm_requests."
        ),
    ]
    return _decorated(wrapper, options)  # type: ignore[no-any-return]


def span_options(command: F) -> F:
    """`--from`, `--to`, `--every-day` and `--force`, handed to the command as one `span` value: which dates
    a backfill writes."""

    @functools.wraps(command)
    def wrapper(*args: Any, start: date, end: date, every_day: bool, force: bool, **kw: Any) -> Any:
        return command(*args, span=BackfillOptions(start, end, every_day, force), **kw)

    options = [
        click.option("--from", "start", required=True, type=DATE, help="The first date."),
        click.option("--to", "end", required=True, type=DATE, help="The last date (inclusive)."),
        click.option(
            "--every-day", is_flag=True, help="Write every calendar date, as the source did, not only announcements."
        ),
        click.option("--force", is_flag=True, help="Write dates whose digests exist too."),
    ]
    return _decorated(wrapper, options)  # type: ignore[no-any-return]
