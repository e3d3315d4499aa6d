"""Summaries: a TL;DR and up to three key points for each paper some topic kept, newest date first.

Made after the digests are written and published, never before: a model that is slow, down or wrong costs
the run one warning line and leaves the summaries owed, which the next run makes within its caps. Each
summary is cached by (paper id, version, model, prompt hash), so a re-run asks nothing and a new version
is summarised again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime

from digest.core.errors import ModelError
from digest.core.llm_settings import LlmSettings
from digest.core.models import Paper, Usage
from digest.llm.client import Completion, ModelClient
from digest.store.database import Store

log = logging.getLogger(__name__)

__all__ = ["SummaryReport", "summarise_owed", "summary_prompt"]


def summary_prompt(settings: LlmSettings, paper: Paper) -> str:
    """The prompt for one paper: the template with its language, title and abstract."""
    return settings.summary_prompt.format(language=settings.language, title=paper.title, abstract=paper.abstract)


@dataclass
class SummaryReport:
    """What one run's summarising did: made, still owed, and why it stopped early (None: it did not)."""

    made: list[str] = field(default_factory=list)
    owed: int = 0
    stopped: str | None = None
    failure: str | None = None
    usage: Usage = field(default_factory=Usage)


def summarise_owed(
    store: Store, model: ModelClient, *, now: Callable[[], datetime], first: Sequence[str] = ()
) -> SummaryReport:
    """Summarise the owed papers (`first` before the others: this run's), up to `max_papers` and
    `max_tokens`, `concurrency` at a time; each saved as it arrives, so a kill loses at most those in flight."""
    settings = model.settings
    asked = settings.summaries_asked
    keys = store.load_owed_summaries(asked)
    front = set(first)
    keys = [key for key in keys if key[0] in front] + [key for key in keys if key[0] not in front]
    papers = {paper.id: paper for paper in store.load_papers([paper_id for paper_id, _ in keys])}
    queue = [papers[key[0]] for key in keys if key[0] in papers and (papers[key[0]].version or 0) == key[1]]
    report = SummaryReport(usage=model.usage)
    with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
        running: dict[Future[Completion], Paper] = {}
        position = 0
        while position < len(queue) or running:
            while position < len(queue) and len(running) < settings.concurrency and not report.failure:
                if (stop := _cap_reached(settings, model.usage.summaries + len(running), model.usage)) is not None:
                    report.stopped = stop
                    break
                paper = queue[position]
                running[pool.submit(model.complete, summary_prompt(settings, paper))] = paper
                position += 1
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                paper = running.pop(future)
                try:
                    answer = future.result()
                except ModelError as err:
                    report.failure = report.failure or str(err)
                    continue
                tokens = (answer.tokens_in, answer.tokens_out)
                store.save_summary((paper.id, paper.version or 0), asked, answer.text, tokens, now())
                report.made.append(paper.id)
                model.usage.summaries += 1
    report.owed = len(queue) - len(report.made)
    _log(report, settings)
    return report


def _cap_reached(settings: LlmSettings, started: int, usage: Usage) -> str | None:
    if started >= settings.max_papers:
        return f"the run's cap of {settings.max_papers} papers (llm.max_papers)"
    if settings.max_tokens is not None and usage.tokens >= settings.max_tokens:
        return f"the run's cap of {settings.max_tokens} tokens (llm.max_tokens)"
    return None


def _log(report: SummaryReport, settings: LlmSettings) -> None:
    """One line: a failure is a warning naming its cause; a cap, what is left for the next run."""
    if report.failure:
        log.warning(
            "summaries: %s; the digests stand, %d summaries owed, the next run makes them",
            report.failure,
            report.owed,
        )
    elif report.made or report.owed:
        left = f"; {report.stopped} is reached, {report.owed} owed for the next run" if report.owed else ""
        log.info("summaries: %d made%s", len(report.made), left)
