"""`digest verify` and `digest status` against the local arXiv: two sources, one answer; the archive's health."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.calendar import announcement_in_force, load_holidays, mailing_date
from digest.ops.verify import Difference, compare
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import DAYS, golden_config_path
from tests.support.world import ServedPaper, golden_world, submission_time

MONDAY, THURSDAY = "2025-10-13", "2026-07-09"
MAILINGS = {MONDAY: date(2025, 10, 14), THURSDAY: date(2026, 7, 10)}
ON_THE_FEED = {MONDAY: "2025-10-14T07:00:00+00:00", THURSDAY: "2026-07-10T07:00:00+00:00"}


@pytest.fixture
def arxiv_days() -> list[str]:
    return [MONDAY, THURSDAY]


def digest(server: ArxivServer, work: Path, *args: str, now: str, day: str = MONDAY) -> Result:
    env = server.environment() | {
        "DIGEST_NOW": now,
        "DIGEST_OUTPUT_DIR": str(work / "output"),
        "DIGEST_CACHE_DIR": str(work / "cache"),
    }
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(day))], env=env)


def run_latest(server: ArxivServer, work: Path, day: str) -> None:
    """`digest run` the evening `day` is on arXiv's feed: its batch is stored from RSS."""
    server.current_mailing = MAILINGS[day]
    result = digest(server, work, "run", now=ON_THE_FEED[day], day=day)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def monday_stored(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """`run_latest` of Monday, done once for the module: the folder it worked in, and a pristine copy of it."""
    root = tmp_path_factory.mktemp("monday")
    with ArxivServer(golden_world([MONDAY, THURSDAY])) as server:
        run_latest(server, root / "work", MONDAY)
    shutil.copytree(root / "work", root / "pristine")
    return root / "work", root / "pristine"


@pytest.fixture
def stored(monday_stored: tuple[Path, Path], server: ArxivServer) -> Path:
    """A folder where `digest run` has just stored Monday's batch from RSS, and the server as that run left it.

    Each test gets the pristine copy back at the same path (the store's journal names the output folder by
    its path), so what one test writes never reaches another."""
    work, pristine = monday_stored
    shutil.rmtree(work)
    shutil.copytree(pristine, work)
    server.current_mailing = MAILINGS[MONDAY]
    return work


def days_later(day: str, days: int) -> str:
    return (datetime.fromisoformat(ON_THE_FEED[day]) + timedelta(days=days)).isoformat()


# The comparison, pure

A, B = date(2025, 10, 13), date(2025, 10, 14)


def test_the_same_ids_and_types_agree() -> None:
    verdict = compare(A, {A: {"1": "new", "2": "replace"}}, {A: {"1": "new", "2": "replace"}})
    assert verdict.outcome == "agree"
    assert verdict.papers == 2


def test_a_paper_only_one_source_has_is_named_with_its_type() -> None:
    verdict = compare(A, {A: {"1": "new"}}, {A: {"1": "new", "2": "new"}})
    assert verdict.differences == [Difference("2", None, (A, "new"))]
    assert verdict.differences[0].describe() == "2: not in any RSS batch stored, OAI window 2025-10-13 new"


def test_a_paper_the_other_source_places_in_a_neighbouring_announcement_names_both() -> None:
    verdict = compare(A, {A: {}, B: {"3": "new"}}, {A: {"3": "new"}, B: {}})
    assert [difference.describe() for difference in verdict.differences] == [
        "3: RSS 2025-10-14 new, OAI window 2025-10-13 new"
    ]


def test_a_different_announce_type_is_a_difference() -> None:
    verdict = compare(A, {A: {"4": "new"}}, {A: {"4": "replace"}})
    assert verdict.differences == [Difference("4", (A, "new"), (A, "replace"))]


# verify


@pytest.mark.parametrize("day", [MONDAY, THURSDAY])
def test_verify_agrees_on_the_golden_days(server: ArxivServer, tmp_path: Path, day: str) -> None:
    run_latest(server, tmp_path, day)
    result = digest(server, tmp_path, "verify", "--from", day, "--to", day, now=days_later(day, 3), day=day)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"{day}: agree (")
    assert result.output.splitlines()[-1] == "1 date verified: 1 agree, 0 differ"


def test_verify_names_a_paper_the_rss_batch_missed(server: ArxivServer, stored: Path) -> None:
    missed = ServedPaper("2510.99999", [submission_time(A)], "Missed by RSS", ["Ada"], "Text.", ["cs.CL"])
    server.world.papers[missed.id] = missed  # in OAI-PMH, in no RSS mailing
    result = digest(server, stored, "verify", "--from", MONDAY, "--to", MONDAY, now=days_later(MONDAY, 3))
    assert result.exit_code == 1
    assert result.output.splitlines()[:2] == [
        f"{MONDAY}: 1 difference (520 papers from RSS)",
        "  2510.99999: not in any RSS batch stored, OAI window 2025-10-13 new",
    ]


def test_verify_json_is_one_object_for_scripts(server: ArxivServer, stored: Path) -> None:
    result = digest(server, stored, "verify", "--json", now=days_later(MONDAY, 3))
    assert result.exit_code == 0
    assert json.loads(result.output) == {
        "agree": True,
        "dates": [{"date": MONDAY, "verdict": "agree", "papers": 520, "differences": []}],
    }


