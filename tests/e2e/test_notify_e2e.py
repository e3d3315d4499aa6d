"""Notifications end to end: `digest run` against the local arXiv, Apprise posting to a real receiver."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from pathlib import Path

from click.testing import CliRunner, Result

from digest.cli.main import main
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import golden_config_path
from tests.support.receiver import Receiver
from tests.support.world import ServedPaper

MONDAY = "2025-10-13"
AFTER_MONDAY = "2025-10-14T07:00:00+00:00"
PASSWORD = "s3cr3t-pa55"


def digest(server: ArxivServer, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    environment = server.environment() | {"DIGEST_NOW": AFTER_MONDAY, "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    config = ["--config", str(golden_config_path(MONDAY))]
    return CliRunner().invoke(main, [*args, *config], env=environment | (env or {}))


def notifying(receiver: Receiver, **more: str) -> dict[str, str]:
    return {"DIGEST_NOTIFY": receiver.url(credentials=f"bot:{PASSWORD}"), **more}


def add_mllm_paper(server: ArxivServer) -> None:
    """A late MLLM paper on Monday's listing: the batch a `--refresh` fetches has changed."""
    submitted = datetime.fromisoformat("2025-10-13T12:00:00+00:00")
    paper = ServedPaper(
        "2510.99999", [submitted], "A Late Vision Language Model", ["Ada"], "We train a VLM.", ["cs.CV"]
    )
    server.world.add(paper, date(2025, 10, 14), "new")


