"""The set-up that `run`, `backfill` and `serve` share: the command recorded for `digest status`, the edges
opened under the output directory's lock with the batches as the command asked, the report said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from functools import partial
from pathlib import Path

from digest.cli.arguments import say
from digest.core.errors import DigestError, ModelError, NotifyError, StoreError
from digest.core.intents import Sourcing
from digest.core.plan import Plan
from digest.core.redact import redact
from digest.edges import Edges, open_edges
from digest.outputs.reports import BackfillReport, RunReport
from digest.sources.oai import HarvestProgress
from digest.store.database import Store
from digest.store.runs import RunRecord

__all__ = ["RunLog", "echo_report", "open_run", "raise_undelivered", "recording", "save_run"]

log = logging.getLogger(__name__)


class RunLog:
    """What `recording` saves of a command: set `report` once the command has one."""

    def __init__(self) -> None:
        self.report: RunReport | None = None

    def record(self, now: datetime, command: str) -> RunRecord | None:
        """The command's row in `runs`, once it has a report: failed when a date or a message failed."""
        report = self.report
        if report is None:
            return None
        failed = report.failed if isinstance(report, BackfillReport) else []
        problems = [f"{day}: {cause}" for day, cause in failed]
        problems += report.unjudged
        if report.delivery is not None and report.delivery.failures:
            problems.append(report.delivery.error())
        dates = [day.date for day in report.days]
        outcome = "failed" if problems else "ok"
        error = redact(problems[0]) if problems else None
        tokens = (report.usage.tokens_in, report.usage.tokens_out) if report.usage is not None else (0, 0)
        return RunRecord(now, command, dates, outcome, report.requests.get("total", 0), error, tokens)


@contextmanager
def recording(save: Callable[[RunRecord], None], command: str, *, now: datetime) -> Iterator[RunLog]:
    """Record the command in the store's `runs` when it ends, ok or failed (with its `Error:` line), for
    `digest status`, through `save`."""
    run_log = RunLog()
    record = None
    try:
        yield run_log
        record = run_log.record(now, command)
    except StoreError:
        raise  # the store is what failed: it cannot take the record either
    except DigestError as err:
        record = RunRecord(now, command, [], "failed", 0, redact(str(err)))
        raise
    finally:
        if record is not None:
            save(record)


def save_run(store_path: Path, run: RunRecord) -> None:
    """Keep the run in the store; a store that cannot take it is a warning: the command's own outcome stands."""
    try:
        with Store.open(store_path) as store:
            store.save_run(run)
    except StoreError as err:
        log.warning("the run was not recorded for `digest status`: %s", err)


@contextmanager
def open_run(
    plan: Plan,
    command: str,
    now: datetime,
    sourcing: Sourcing,
    on_harvest: HarvestProgress = lambda spec, received, total: None,
) -> Iterator[tuple[RunLog, Edges]]:
    """A run recorded as `command` (set the log's report once there is one), with the real edges."""
    saved = partial(save_run, plan.store_path)
    with recording(saved, command, now=now) as recorded, open_edges(plan, sourcing, on_harvest) as edges:
        yield recorded, edges


def echo_report(report: RunReport) -> None:
    """A run's notes (approximations, empty feeds) on stderr, then its one-line summary."""
    for note in report.notes:
        say(note, logging.WARNING)
    say(report.summary())
    raise_undelivered(report)


def raise_undelivered(report: RunReport) -> None:
    """A judged topic left unwritten or a message a target refused fails the command (exit 1), after the
    other digests are written and reported."""
    if report.unjudged:
        more = f" (and {len(report.unjudged) - 1} more)" if len(report.unjudged) > 1 else ""
        raise ModelError(f"{report.unjudged[0]}{more}; the other digests were written; the next run tries again")
    if report.delivery is not None and report.delivery.failures:
        raise NotifyError(report.delivery.error())
