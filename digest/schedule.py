"""`digest serve`: the in-process scheduler (APScheduler 3) that runs the daily job for months unattended.

Why the default is `30 6 * * *` in UTC: arXiv announces at 20:00 US Eastern and rebuilds its RSS feeds at
midnight Eastern, which is 05:00 UTC in standard time (EST) and 04:00 UTC in daylight time (EDT). 06:30 UTC is
after the rebuild in both, with margin for a slow rebuild, and stays right across the daylight-saving switch
without touching the configuration. Coalescing and a misfire grace time mean a host that slept or restarted runs
one catch-up job, not a burst; `max_instances=1` means a slow run is never overlapped by the next tick.

A failed run (a DigestError or an OSError such as a full disk) is logged and the scheduler stays up: the next
tick retries, and re-running a date is safe because writes are idempotent. SIGTERM and SIGINT stop the
scheduler; a run in progress finishes before the process exits.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime, tzinfo
from types import FrameType

from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger

from digest.config import Settings
from digest.crontab import crontab_trigger, time_zone
from digest.errors import ConfigError, DigestError

__all__ = ["JOB_ID", "Clock", "Job", "build_scheduler", "cron_trigger", "run_scheduled", "serve", "utc_now"]

log = logging.getLogger(__name__)

JOB_ID = "digest"

Job = Callable[[datetime], str | None]
"""The work of one tick: given the time, run the pipeline; return a one-line summary (date, counts, requests)."""

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


def run_scheduled(job: Job, clock: Clock = utc_now) -> str | None:
    """One tick: run `job` with the time, log one line; a failure is logged, not raised: the next tick retries."""
    now = clock()
    try:
        outcome = job(now)
    except (DigestError, OSError) as err:
        log.error("scheduled run at %s failed: %s; the next tick retries", now.isoformat(timespec="seconds"), err)
        return None
    log.info("scheduled run at %s: %s", now.isoformat(timespec="seconds"), outcome or "nothing to do")
    return outcome


def build_scheduler(
    job: Job,
    settings: Settings,
    *,
    scheduler_cls: type[BaseScheduler] = BlockingScheduler,
    trigger: BaseTrigger | None = None,
    clock: Clock = utc_now,
) -> BaseScheduler:
    """A scheduler (not started) with one job: `job` on `settings.schedule`, or on `trigger` when given (tests)."""
    zone = _zone(settings.schedule_timezone)
    scheduler = scheduler_cls(timezone=zone)
    scheduler.add_job(
        run_scheduled,
        trigger or cron_trigger(settings.schedule, settings.schedule_timezone),
        args=(job, clock),
        id=JOB_ID,
        name="digest run",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=settings.misfire_grace_time,
    )
    return scheduler


def serve(
    job: Job,
    settings: Settings,
    *,
    once: bool,
    trigger: BaseTrigger | None = None,
    clock: Clock = utc_now,
) -> str | None:
    """Run `job` now and return its summary (`once`), or run it on the schedule until SIGTERM or SIGINT.

    With `once` a failure is raised, so the caller exits with its code: it is the mode for cron and tests.
    """
    if once:
        now = clock()
        outcome = job(now)
        log.info("run at %s: %s", now.isoformat(timespec="seconds"), outcome or "nothing to do")
        return outcome
    scheduler = build_scheduler(job, settings, trigger=trigger, clock=clock)
    _log_next_run(scheduler, settings, clock)

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("%s received: stopping the scheduler", signal.Signals(signum).name)
        if scheduler.running:
            scheduler.shutdown(wait=False)

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGTERM, signal.SIGINT)}
    try:
        scheduler.start()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    log.info("scheduler stopped")
    return None


def _log_next_run(scheduler: BaseScheduler, settings: Settings, clock: Clock) -> None:
    trigger = scheduler.get_job(JOB_ID).trigger
    upcoming = trigger.get_next_fire_time(None, clock())
    when = upcoming.isoformat(timespec="minutes") if upcoming else "never"
    log.info("serving: schedule %r (%s); next run at %s", settings.schedule, settings.schedule_timezone, when)
