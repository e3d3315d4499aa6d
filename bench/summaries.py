"""What summarising costs the project: the CPU of this process (the `openai` client, the store, the
threads) while 50 papers are summarised against a local OpenAI-compatible stub server, which runs in a
process of its own so that its work is not counted. `python bench/run.py` prints it."""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from digest.core.llm_settings import LlmSettings
from digest.core.models import Paper
from digest.llm.client import ModelClient
from digest.llm.summaries import summarise_owed
from digest.store.database import Store
from tests.support.model_server import MODEL, ModelServer
from tests.support.world import synthetic_world

FIRST_ANNOUNCEMENT = datetime(2025, 9, 1, tzinfo=UTC).date()


def summarising_cpu(count: int = 50) -> float:
    """CPU seconds this process spends making `count` summaries (none cached), the stub answering at once."""
    served = list(synthetic_world(FIRST_ANNOUNCEMENT, 1, per_day=count).papers.values())[:count]
    papers = [
        Paper(
            id=p.id,
            version=len(p.versions),
            title=p.title,
            authors=p.authors,
            abstract=p.abstract,
            categories=p.categories,
        )
        for p in served
    ]
    with stub_server() as base_url, Store.open(Path(":memory:")) as store:
        store.save_papers(papers)
        store.save_listed(FIRST_ANNOUNCEMENT, {"Bench": [paper.id for paper in papers]})
        settings = LlmSettings(base_url=base_url, model=MODEL, summaries=True, max_papers=count)
        with ModelClient(settings, {}) as model:
            started = time.process_time()
            report = summarise_owed(store, model, now=lambda: datetime.now(UTC))
            cpu = time.process_time() - started
    if len(report.made) != count:
        raise RuntimeError(f"made {len(report.made)} summaries of {count}: {report.failure}")
    return cpu


def _serve(connection: multiprocessing.connection.Connection) -> None:
    with ModelServer() as server:
        connection.send(server.base_url)
        connection.recv()


@contextmanager
def stub_server() -> Iterator[str]:
    """The stub model server in a child process, while used; yields its base URL."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(theirs,), daemon=True)
    process.start()
    try:
        yield ours.recv()
    finally:
        ours.send("stop")
        process.join(timeout=5)
        if process.is_alive():
            process.terminate()
