"""Logging setup: JSON lines for containers, levels from --verbose/--quiet."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from digest.logs import configure_logging


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    loggers = [logging.getLogger(name) for name in ("", "apscheduler", "httpx", "httpcore", "arxiv", "filelock")]
    levels = [logger.level for logger in loggers]
    handlers = list(loggers[0].handlers)
    yield
    loggers[0].handlers[:] = handlers
    for logger, level in zip(loggers, levels, strict=True):
        logger.setLevel(level)


def test_json_format_writes_one_object_per_record() -> None:
    stream = io.StringIO()
    configure_logging(0, "json", stream=stream)

    logging.getLogger("digest.publish").info("committed %s", "1a2b3c")

    entry = json.loads(stream.getvalue())
    assert set(entry) == {"time", "level", "logger", "message"}
    assert (entry["level"], entry["logger"], entry["message"]) == ("INFO", "digest.publish", "committed 1a2b3c")


def test_quiet_keeps_warnings_and_drops_info() -> None:
    stream = io.StringIO()
    configure_logging(-1, "text", stream=stream)

    logging.getLogger("digest").info("routine")
    logging.getLogger("digest").warning("push refused")

    assert "routine" not in stream.getvalue()
    assert "WARNING digest: push refused" in stream.getvalue()


def test_library_request_lines_show_only_when_verbose() -> None:
    stream = io.StringIO()
    configure_logging(0, "text", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: GET")
    configure_logging(1, "text", stream=stream)
    logging.getLogger("httpx").info("HTTP Request: HEAD")

    assert "GET" not in stream.getvalue()
    assert "HEAD" in stream.getvalue()
