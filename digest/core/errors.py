"""The one error tree of arxiv-digest (docs/design.md, "Errors").

Library code raises these; only the CLI turns them into a message and an exit code::

    DigestError                 exit 1 unless a subclass says otherwise
    ├── InputError              exit 2: bad arguments, dates, record files
    │   ├── ConfigError         exit 2: the configuration file or environment is invalid
    │   └── OfflineMissError    exit 2: --offline asked for a batch the store does not hold
    ├── FetchError              exit 1: arXiv could not be read completely
    │   ├── IncompleteResponse  an answer arrived but is unusable (short, truncated, inconsistent): asked again
    │   ├── RetryableFetch      a try failed in a way a later try may not (timeout, 5xx, dropped connection)
    │   ├── UnreachableError    no try can succeed (no such host, refused, broken URL, TLS): not asked again
    │   ├── ExpiredToken        OAI-PMH no longer knows the resumption token: the harvest starts over
    │   └── IncompleteHarvest   the last page came, but fewer records than announced
    ├── StoreError              exit 1: the SQLite store is damaged or cannot be used
    ├── OutputError             exit 1: a digest could not be written (disk full, permissions)
    ├── PublishError            exit 1: git commit or push failed
    ├── NotifyError             exit 1: a notification target refused; the digests stand
    ├── ModelError              exit 1: the language model (`llm:`) could not answer
    └── LockError               exit 1: another run holds the output directory

The first four under FetchError are signals the HTTP client and the harvest act on; one that reaches the
CLI is still a FetchError. An error keeps what it concerns as fields (`day`, `url`, `target`) beside its
message, and is formatted only when shown (`str(err)`, `format_error`): a caller adds the date it was
working on with `err.on(day)` instead of pasting text around text, and a URL is shown redacted and
shortened, however it came.
"""

from __future__ import annotations

import copy
from datetime import date
from typing import TYPE_CHECKING, Self

from digest.core.redact import redact

if TYPE_CHECKING:  # only annotations: the module's names are the error tree
    from pydantic import ValidationError
    from pydantic_core import ErrorDetails

__all__ = [
    "ConfigError",
    "DigestError",
    "ExpiredToken",
    "FetchError",
    "IncompleteHarvest",
    "IncompleteResponse",
    "InputError",
    "LockError",
    "ModelError",
    "NotifyError",
    "OfflineMissError",
    "OutputError",
    "PublishError",
    "RetryableFetch",
    "StoreError",
    "UnreachableError",
    "format_error",
    "shown_url",
    "validation_problem",
    "validator_message",
]

MAX_SHOWN_URL = 160
"""A URL longer than this is cut (with `…`) where it is shown: a query of 100 ids would fill the screen."""


class DigestError(Exception):
    """Base of every error the CLI reports as one `Error: …` line.

    `day` is the date it stopped (shown first), `url` the address it concerns (shown last, redacted),
    `target` the notification target it concerns (a masked key or name), `during` what was being done on
    `day` (`left unfinished by an earlier run`).
    """

    exit_code = 1

    def __init__(
        self, message: str, *, day: date | None = None, url: str | None = None, target: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.day, self.url, self.target = day, url, target
        self.during: str | None = None

    def on(self, day: date, during: str | None = None) -> Self:
        """The same error, said of `day` (and of what was being done then)."""
        dated = copy.copy(self)
        dated.day, dated.during = day, during
        return dated

    def __str__(self) -> str:
        return format_error(self)


def format_error(err: DigestError) -> str:
    """The error as one line: `<day>[, <during>]: [notify <target>: ]<message>[: <url>]`."""
    text = err.message if err.target is None else f"notify {err.target}: {err.message}"
    if err.url is not None:
        text = f"{text}: {shown_url(err.url)}"
    if err.day is not None:
        during = f", {err.during}" if err.during else ""
        text = f"{err.day.isoformat()}{during}: {text}"
    return text


def shown_url(url: str) -> str:
    """A URL as an error or a log line shows it: secrets masked, cut at MAX_SHOWN_URL characters."""
    shown = redact(url)
    return shown if len(shown) <= MAX_SHOWN_URL else shown[: MAX_SHOWN_URL - 1] + "…"


class InputError(DigestError):
    """The user gave something unusable: an argument, a date, a records file."""

    exit_code = 2


class ConfigError(InputError):
    """The configuration is invalid; the message names the file, the key and the problem."""


class OfflineMissError(InputError):
    """`--offline` was asked for a date whose batch is not in the store."""


class FetchError(DigestError):
    """A fetch did not complete: nothing is written for the date it served."""


class IncompleteResponse(FetchError):
    """Raised by a `validate` callable: this 200 response is unusable (truncated, empty, inconsistent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryableFetch(FetchError):
    """A try that failed in a way the next try may not; `retry_after` is the server's Retry-After, if any."""

    def __init__(self, cause: str, retry_after: float | None = None) -> None:
        super().__init__(cause)
        self.cause = cause
        self.retry_after = retry_after


class UnreachableError(FetchError):
    """A failure no retry can mend: no name resolution, a refusing remote host, a broken URL, TLS."""


class ExpiredToken(FetchError):
    """arXiv no longer knows the resumption token (`badResumptionToken`): the harvest starts over."""


class IncompleteHarvest(FetchError):
    """The last page came, but the records received do not number `completeListSize`: start over next time."""


class StoreError(DigestError):
    """The store cannot be read or written; the message names the file and what to do."""


class OutputError(DigestError):
    """A file could not be written; what was on disk before is left as it was."""


class PublishError(DigestError):
    """git refused to commit or push."""


class NotifyError(DigestError):
    """A notification target did not take its message: the digests are written, the message stays queued."""


class LockError(DigestError):
    """Another run holds the output directory's lock."""


class ModelError(DigestError):
    """The language model could not answer: summaries wait for the next run, a judged topic is not written."""


def validation_problem(err: ValidationError) -> str:
    """The first problem pydantic found in a JSON document, as `where: what`, or "not valid JSON"."""
    first = err.errors()[0]
    if first["type"] == "json_invalid":
        return "not valid JSON"
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {validator_message(first)}" if where else validator_message(first)


def validator_message(error: ErrorDetails) -> str:
    """What a validator said, without pydantic's "Value error, " before it."""
    return str(error["ctx"]["error"]) if error["type"] == "value_error" and "ctx" in error else error["msg"]
