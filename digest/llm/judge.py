"""The judge: for a topic with `judge:`, the model says of each paper its rules keep whether it is really on
the topic, with a one-line reason; a "no" drops the paper.

A judged topic is never written from half its verdicts: when the model cannot answer one of them, the
topic's digest of the date is not written (the caller reports it) and the next run asks again. Verdicts
are cached by (paper id, version, model, prompt hash) like summaries, so a re-run asks nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from digest.core.errors import ModelError
from digest.core.llm_settings import DEFAULT_JUDGE_PROMPT, Asked, Judge, LlmSettings, prompt_hash
from digest.core.models import Decision, Paper
from digest.core.plan import TopicPlan
from digest.store.answers import Verdict
from digest.store.database import Store

if TYPE_CHECKING:
    from digest.llm.client import ModelClient

__all__ = [
    "apply_verdicts",
    "judge_candidates",
    "judge_decisions",
    "judge_papers",
    "judge_prompt",
    "load_cached_verdicts",
    "read_verdict",
    "verdict_text",
]

_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_MAX_REASON = 300


def judge_prompt(judge: Judge, paper: Paper) -> str:
    """The question for one paper: the topic's description, the paper's title and abstract."""
    return DEFAULT_JUDGE_PROMPT.format(topic=judge.prompt, title=paper.title, abstract=paper.abstract)


def read_verdict(text: str) -> Verdict:
    """The verdict in the model's answer: a JSON object `{"relevant": bool, "reason": "…"}`, perhaps inside
    prose or a code fence; or an answer that starts with yes or no. Anything else is a ModelError."""
    found = _OBJECT.search(text)
    if found:
        try:
            data = json.loads(found[0])
        except json.JSONDecodeError:
            data = None
        if isinstance(data, dict) and isinstance(data.get("relevant"), bool):
            return Verdict(data["relevant"], _one_line(str(data.get("reason", ""))))
    word = re.match(r"\W*(yes|no)\b[\W]*(.*)", text, re.IGNORECASE | re.DOTALL)
    if word:
        return Verdict(word[1].lower() == "yes", _one_line(word[2]))
    raise ModelError(f"the judge's answer is not a verdict: {_one_line(text)[:80]!r}")


def _one_line(text: str) -> str:
    return " ".join(text.split())[:_MAX_REASON]


def judge_papers(
    store: Store,
    model: ModelClient | None,
    settings: LlmSettings,
    judge: Judge,
    papers: Sequence[Paper],
    *,
    now: Callable[[], datetime],
) -> dict[str, Verdict]:
    """Every paper's verdict (id -> verdict): cached ones from the store, the others asked, `concurrency`
    at a time, each saved as it arrives. Any that cannot be had is a ModelError (the others stay saved)."""
    asked = _asked(settings, judge)
    verdicts = load_cached_verdicts(store, settings, judge, papers)
    missing = [paper for paper in papers if paper.id not in verdicts]
    if not missing:
        return verdicts
    if model is None:
        raise ModelError(f"{len(missing)} verdicts are not in the store and no model is at hand to ask")
    failure: ModelError | None = None
    with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
        answers = [(paper, pool.submit(_ask, model, judge, paper)) for paper in missing]
        for paper, future in answers:
            try:
                verdict, tokens = future.result()
            except ModelError as err:
                failure = failure or err
                continue
            store.save_judge_verdict(_key(paper), asked, verdict, tokens, now())
            verdicts[paper.id] = verdict
    if failure is not None:
        raise failure
    return verdicts


def _key(paper: Paper) -> tuple[str, int]:
    """The cache key's paper part: the store keeps version 0 when the source gave none."""
    return paper.id, paper.version or 0


def verdict_text(verdict: Verdict) -> str:
    """A verdict as `explain` and the record's `why` say it: `yes: <reason>` or `no: <reason>`."""
    answer = "yes" if verdict.relevant else "no"
    return f"{answer}: {verdict.reason}" if verdict.reason else answer


def _ask(model: ModelClient, judge: Judge, paper: Paper) -> tuple[Verdict, tuple[int, int]]:
    answer = model.complete(judge_prompt(judge, paper))
    return read_verdict(answer.text), (answer.tokens_in, answer.tokens_out)


def judge_candidates(topics: Mapping[str, TopicPlan]) -> dict[str, TopicPlan]:
    """The topics as selection should see them: a judged topic with `judge_candidates: similar` keeps, for
    the judge to decide, the papers from its judge's lower similarity (default 0.1 under its threshold)."""
    return {
        name: replace(planned, rules=replace(planned.rules, threshold=_lower_threshold(planned)))
        if planned.topic.judge is not None and planned.topic.judge_candidates == "similar"
        else planned
        for name, planned in topics.items()
    }


def _lower_threshold(planned: TopicPlan) -> float:
    judge = planned.topic.judge
    assert judge is not None
    return judge.similarity if judge.similarity is not None else max(planned.rules.threshold - 0.1, -1.0)


def judge_decisions(
    topics: Mapping[str, TopicPlan],
    kept: Mapping[str, Sequence[Decision]],
    verdicts_of: Callable[[Judge, Sequence[Paper]], Mapping[str, Verdict]],
) -> tuple[dict[str, list[Decision]], dict[str, str]]:
    """Each judged topic's kept papers less those the judge said no to, each reason with the judge's;
    a topic whose verdicts could not all be had is left out, with the cause (topic -> cause)."""
    judged: dict[str, list[Decision]] = {}
    failed: dict[str, str] = {}
    for name, decisions in kept.items():
        judge = topics[name].topic.judge
        if judge is None:
            judged[name] = list(decisions)
            continue
        try:
            verdicts = verdicts_of(judge, [decision.paper for decision in decisions])
        except ModelError as err:
            failed[name] = str(err)
            continue
        judged[name] = [
            replace(decision, judged=verdict_text(verdicts[decision.paper.id]))
            for decision in decisions
            if verdicts[decision.paper.id].relevant
        ]
    return judged, failed


def apply_verdicts(decisions: Sequence[Decision], verdicts: Mapping[str, Verdict]) -> list[Decision]:
    """The rules' decisions with the judge's say, for `explain`: a kept paper the judge said no to is
    dropped with the judge's reason; one it was not asked about yet stays kept and says so. Kept first, in
    the order given, then the dropped by id, as `explain` lists them."""
    judged = []
    for decision in decisions:
        verdict = verdicts.get(decision.paper.id)
        if not decision.kept:
            judged.append(decision)
        elif verdict is None:
            judged.append(replace(decision, judged="not asked yet (the next run asks)"))
        elif verdict.relevant:
            judged.append(replace(decision, judged=verdict_text(verdict)))
        else:
            judged.append(replace(decision, kept=False, judged=verdict_text(verdict)))
    dropped = sorted((decision for decision in judged if not decision.kept), key=lambda decision: decision.paper.id)
    return [decision for decision in judged if decision.kept] + dropped


def load_cached_verdicts(
    store: Store, settings: LlmSettings, judge: Judge, papers: Sequence[Paper]
) -> dict[str, Verdict]:
    """The verdicts the store holds on these papers (id -> verdict), asking the model nothing."""
    cached = store.load_judge_verdicts([_key(paper) for paper in papers], _asked(settings, judge))
    return {paper.id: cached[_key(paper)] for paper in papers if _key(paper) in cached}


def _asked(settings: LlmSettings, judge: Judge) -> Asked:
    """The verdicts' cache key for one topic, but for the paper: a changed description asks again."""
    return Asked(settings.model, prompt_hash("judge", judge.prompt))
