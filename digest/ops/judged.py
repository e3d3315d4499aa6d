"""The judge's verdicts on labelled papers, so that `try --labels` and `tune` measure a judged topic like
any other setting: each labelled paper of the dates asked once (the store's cache first)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from digest.core.config import Topic
from digest.core.errors import ConfigError
from digest.core.plan import Plan
from digest.llm.judge import judge_papers
from digest.ops.evaluation import LabelledDay
from digest.store.database import Store

__all__ = ["judge_labelled"]


def judge_labelled(
    plan: Plan, topic: Topic, days: Sequence[LabelledDay], labels: Mapping[str, bool], environ: Mapping[str, str]
) -> list[LabelledDay]:
    """`days` with the judge's verdict on every labelled paper, when `topic` has a judge; a ModelError when
    the model cannot give them all (a measurement from half the verdicts would mislead)."""
    if topic.judge is None:
        return list(days)
    if plan.llm is None:
        raise ConfigError("the topic has a judge: the `llm:` section must name the model to ask")
    from digest.llm.client import ModelClient  # the openai package: only for a judged topic

    papers = {paper.id: paper for day in days for paper in day.papers if paper.id in labels}
    with Store.open(plan.store_path) as store, ModelClient(plan.llm, environ) as model:
        verdicts = judge_papers(
            store, model, plan.llm, topic.judge, list(papers.values()), now=lambda: datetime.now(UTC)
        )
    judged = {paper_id: verdict.relevant for paper_id, verdict in verdicts.items()}
    return [replace(day, judged=judged) for day in days]
