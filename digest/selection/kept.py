"""What a source is handed to keep: the ids of a batch that some configured topic selects.

`Batches` asks the API for full metadata only for these papers (`sources.describe`); it asks this
question and never answers it itself, so the sources know nothing of topics, similarity or tuning.
"""

from __future__ import annotations

from collections.abc import Callable

from digest.core.models import Paper
from digest.core.plan import Plan
from digest.selection.select import select_topics
from digest.selection.semantic import score_topics
from digest.store.database import Store

__all__ = ["kept_by_topics"]


def kept_by_topics(plan: Plan, store: Store) -> Callable[[list[Paper]], set[str]]:
    """The ids of a batch that any of the plan's topics keeps, similarity included (scored through `store`)."""
    topics = plan.every_topic

    def keep(papers: list[Paper]) -> set[str]:
        kept = select_topics(papers, topics, plan.subscribed, similarity=score_topics(papers, topics, store))
        return {paper.id for selected in kept.values() for paper in selected}

    return keep
