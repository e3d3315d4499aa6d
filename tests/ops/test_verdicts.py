"""`tune`'s mining reads a topic's verdicts from each keyword's hits, searched once: they are `decide`'s."""

from __future__ import annotations

from datetime import date

import pytest

from digest.core.config import KeywordSpec, Topic
from digest.core.plan import Rules, TopicPlan
from digest.ops.evaluation import LabelledDay, evaluate
from digest.ops.verdicts import Hits, Labelled
from tests.support.papers import paper

SUBSCRIBED = {"cs.CV"}
PAPERS = [
    paper("2510.00001", abstract="A vision-language model reads charts."),
    paper("2510.00002", abstract="Vision-language models; a vision-language model with CLIP."),
    paper("2510.00003", abstract="A VLM for robots, with CLIP features."),
    paper("2510.00004", abstract="A VLM survey.", categories=["cs.CV", "q-bio.NC"]),
    paper("2510.00005", abstract="A VLM, replaced.", announce_type="replace"),
    paper("2510.00006", abstract="Sorting networks.", authors=["Grace Hopper"]),
    paper("2510.00007", abstract="Masked language models (MLMs) for chemistry."),
]
LABELS = {p.id: p.id in ("2510.00001", "2510.00002", "2510.00006") for p in PAPERS}
DAYS = [LabelledDay(date(2025, 10, 13), PAPERS[:4]), LabelledDay(date(2025, 10, 14), PAPERS[4:])]
TOPICS = [
    Topic(keywords=["Vision Language Model", "VLM"]),
    Topic(keywords=[KeywordSpec(term="Vision Language Model", mentions=2), "MLM"]),
    Topic(keywords=[KeywordSpec(term="VLM", unless=["CLIP"]), ["vision", "charts"]]),
    Topic(keywords=["VLM", "MLM"], filters=["survey", "robots"]),
    Topic(keywords=[KeywordSpec(regex=r"\bVLMs?\b", case_sensitive=True)], authors=["Grace Hopper"]),
]


@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("rules", [Rules(match="words"), Rules(match="words", replacements="exclude")])
def test_the_verdicts_made_of_hits_are_those_decide_makes(topic: Topic, rules: Rules) -> None:
    planned = TopicPlan(topic, rules)
    labelled = Labelled(DAYS, LABELS)
    verdicts = Hits(labelled, planned, SUBSCRIBED).verdicts(planned, labelled.of([DAYS[0].day, DAYS[1].day]))
    decided = evaluate(DAYS, planned, SUBSCRIBED, LABELS, semantic=False).verdicts
    kept = {i for i, decision in decided.items() if decision.kept}
    unmatched = {i for i, decision in decided.items() if decision.reason.startswith("no keyword matched")}
    assert {i for i in LABELS if verdicts.kept >> labelled.position[i] & 1} == kept
    assert {i for i in LABELS if verdicts.unmatched >> labelled.position[i] & 1} == unmatched


def test_one_hits_asked_topic_after_topic_gives_each_its_own_verdicts() -> None:
    labelled, rules = Labelled(DAYS, LABELS), Rules(match="words")
    hits = Hits(labelled, TopicPlan(TOPICS[0], rules), SUBSCRIBED)
    for topic in [*TOPICS[:4], *TOPICS[:4]]:
        planned = TopicPlan(topic, rules)
        kept = hits.verdicts(planned, labelled.of([DAYS[0].day, DAYS[1].day])).kept
        decided = evaluate(DAYS, planned, SUBSCRIBED, LABELS, semantic=False).verdicts
        assert {i for i in LABELS if kept >> labelled.position[i] & 1} == {i for i, d in decided.items() if d.kept}
