"""Secrets in URLs never reach a message or a log line: user information and query values are masked."""

from __future__ import annotations

import io
import logging

import pytest

from digest.logs import configure_logging
from digest.redact import redact


def test_user_information_is_masked() -> None:
    assert redact("push to https://user:hunter2@github.com/lab/digests.git failed") == (
        "push to https://***@github.com/lab/digests.git failed"
    )


def test_query_string_values_are_masked() -> None:
    assert redact("remote https://host/repo.git?token=SECRET&user=me is gone") == (
        "remote https://host/repo.git?token=***&user=*** is gone"
    )


def test_arxivs_public_parameters_stay_readable() -> None:
    url = "https://oaipmh.arxiv.org/oai?verb=ListRecords&metadataPrefix=arXivRaw&set=cs&from=2025-10-01"
    assert redact(url) == url


def test_every_url_of_a_message_is_redacted() -> None:
    text = "json://a:b@127.0.0.1:9/x and mailto://me:pw@example.org?to=you@example.org"
    assert redact(text) == "json://***@127.0.0.1:9/x and mailto://***@example.org?to=***"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_log_lines_are_redacted_whoever_logs_them(log_format: str) -> None:
    stream = io.StringIO()
    configure_logging(0, "json" if log_format == "json" else "text", stream)
    logging.getLogger("somelibrary").warning("GET %s", "https://host/x?api_key=SECRET")
    assert "SECRET" not in stream.getvalue()
    assert "api_key=***" in stream.getvalue()