def test_a_batch_announced_less_than_a_day_ago_is_pending_not_checked(server: ArxivServer, stored: Path) -> None:
    server.reset_log()
    result = digest(server, stored, "verify", now=ON_THE_FEED[MONDAY])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith(f"{MONDAY}: pending")
    assert server.requests == []


def test_verify_records_its_verdict_and_harvests_only_once(server: ArxivServer, stored: Path) -> None:
    later = days_later(MONDAY, 3)
    assert digest(server, stored, "verify", now=later).exit_code == 0
    server.reset_log()
    assert digest(server, stored, "verify", now=later).exit_code == 0
    assert server.count("oai") == 0
    with sqlite3.connect(stored / "cache" / "digest.sqlite3") as db:
        assert db.execute("SELECT announcement, agree FROM verdicts").fetchall() == [(MONDAY, 1)]


def test_run_verify_logs_a_disagreement_and_still_succeeds(server: ArxivServer, stored: Path) -> None:
    missed = ServedPaper("2510.99999", [submission_time(A)], "Missed by RSS", ["Ada"], "Text.", ["cs.CL"])
    server.world.papers[missed.id] = missed
    result = digest(server, stored, "run", "--date", MONDAY, "--verify", now=days_later(MONDAY, 3))
    assert result.exit_code == 0, result.output
    assert "2025-10-13: RSS and OAI-PMH differ: 2510.99999: not in any RSS batch stored" in result.stderr


def test_a_verification_that_fails_never_fails_the_run(server: ArxivServer, stored: Path) -> None:
    server.inject("oai", "always-503")
    result = digest(server, stored, "run", "--date", MONDAY, "--verify", now=days_later(MONDAY, 3))
    assert result.exit_code == 0, result.output
    assert "verification against OAI-PMH failed" in result.stderr


# status


def test_status_shows_a_missing_date_an_empty_digest_and_a_failed_run(server: ArxivServer, stored: Path) -> None:
    output = stored / "output"
    empty = output / "MLLM" / "2025-10-15.md"
    empty.write_text((output / "MLLM" / f"{MONDAY}.md").read_text().split("\n")[0] + "\n")
    server.inject("api", "always-503")
    failed = digest(server, stored, "run", "--date", "2025-10-16", "--source", "api", now=days_later(MONDAY, 3))
    assert failed.exit_code == 1
    result = digest(server, stored, "status", now=days_later(MONDAY, 3))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  MLLM: 2 digests, 2025-10-13 to 2025-10-15" in lines
    assert "    missing announcements: 2025-10-14" in lines
    assert "    empty digests: 2025-10-15" in lines
    assert "    RSS batches not verified: 2025-10-13" in lines
    error = failed.stderr.splitlines()[-1].removeprefix("Error: ")
    assert any(line.endswith(f"run --date 2025-10-16: failed, 0 requests: {error}") for line in lines)
    assert any(line.startswith("  last success: ") and "run 2025-10-13: ok" in line for line in lines)


def test_status_json_carries_the_same_for_monitoring(server: ArxivServer, stored: Path) -> None:
    result = digest(server, stored, "status", "--json", now="2025-10-14T12:00:00+00:00")
    data = json.loads(result.output)
    assert data["store"]["counts"]["batches from rss"] == 1
    assert data["archive"][0]["first"] == MONDAY
    assert data["runs"][0]["outcome"] == "ok"
    assert data["check"] == {"ok": True, "problem": None}


def test_status_check_is_0_when_the_latest_due_digest_is_written(server: ArxivServer, stored: Path) -> None:
    result = digest(server, stored, "status", "--check", now="2025-10-14T12:00:00+00:00")
    assert result.exit_code == 0
    assert result.output.splitlines()[-1] == "Check: ok"


def test_status_check_is_1_when_the_latest_due_digest_is_missing(server: ArxivServer, stored: Path) -> None:
    result = digest(server, stored, "status", "--check", now="2025-10-15T12:00:00+00:00")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the digest of 2025-10-14 is missing for LLM, MLLM,")
    assert result.stderr.rstrip().endswith("then `digest run --date 2025-10-14`")


def test_status_check_waits_for_the_schedule_before_calling_a_date_missing(server: ArxivServer, stored: Path) -> None:
    # Tuesday's batch goes out at 00:00 UTC on Wednesday; the 06:30 UTC run writes it by 07:30.
    assert digest(server, stored, "status", "--check", now="2025-10-15T07:00:00+00:00").exit_code == 0
    assert digest(server, stored, "status", "--check", now="2025-10-15T07:45:00+00:00").exit_code == 1


@pytest.mark.parametrize("day", DAYS)
def test_verify_agrees_on_every_golden_day(tmp_path: Path, day: str) -> None:
    announcement = announcement_in_force(date.fromisoformat(day), load_holidays())
    mailing = mailing_date(announcement)
    on_the_feed = datetime.combine(mailing, time(7), UTC).isoformat()
    with ArxivServer(golden_world([day])) as server:
        server.current_mailing = mailing
        assert digest(server, tmp_path, "run", now=on_the_feed, day=day).exit_code == 0
        later = (datetime.fromisoformat(on_the_feed) + timedelta(days=3)).isoformat()
        result = digest(server, tmp_path, "verify", now=later, day=day)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith(f"{announcement.isoformat()}: agree (")
