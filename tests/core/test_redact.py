"""Secrets in URLs never reach a message or a log line: user information and query values are masked."""

from __future__ import annotations

import io
import logging

import pytest

from digest.cli.logs import configure_logging
from digest.core.redact import redact, remember_secrets


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


def test_every_path_segment_on_a_webhook_host_is_masked() -> None:
    assert redact("Slack POST URL: https://hooks.slack.com/services/T0A/B0B/tokenC (cert_verify=True)") == (
        "Slack POST URL: https://hooks.slack.com/***/***/***/*** (cert_verify=True)"
    )


def test_token_key_and_password_fields_of_dict_and_json_text_are_masked() -> None:
    text = """JSON Payload: {'token': 'abc123', "api_key": "k-9", 'x-auth-password': 'pw', 'title': 'kept'}"""
    assert redact(text) == (
        """JSON Payload: {'token': '***', "api_key": "***", 'x-auth-password': '***', 'title': 'kept'}"""
    )


def test_a_bearer_credential_is_masked() -> None:
    assert redact("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30") == "Authorization: Bearer ***"


def test_a_word_that_only_starts_like_a_secret_field_is_kept() -> None:
    assert redact("topic.LLM.keywords: a keyword or filter must not be empty") == (
        "topic.LLM.keywords: a keyword or filter must not be empty"
    )


def test_a_remembered_secret_is_masked_even_in_a_bare_path() -> None:
    remember_secrets(["Hook-Token-42"])
    assert redact('"POST /hook/Hook-Token-42 HTTP/1.1" 200') == '"POST /hook/*** HTTP/1.1" 200'


def test_a_remembered_secret_inside_a_longer_word_is_not_masked() -> None:
    remember_secrets(["alerts"])
    assert redact("alerts sent; nightalerts kept") == "*** sent; nightalerts kept"
