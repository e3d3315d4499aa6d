"""No secret of a notification target reaches a terminal, a log line or the store, whoever prints it.

`digest -vv run` runs as a real process with the real Apprise plugins, forked from an interpreter that has
imported them already (`tests/support/forked.py`). Every web target posts through a
proxy on a closed local port (requests honours `HTTPS_PROXY`), so each post fails at once without a lookup
of the service's name; the mail target's SMTP server is a closed local port too.
"""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.store.database import Store
from digest.store.runs import RunRecord
from tests.support.arxiv_server import ArxivServer
from tests.support.forked import start_digest
from tests.support.golden import golden_config_path
from tests.support.receiver import Receiver

MONDAY = "2025-10-13"
SECRETS = {
    "slack": "SlackToken24charsABCDEFG",
    "discord": "DiscordWebhookTokenXYZ123",
    "telegram": "TelegramBotTokenQWERTY987",
    "mail": "MailPassw0rdSecret",
    "json path": "JsonPathTokenLMNOP42",
    "json payload": "JsonPayloadTokenRSTU77",
    "ntfy": "NtfyTopicSecretVWXY55",
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def targets(port: int) -> str:
    return ",".join(
        [
            f"https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/{SECRETS['slack']}",
            f"discord://123456789/{SECRETS['discord']}",
            f"tgram://123456789:{SECRETS['telegram']}/987654/",
            f"mailto://digest:{SECRETS['mail']}@example.org?smtp=127.0.0.1&port={port}&to=me@example.org",
            f"json://127.0.0.1:{port}/hook/{SECRETS['json path']}?:token={SECRETS['json payload']}",
            f"ntfy://{SECRETS['ntfy']}",
        ]
    )


def environment(server: ArxivServer, tmp_path: Path, log_format: str) -> dict[str, str]:
    port = closed_port()
    proxy = f"http://127.0.0.1:{port}"
    return server.environment() | {
        "DIGEST_NOW": "2025-10-14T07:00:00+00:00",
        "DIGEST_OUTPUT_DIR": str(tmp_path / "output"),
        "DIGEST_NOTIFY": targets(port),
        "DIGEST_LOG_FORMAT": log_format,
        "HTTPS_PROXY": proxy,
        "HTTP_PROXY": proxy,
        "NO_PROXY": "127.0.0.1,localhost",
    }


def leaked(text: str | bytes) -> list[str]:
    data = text.encode() if isinstance(text, str) else text
    return [name for name, secret in SECRETS.items() if secret.encode() in data]


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_no_target_secret_reaches_the_logs_the_errors_the_store_or_status(
    server: ArxivServer, tmp_path: Path, log_format: str
) -> None:
    env = environment(server, tmp_path, log_format)
    config = ["--config", str(golden_config_path(MONDAY))]
    run = start_digest(["-vv", "run", *config], os.environ | env, tmp_path / "run")
    assert run.wait(timeout=120) == 1, run.stderr[-2000:]
    assert "DEBUG apprise" in run.stderr or '"logger": "apprise"' in run.stderr  # Apprise's own lines are there
    assert "Name or service not known" not in run.stderr  # no lookup of a service's host
    assert leaked(run.stdout) == []
    assert leaked(run.stderr) == []
    assert leaked((Path(os.environ["DIGEST_CACHE_DIR"]) / "digest.sqlite3").read_bytes()) == []
    for command in (["status"], ["status", "--json"], ["check-config"]):
        shown = CliRunner().invoke(main, [*command, *config], env=env)
        assert shown.exception is None or isinstance(shown.exception, SystemExit), shown.output
        assert leaked(shown.output) == [], command


def test_status_masks_a_secret_an_older_version_stored_in_clear(tmp_path: Path) -> None:
    target = f"json://127.0.0.1:9/hook/{SECRETS['json path']}"
    with Store.open(Path(os.environ["DIGEST_CACHE_DIR"]) / "digest.sqlite3") as store:
        store.save_run(RunRecord(datetime(2025, 10, 14, 7, tzinfo=UTC), "run", [], "failed", 1, f"notify {target}"))
    config = ["--config", str(golden_config_path(MONDAY)), "--output", str(tmp_path / "output")]
    env = {"DIGEST_NOTIFY": target, "DIGEST_NOW": "2025-10-14T07:00:00+00:00"}
    for command in (["status"], ["status", "--json"]):
        shown = CliRunner().invoke(main, [*command, *config], env=env)
        assert "notify json://127.0.0.1:9/***/***" in shown.output
        assert leaked(shown.output) == []


def test_notify_test_masks_the_secrets_of_a_target_given_on_the_command_line(tmp_path: Path) -> None:
    port = closed_port()
    target = f"https://hooks.slack.com/services/T0AAAAAAA/B0BBBBBBB/{SECRETS['slack']}"
    config = ["--config", str(golden_config_path(MONDAY)), "--output", str(tmp_path / "output")]
    env = {"HTTPS_PROXY": f"http://127.0.0.1:{port}", "NO_PROXY": "127.0.0.1,localhost"}
    result = CliRunner().invoke(main, ["-vv", "notify", "--test", target, *config], env=env)
    assert result.exit_code == 1
    assert "slack://T...A/B...B/S...G: failed: " in result.output
    assert leaked(result.output) == []


def test_a_librarys_bare_request_path_is_masked_when_it_holds_a_target_token(
    receiver: Receiver, tmp_path: Path
) -> None:
    env = {"DIGEST_NOTIFY": receiver.url(f"hook/{SECRETS['json path']}")}
    config = ["--config", str(golden_config_path(MONDAY)), "--output", str(tmp_path / "output")]
    result = CliRunner().invoke(main, ["-vv", "notify", "--test", *config], env=env)
    assert result.exit_code == 0, result.output
    assert '"POST /***/*** HTTP/1.1" 200' in result.output  # urllib3's line: no URL around the path
    assert leaked(result.output) == []
