"""Logging setup for the command line: plain lines for a terminal, JSON lines for containers.

Library modules only call `logging.getLogger(__name__)`; this is the one place that decides where records go.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Literal, TextIO

from digest.core.redact import redact

__all__ = ["JsonFormatter", "LogFormat", "TextFormatter", "configure_logging", "level_for"]

LogFormat = Literal["text", "json"]

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every request or job execution at INFO: only worth seeing with --verbose.
_CHATTY_LIBRARIES = ("apscheduler", "httpx", "httpcore", "arxiv", "filelock")


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`time LEVEL logger: message`, every URL in it redacted, whichever library logged it."""

    def __init__(self) -> None:
        super().__init__(_TEXT_FORMAT, datefmt="%Y-%m-%dT%H:%M:%S%z")

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def level_for(verbosity: int) -> int:
    """`--quiet` (-1 or less): warnings only; default (0): info; `--verbose` (1 or more): debug."""
    if verbosity < 0:
        return logging.WARNING
    return logging.INFO if verbosity == 0 else logging.DEBUG


def configure_logging(verbosity: int = 0, log_format: LogFormat = "text", stream: TextIO | None = None) -> None:
    """Send every record to stderr (or `stream`) in the chosen format, replacing any earlier setup."""
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    level = level_for(verbosity)
    root.setLevel(level)
    for name in _CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(level if verbosity > 0 else max(level, logging.WARNING))
