"""The phrases `tune` counts on every stored date are those each paper's own phrases hold."""

from __future__ import annotations

from datetime import date

from digest.core.config import Topic
from digest.core.plan import Rules, TopicPlan
from digest.ops.evaluation import LabelledDay
from digest.ops.phrases import PhraseIndex, phrases
from digest.ops.verdicts import Labelled
from tests.support.papers import paper

TEXTS = [
    "LVLMS and large VISION LANGUAGE MODELS",
    "An LVLM; a visionlanguage model.",
    "lvlms",
    "Vision. Language model, vision language-models",
    "ΟΔΟΣs in ares",
    "Ares and BIAS, biases",
    "The 2023 2024 results (VLA) models",
]
LABELLED = paper(
    "2510.00001",
    title="Large Vision-Language Models (LVLMs)",
    abstract="ΟΔΟΣ analysis of ares, the model bias and 2023 2024 results; vision-language-action (VLA) models.",
    categories=["cs.AI"],
)


def test_a_dates_count_of_each_phrase_is_how_many_of_its_papers_hold_it_among_their_phrases() -> None:
    others = [
        paper(f"2510.{n + 10:05d}", title="", abstract=text, categories=["cs.AI"]) for n, text in enumerate(TEXTS)
    ]
    day = LabelledDay(date(2025, 10, 13), [LABELLED, *others])
    labelled = Labelled([day], {LABELLED.id: True})
    planned = TopicPlan(Topic(keywords=["VLM"]), Rules(match="words"))
    index = PhraseIndex({day.day: day.papers}, labelled, planned, {"cs.AI"}, least=1)
    held = [phrases(f"{p.title} {p.abstract}") for p in day.papers]
    assert index.papers_with[day.day] == {phrase: sum(phrase in own for own in held) for phrase in index.of[0]}
    assert index.papers_with[day.day]["lvlm"] == 3  # "LVLMS" keeps its plural: it is no `lvlm`