def test_a_run_posts_one_message_for_its_date(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    result = digest(server, tmp_path, "run", env=notifying(receiver))
    assert result.exit_code == 0, result.output
    assert len(receiver.messages) == 1
    message = receiver.messages[0]
    assert message["title"] == "arXiv digest 2025-10-13"
    assert "**MLLM**: " in message["message"]
    assert "1 message sent" in result.stdout


def test_the_message_lists_counts_titles_and_the_rest_as_a_number(
    server: ArxivServer, tmp_path: Path, receiver: Receiver
) -> None:
    env = notifying(receiver, DIGEST_NOTIFY_MAX_PAPERS="2", DIGEST_DIGEST_URL="https://example.org/digests/blob/main")
    assert digest(server, tmp_path, "run", env=env).exit_code == 0
    body = receiver.messages[0]["message"]
    mllm = next(section for section in body.split("\n\n") if section.startswith("**MLLM**"))
    lines = mllm.splitlines()
    count = int(lines[0].removeprefix("**MLLM**: ").split()[0])
    listed = (tmp_path / "output" / "MLLM" / f"{MONDAY}.md").read_text().count("\n- **[")
    assert count == listed
    assert [line.startswith("- [") and "](https://arxiv.org/abs/" in line for line in lines[1:3]] == [True, True]
    assert lines[3] == f"… and {count - 2} more"
    assert lines[4] == f"[MLLM digest](https://example.org/digests/blob/main/MLLM/{MONDAY}.md)"


def test_a_rerun_of_the_same_date_posts_nothing(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    assert digest(server, tmp_path, "run", env=notifying(receiver)).exit_code == 0
    assert digest(server, tmp_path, "run", "--date", MONDAY, env=notifying(receiver)).exit_code == 0
    assert digest(server, tmp_path, "run", "--refresh", env=notifying(receiver)).exit_code == 0
    assert len(receiver.messages) == 1


def test_a_changed_batch_posts_one_correction(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    assert digest(server, tmp_path, "run", env=notifying(receiver, DIGEST_NOTIFY_MAX_PAPERS="1000")).exit_code == 0
    add_mllm_paper(server)
    every_title = notifying(receiver, DIGEST_NOTIFY_MAX_PAPERS="1000")
    assert digest(server, tmp_path, "run", "--refresh", env=every_title).exit_code == 0
    assert len(receiver.messages) == 2
    assert receiver.messages[1]["title"] == "arXiv digest 2025-10-13 (corrected)"
    mllm = next(section for section in receiver.messages[1]["message"].split("\n\n") if "MLLM" in section)
    assert mllm.splitlines()[1:] == [
        "- added: [A Late Vision Language Model](https://arxiv.org/abs/2510.99999)",
    ]
    assert mllm.splitlines()[0].endswith(" papers (1 added, 0 removed)")


def test_a_refusing_target_fails_the_run_keeps_the_digests_and_the_next_run_delivers(
    server: ArxivServer, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.status = 500
    result = digest(server, tmp_path, "run", env=notifying(receiver))
    assert result.exit_code == 1
    masked = f"json://***@127.0.0.1:{receiver.port}/***"  # a json:// path is a token: masked
    assert result.stderr.splitlines()[-1] == (
        f"Error: notify {masked}: Failed to send JSON POST notification: Internal server error., error=500; "
        "the digests were written; the next run retries"
    )
    assert (tmp_path / "output" / "MLLM" / f"{MONDAY}.md").exists()
    receiver.status = 200
    assert digest(server, tmp_path, "run", env=notifying(receiver)).exit_code == 0
    assert len(receiver.messages) == 2
    assert receiver.messages[1]["title"] == receiver.messages[0]["title"] == "arXiv digest 2025-10-13"


def test_a_refusing_target_does_not_block_the_others(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    with Receiver() as refusing:
        refusing.status = 503
        env = {"DIGEST_NOTIFY": f"{refusing.url()},{receiver.url()}"}
        result = digest(server, tmp_path, "run", env=env)
    assert result.exit_code == 1
    assert len(receiver.messages) == 1


def test_the_password_of_a_target_never_shows(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    receiver.status = 500
    result = digest(server, tmp_path, "-vv", "run", env=notifying(receiver))
    checked = digest(server, tmp_path, "check-config", env=notifying(receiver))
    assert checked.exit_code == 0
    assert f"json://***@127.0.0.1:{receiver.port}/***" in checked.stdout
    for output in (result.stdout, result.stderr, checked.stdout, checked.stderr):
        assert PASSWORD not in output


def test_no_notify_sends_nothing_and_renotify_sends_again(
    server: ArxivServer, tmp_path: Path, receiver: Receiver
) -> None:
    assert digest(server, tmp_path, "run", "--no-notify", env=notifying(receiver)).exit_code == 0
    assert receiver.messages == []
    assert digest(server, tmp_path, "run", env=notifying(receiver)).exit_code == 0
    assert digest(server, tmp_path, "run", "--renotify", env=notifying(receiver)).exit_code == 0
    assert len(receiver.messages) == 2


def test_a_backfill_notifies_only_when_asked(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    args = ["backfill", "--from", MONDAY, "--to", MONDAY, "--force"]
    assert digest(server, tmp_path, *args, env=notifying(receiver)).exit_code == 0
    assert receiver.messages == []
    assert digest(server, tmp_path, *args, "--notify", env=notifying(receiver)).exit_code == 0
    assert [message["title"] for message in receiver.messages] == ["arXiv digest 2025-10-13"]


def test_a_topics_targets_replace_the_global_ones(server: ArxivServer, tmp_path: Path, receiver: Receiver) -> None:
    config = tmp_path / "config.yml"
    text = golden_config_path(MONDAY).read_text()
    with Receiver() as own:
        config.write_text(text.replace("  MLLM:\n", f"  MLLM:\n    notify: ['{own.url()}']\n", 1))
        assert "notify" in config.read_text()
        env = server.environment() | {"DIGEST_NOW": AFTER_MONDAY, "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
        result = CliRunner().invoke(main, ["run", "--config", str(config)], env=env | notifying(receiver))
        assert result.exit_code == 0, result.output
        assert [section.split(":")[0] for section in own.messages[0]["message"].split("\n\n")] == ["**MLLM**"]
    assert "**MLLM**" not in receiver.messages[0]["message"]
    assert "**LLM**" in receiver.messages[0]["message"]


def test_an_unknown_target_is_a_config_error_that_hides_its_secret(tmp_path: Path) -> None:
    env = {"DIGEST_NOTIFY": f"nosuch://user:{PASSWORD}@host/x", "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    config = golden_config_path(MONDAY)
    result = CliRunner().invoke(main, ["check-config", "--config", str(config)], env=env)
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: {config}: settings.notify (from DIGEST_NOTIFY): target 1 of the list: "
        "nosuch://*** is not a notification URL Apprise knows (see its wiki for the services)\n"
    )


def test_the_store_records_a_sent_message_at_the_runs_now(
    server: ArxivServer, tmp_path: Path, receiver: Receiver
) -> None:
    assert digest(server, tmp_path, "run", env=notifying(receiver)).exit_code == 0
    with sqlite3.connect(tmp_path / "cache" / "digest.sqlite3") as db:
        (sent_at,) = db.execute("SELECT sent_at FROM notifications").fetchone()
    assert datetime.fromisoformat(sent_at) == datetime.fromisoformat(AFTER_MONDAY)


def test_notify_test_sends_one_message_to_each_target_and_reports_it(tmp_path: Path, receiver: Receiver) -> None:
    with Receiver() as refusing:
        refusing.status = 500
        env = {"DIGEST_NOTIFY": f"{receiver.url()},{refusing.url()}", "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
        result = CliRunner().invoke(main, ["notify", "--test", "--config", str(golden_config_path(MONDAY))], env=env)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"json://127.0.0.1:{receiver.port}/***: sent",
        f"json://127.0.0.1:{refusing.port}/***: failed: Failed to send JSON POST notification: "
        "Internal server error., error=500",
    ]
    assert result.stderr == "Error: 1 of 2 targets refused the test message\n"
    assert [message["title"] for message in receiver.messages] == ["arXiv digest: test message"]


def test_notify_test_takes_one_target_from_the_command_line(tmp_path: Path, receiver: Receiver) -> None:
    config = ["--config", str(golden_config_path(MONDAY))]
    result = CliRunner().invoke(main, ["notify", "--test", receiver.url(), *config])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"json://127.0.0.1:{receiver.port}/***: sent\n"


def test_notify_test_without_a_target_says_where_to_set_one() -> None:
    result = CliRunner().invoke(main, ["notify", "--test", "--config", str(golden_config_path(MONDAY))])
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no notification target: set settings.notify (or DIGEST_NOTIFY), or name one after --test\n"
    )


def test_status_shows_the_messages_owed_and_the_check_fails_once_one_is_owed_over_a_day(
    server: ArxivServer, tmp_path: Path, receiver: Receiver
) -> None:
    receiver.status = 500
    assert digest(server, tmp_path, "run", env=notifying(receiver)).exit_code == 1
    within_a_day = digest(server, tmp_path, "status", "--check", env={"DIGEST_NOW": "2025-10-14T20:00:00+00:00"})
    assert within_a_day.exit_code == 0, within_a_day.output
    assert "Messages owed: 1 (the oldest of 2025-10-13, queued 2025-10-14 07:00 UTC)" in within_a_day.stdout
    a_day_later = digest(server, tmp_path, "status", "--check", env={"DIGEST_NOW": "2025-10-15T07:15:00+00:00"})
    assert a_day_later.exit_code == 1
    assert a_day_later.stderr == (
        "Error: messages owed for more than a day, of 2025-10-13: a notification target refuses them "
        "(`digest status` shows why); each run with notifications retries\n"
    )
