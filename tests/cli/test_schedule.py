"""The scheduler: the cron line and its time zone, runs that fail without killing it, --once, clean shutdown."""

from __future__ import annotations

import logging
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from pydantic import ValidationError

from digest.cli.schedule import JOB_ID, Runs, build_scheduler, cron_trigger, serve
from digest.core.config import Settings
from digest.core.errors import ConfigError, FetchError

ROOT = Path(__file__).resolve().parent.parent.parent

SATURDAY = datetime(2025, 10, 4, 12, 0, tzinfo=UTC)


class FlakyJob:
    """Fails its first run, succeeds afterwards; after `wanted` runs sets `done` and calls `then` once."""

    def __init__(self, wanted: int, then: Callable[[], None] | None = None) -> None:
        self.times: list[datetime] = []
        self.days: list[date | None] = []
        self.wanted = wanted
        self.then = then
        self.done = threading.Event()

    def __call__(self, now: datetime, day: date | None = None) -> str:
        self.times.append(now)
        self.days.append(day)
        if len(self.times) == self.wanted:
            self.done.set()
            if self.then:
                self.then()
        if len(self.times) == 1:
            raise FetchError("arXiv answered 503 five times")
        return f"2025-10-04: MLLM {len(self.times)}"


def next_run(expression: str, after: datetime, timezone: str = "UTC") -> datetime:
    upcoming: datetime | None = cron_trigger(expression, timezone).get_next_fire_time(None, after)
    assert upcoming is not None
    return upcoming.astimezone(UTC)


def test_the_default_schedule_runs_daily_at_0630_utc() -> None:
    assert next_run(Settings().schedule, SATURDAY) == datetime(2025, 10, 5, 6, 30, tzinfo=UTC)


def test_the_schedule_is_read_in_its_time_zone() -> None:
    upcoming = next_run("30 6 * * *", SATURDAY, "America/New_York")

    assert upcoming == datetime(2025, 10, 5, 10, 30, tzinfo=UTC)


def test_day_of_week_numbers_are_read_as_cron_reads_them() -> None:
    assert next_run("30 6 * * 1-5", SATURDAY) == datetime(2025, 10, 6, 6, 30, tzinfo=UTC)
    assert next_run("30 6 * * 0", SATURDAY) == datetime(2025, 10, 5, 6, 30, tzinfo=UTC)
    assert next_run("30 6 * * 7", SATURDAY) == datetime(2025, 10, 5, 6, 30, tzinfo=UTC)
    assert next_run("30 6 * * 2-6/2", SATURDAY) == datetime(2025, 10, 7, 6, 30, tzinfo=UTC)
    assert next_run("30 6 * * mon-fri", SATURDAY) == datetime(2025, 10, 6, 6, 30, tzinfo=UTC)


@pytest.mark.parametrize("expression", ["30 6 * *", "30 25 * * *", "30 6 * * 8", "30 6 * * 5-1"])
def test_a_bad_cron_line_is_a_config_error(expression: str) -> None:
    with pytest.raises(ConfigError, match=r"^settings\.schedule: "):
        cron_trigger(expression, "UTC")


def test_an_unknown_time_zone_is_refused_by_the_settings() -> None:
    with pytest.raises(ValidationError, match=r"'Mars/Olympus' is not an IANA time zone"):
        Settings(schedule_timezone="Mars/Olympus")


def test_the_job_coalesces_runs_one_at_a_time_with_the_grace_time() -> None:
    runs = Runs(FlakyJob(1), datetime.now, [5])
    scheduler = build_scheduler(runs, Settings(misfire_grace_time=900), scheduler_cls=BackgroundScheduler)

    job = scheduler.get_job(JOB_ID)

    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 900)


def test_a_failed_run_is_retried_within_the_day_and_the_next_run_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="digest.cli.schedule")
    job = FlakyJob(wanted=2)
    runs = Runs(job, lambda: SATURDAY, [5, 15])
    scheduler = build_scheduler(runs, Settings(), trigger=cron_trigger("0 0 1 1 *", "UTC"))  # not started

    runs.run(day=date(2025, 10, 3))
    retry = scheduler.get_job("digest-retry")
    retry.func(**retry.kwargs)  # what the scheduler does at the retry's time

    assert job.days == [date(2025, 10, 3), date(2025, 10, 3)]
    at = retry.trigger.run_date.isoformat(timespec="seconds")
    assert abs(retry.trigger.run_date - datetime.now(UTC) - timedelta(minutes=5)) < timedelta(minutes=1)
    assert [record.getMessage() for record in caplog.records] == [
        f"run at 2025-10-04T12:00:00+00:00 failed: arXiv answered 503 five times; retry 1 of 2 at {at}",
        f"next run at {retry.trigger.run_date.isoformat(timespec='minutes')}",
        "run at 2025-10-04T12:00:00+00:00: 2025-10-04: MLLM 2",
        f"next run at {datetime.now(UTC).year + 1}-01-01T00:00+00:00",
    ]
    assert scheduler.get_job("digest-retry") is None


