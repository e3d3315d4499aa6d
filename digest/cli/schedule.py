"""`digest serve`: the in-process scheduler (APScheduler 3) that runs the daily job for months unattended.

Why the default is `30 6 * * *` in UTC: arXiv announces at 20:00 US Eastern and rebuilds its RSS feeds at
midnight Eastern, which is 05:00 UTC in standard time (EST) and 04:00 UTC in daylight time (EDT). 06:30 UTC is
after the rebuild in both, with margin for a slow rebuild, and stays right across the daylight-saving switch
without touching the configuration. Coalescing and a misfire grace time mean a host that slept or restarted runs
one catch-up job, not a burst; `max_instances=1` means a slow run is never overlapped by the next tick.

Started after a day's tick with that digest missing (a new container, a restart), it runs that date at once,
so the health check does not wait a day. A failed run (a DigestError or an OSError such as a full disk) is
logged and retried within the day after `settings.retry_minutes` (5, 15, 45), then at the next tick; re-running
a date is safe because writes are idempotent. After every run the next one is logged. SIGTERM and SIGINT stop
the scheduler; a run in progress finishes first, and only then is `scheduler stopped` logged.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from types import FrameType

from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger

from digest.core.config import Settings
from digest.core.crontab import crontab_trigger, time_zone
from digest.core.errors import ConfigError, DigestError

__all__ = ["JOB_ID", "Clock", "Job", "Runs", "build_scheduler", "cron_trigger", "serve", "utc_now"]

log = logging.getLogger(__name__)

JOB_ID = "digest"
RETRY_ID = "digest-retry"

Job = Callable[[datetime, date | None], str | None]
"""The work of one run: given the time and a date (None: the latest batch), run the pipeline; return a
one-line summary (date, counts, requests)."""

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock, time zone aware, in UTC."""
    return datetime.now(UTC)


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger from a standard 5-field crontab line, read in `timezone`; a bad line is a ConfigError."""
    zone = _zone(timezone)
    try:
        return crontab_trigger(expression, zone)
    except ValueError as err:
        raise ConfigError(f"settings.schedule: {err}") from err


def _zone(name: str) -> tzinfo:
    try:
        return time_zone(name)
    except ValueError as err:
        raise ConfigError(f"settings.schedule_timezone: {err}") from err


class Runs:
    """The runs of one scheduler: a tick, its retries within the day, and the run in progress (`busy`)."""

    def __init__(self, job: Job, clock: Clock, retry_minutes: Sequence[float]) -> None:
        self.job = job
        self.clock = clock
        self.retry_minutes = list(retry_minutes)
        self.busy = threading.Lock()
        self.scheduler: BaseScheduler | None = None

    def run(self, day: date | None = None, attempt: int = 0) -> str | None:
        """One run: `job` with the time; a failure is logged and retried later, never raised."""
        with self.busy:
            now = self.clock()
            try:
                outcome = self.job(now, day)
            except (DigestError, OSError) as err:
                log.error("run at %s failed: %s; %s", now.isoformat(timespec="seconds"), err, self._retry(day, attempt))
                outcome = None
            else:
                self._cancel_retry()
                log.info("run at %s: %s", now.isoformat(timespec="seconds"), outcome or "nothing to do")
        self.log_next_run()
        return outcome

    def _retry(self, day: date | None, attempt: int) -> str:
        if self.scheduler is None or attempt >= len(self.retry_minutes):
            return "the next tick retries"
        at = utc_now() + timedelta(minutes=self.retry_minutes[attempt])
        self.scheduler.add_job(
            self.run,
            DateTrigger(at),
            kwargs={"day": day, "attempt": attempt + 1},
            id=RETRY_ID,
            name="digest retry",
            replace_existing=True,
            misfire_grace_time=None,
        )
        return f"retry {attempt + 1} of {len(self.retry_minutes)} at {at.isoformat(timespec='seconds')}"

    def _cancel_retry(self) -> None:
        if self.scheduler is None:
            return
        with contextlib.suppress(JobLookupError):
            self.scheduler.remove_job(RETRY_ID)

    def log_next_run(self) -> None:
        """Log when the next run is due: the next tick, or a retry before it."""
        if self.scheduler is None:
            return
        now = utc_now()
        upcoming = [
            when
            for job in self.scheduler.get_jobs()
            if (when := job.trigger.get_next_fire_time(None, now)) is not None and when > now
        ]
        shown = min(upcoming).astimezone(UTC).isoformat(timespec="minutes") if upcoming else "never"
        log.info("next run at %s", shown)


def build_scheduler(
    runs: Runs,
    settings: Settings,
    *,
    scheduler_cls: type[BaseScheduler] = BackgroundScheduler,
    trigger: BaseTrigger | None = None,
) -> BaseScheduler:
    """A scheduler (not started) with one job, `runs` on `settings.schedule` (or `trigger`, in tests)."""
    zone = _zone(settings.schedule_timezone)
    scheduler = scheduler_cls(timezone=zone)
    scheduler.add_job(
        runs.run,
        trigger or cron_trigger(settings.schedule, settings.schedule_timezone),
        id=JOB_ID,
        name="digest run",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=settings.misfire_grace_time,
    )
    runs.scheduler = scheduler
    return scheduler


def serve(
    job: Job,
    settings: Settings,
    *,
    once: bool,
    trigger: BaseTrigger | None = None,
    clock: Clock = utc_now,
    missed: date | None = None,
) -> str | None:
    """Run `job` now and return its summary (`once`), or run it on the schedule until SIGTERM or SIGINT,
    starting with the `missed` date (a due digest that is missing) if there is one.

    With `once` a failure is raised, so the caller exits with its code: it is the mode for cron and tests.
    """
    if once:
        now = clock()
        outcome = job(now, None)
        log.info("run at %s: %s", now.isoformat(timespec="seconds"), outcome or "nothing to do")
        return outcome
    runs = Runs(job, clock, settings.retry_minutes)
    scheduler = build_scheduler(runs, settings, trigger=trigger)
    log.info("serving: schedule %r (%s)", settings.schedule, settings.schedule_timezone)
    if missed is not None:
        log.info("the digest of %s is missing: running it now", missed.isoformat())
        scheduler.add_job(runs.run, DateTrigger(utc_now()), kwargs={"day": missed}, id=RETRY_ID, name="catch-up")
    else:
        runs.log_next_run()

    stop_signals: list[str] = []

    def stop(signum: int, frame: FrameType | None) -> None:
        stop_signals.append(signal.Signals(signum).name)  # nothing more: no lock or log inside a handler

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
        while not stop_signals:
            time.sleep(_STOP_POLL)
        log.info("%s received: stopping the scheduler after the run in progress", stop_signals[0])
        scheduler.shutdown(wait=False)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)  # a second signal now stops at once
    with runs.busy:  # the run in progress, if any, ends before the scheduler is said to be stopped
        pass
    log.info("scheduler stopped")
    return None


_STOP_POLL = 0.2
"""Seconds between looks at whether a signal asked to stop: the scheduler works in its own threads."""
