"""Metadata for the papers the topics keep, asked in full chunks of 100 ids across the batches of a range.

The listing (RSS or OAI-PMH) says which papers an announcement held; the API's `id_list` says what to print
for them. Asking per date would cost a request per date; asking per 100 kept papers across the range costs
ceil(distinct kept papers / 100) in all. What is kept and what was described before are the caller's to say
(`keep`, `recall`), as github-to-sqlite's `fetch_commits` is handed its `stop_when`: this stage only fetches.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import chain

from digest.core.errors import FetchError
from digest.core.models import Paper
from digest.sources.api import ID_LIST_CHUNK

__all__ = ["describe_batches"]


def describe_batches(
    batches: Iterable[tuple[date, list[Paper]]],
    *,
    keep: Callable[[list[Paper]], set[str]],
    recall: Callable[[list[str]], list[Paper]],
    fetch: Callable[[list[str]], list[Paper]],
) -> Iterator[tuple[date, list[Paper] | FetchError]]:
    """Each batch, in order, with `fetch`ed metadata for the papers `keep` names, or the FetchError that stopped it.

    A batch is released as soon as all its kept papers are described, so only the few batches waiting on a
    chunk are held in memory. A paper kept again later in the range (announced new, then replaced) is not
    asked twice: `recall` reads back the record described for its earlier batch. A failed chunk fails every
    batch waiting on it; the batches after them start afresh.
    """
    waiting: deque[tuple[date, list[Paper], set[str]]] = deque()
    pending: list[str] = []
    described: dict[str, Paper] = {}
    asked: set[str] = set()
    end: list[tuple[date, list[Paper] | None]] = [(date.max, None)]
    for announcement, listed in chain(batches, end):
        if listed is not None:
            kept = keep(listed)
            queued = set(pending)
            described.update((paper.id, paper) for paper in recall(sorted(kept & asked - described.keys() - queued)))
            pending.extend(sorted(kept - described.keys() - queued))
            asked |= kept
            waiting.append((announcement, listed, kept))
        while pending and (len(pending) >= ID_LIST_CHUNK or listed is None):
            chunk, pending = pending[:ID_LIST_CHUNK], pending[ID_LIST_CHUNK:]
            try:
                described.update((paper.id, paper) for paper in fetch(chunk))
            except FetchError as err:
                for failed, _, _ in waiting:
                    yield failed, err
                waiting.clear()
                pending, described, asked = [], {}, set()
        while waiting and waiting[0][2] <= described.keys():
            released, papers, kept = waiting.popleft()
            yield released, [_described(paper, described) if paper.id in kept else paper for paper in papers]
        needed = set().union(*(kept for _, _, kept in waiting))
        described = {paper_id: paper for paper_id, paper in described.items() if paper_id in needed}


def _described(listed: Paper, described: dict[str, Paper]) -> Paper:
    """The API's record of a listed paper, with the announce type only the listing knows."""
    return described[listed.id].model_copy(update={"announce_type": listed.announce_type})