def test_after_the_last_retry_the_next_tick_retries(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="digest.cli.schedule")
    runs = Runs(FlakyJob(wanted=1), lambda: SATURDAY, [])
    build_scheduler(runs, Settings(), scheduler_cls=BackgroundScheduler, trigger=cron_trigger("0 0 1 1 *", "UTC"))

    assert runs.run() is None
    assert caplog.records[0].getMessage().endswith("arXiv answered 503 five times; the next tick retries")


def test_serve_once_runs_the_job_once_and_returns_its_summary() -> None:
    times: list[datetime] = []

    def job(now: datetime, day: date | None) -> str:
        times.append(now)
        return "2025-10-04: MLLM 48"

    outcome = serve(job, Settings(), once=True, clock=lambda: SATURDAY)

    assert outcome == "2025-10-04: MLLM 48"
    assert times == [SATURDAY]


def test_serve_once_passes_the_current_time_in_utc() -> None:
    times: list[datetime] = []

    def job(now: datetime, day: date | None) -> None:
        times.append(now)

    serve(job, Settings(), once=True)

    assert times[0].tzinfo is UTC
    assert abs(datetime.now(UTC) - times[0]) < timedelta(hours=1)


def test_serve_once_raises_a_failure_for_the_exit_code() -> None:
    with pytest.raises(FetchError, match="arXiv answered 503 five times"):
        serve(FlakyJob(1), Settings(), once=True)


SERVING_CHILD = """
import signal
from apscheduler.triggers.interval import IntervalTrigger
from digest.core.config import Settings
from digest.cli.schedule import serve
from tests.cli.test_schedule import FlakyJob

job = FlakyJob(wanted=2, then=lambda: print("ready", flush=True))
before = signal.getsignal(signal.SIGTERM)
serve(job, Settings(), once=False, trigger=IntervalTrigger(seconds=0.02))
runs = "two" if len(job.times) >= 2 else "fewer"
print(f"stopped after {runs} runs;", "handler restored:", signal.getsignal(signal.SIGTERM) is before)
"""


def test_serve_survives_a_failing_run_and_stops_cleanly_on_sigterm() -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", SERVING_CHILD], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert child.stdout is not None
        ready, _, _ = select.select([child.stdout], [], [], 30)
        assert ready and child.stdout.readline() == "ready\n"
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=30)
    finally:
        child.kill()
    assert child.returncode == 0
    assert out == "stopped after two runs; handler restored: True\n"


STOPPED_MID_RUN_CHILD = """
import logging, sys, time
from apscheduler.triggers.interval import IntervalTrigger
from digest.core.config import Settings
from digest.cli.schedule import serve

logging.basicConfig(stream=sys.stdout, format="%(message)s", level=logging.INFO)
logging.getLogger("apscheduler").setLevel(logging.ERROR)

def job(now, day):
    print("running", flush=True)
    time.sleep(1)
    print("run ended", flush=True)

serve(job, Settings(), once=False, trigger=IntervalTrigger(seconds=0.02))
"""


def test_sigterm_during_a_run_says_stopped_only_after_the_run_ends() -> None:
    child = subprocess.Popen([sys.executable, "-c", STOPPED_MID_RUN_CHILD], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, child.kill)  # a child that hangs ends the reads below
    watchdog.start()
    try:
        assert child.stdout is not None
        while child.stdout.readline() not in ("running\n", ""):  # "" if the child died: the asserts say so
            pass
        child.send_signal(signal.SIGTERM)
        out, _ = child.communicate(timeout=30)
    finally:
        watchdog.cancel()
        child.kill()
    assert child.returncode == 0
    lines = out.splitlines()
    assert lines[0] == "SIGTERM received: stopping the scheduler after the run in progress"
    assert lines[1] == "run ended"
    assert lines[-1] == "scheduler stopped"
