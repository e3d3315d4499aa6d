"""Policies change which papers appear, never the digest format: category rules, replacements, dedupe."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest.core.config import CategoryRule, Config, KeywordSpec, Settings, SimilarTo, Topic
from digest.core.models import AnnounceType
from digest.core.plan import Rules, TopicPlan
from digest.selection.match import clue_prefilter
from digest.selection.select import select_topic, select_topics
from tests.support.papers import paper
from tests.support.recipes import write_day

SUBSCRIBED = {"cs.AI", "cs.CV"}
TOPIC = Topic(keywords=["VLM"])


CROSS_LISTED = paper(
    "2510.00001", title="VLM", categories=["cs.CV", "eess.IV"]
)  # primary subscribed, one category outside
CROSS_IN = paper("2510.00002", title="VLM", categories=["eess.IV", "cs.CV"])  # primary outside, cross-listed into cs.CV
INSIDE = paper("2510.00003", title="VLM", categories=["cs.AI", "cs.CV"])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("all", ["2510.00003"]),
        ("primary", ["2510.00001", "2510.00003"]),
        ("any", ["2510.00002", "2510.00001", "2510.00003"]),
    ],
)
def test_each_category_rule_with_papers_cross_listed_outside(rule: CategoryRule, expected: list[str]) -> None:
    rules = Rules(category_rule=rule)
    selected = select_topic([CROSS_LISTED, CROSS_IN, INSIDE], TOPIC, SUBSCRIBED, rules)
    assert [p.id for p in selected] == expected


def test_the_clue_prefilter_passes_every_paper_a_topic_keeps_and_no_paper_without_a_clue() -> None:
    topics = {
        "Vision": TopicPlan(Topic(keywords=["vision language", ["diffusion", "video"]]), Rules(match="words")),
        "Robots": TopicPlan(Topic(keywords=["robot"], fields=["title", "abstract", "comment"]), Rules()),
    }
    papers = [
        paper("2510.00001", title="Vision-Language models"),
        paper("2510.00002", abstract="Diffusion for images, no video."),
        paper("2510.00003", title="Diffusion without the other part"),
        paper("2510.00004", comment="Robotics workshop"),
        paper("2510.00005", title="Nothing of the kind"),
    ]
    holds = clue_prefilter(topics.values())
    assert holds is not None
    passed = [p.id for p in papers if any(holds(p.title, p.abstract, p.comment).values())]
    kept = {p.id for selected in select_topics(papers, topics, {"cs.CV"}).values() for p in selected}
    assert passed == ["2510.00001", "2510.00002", "2510.00003", "2510.00004"]
    assert kept == {"2510.00001", "2510.00002", "2510.00004"}


def test_the_clue_prefilter_of_topics_searching_title_and_abstract_finds_clues_there_not_in_the_comment() -> None:
    holds = clue_prefilter([TopicPlan(Topic(keywords=["robot", "vision language"]), Rules())])
    assert holds is not None
    assert holds("A Robot", "Vision language models.", "robot") == {("title", "abstract"): {"robot", "vision language"}}
    assert holds("A title", "An abstract.", "robot") == {("title", "abstract"): set()}


def test_the_clue_prefilter_passes_a_keyword_written_with_a_hyphen_after_its_prefix() -> None:
    topics = {"MLLM": TopicPlan(Topic(keywords=["Multimodal Language Model"]), Rules(match="words"))}
    written = paper("2510.00001", abstract="A multi-modal language model.")
    holds = clue_prefilter(topics.values())
    assert holds is not None
    assert any(holds(written.title, written.abstract, written.comment).values())
    assert select_topics([written], topics, {"cs.CV"}) == {"MLLM": [written]}


@pytest.mark.parametrize(
    "topic",
    [
        Topic(keywords=["VLM"], authors=["Ada Lovelace"]),
        Topic(keywords=[KeywordSpec(regex="V(LM|isual)")]),
        Topic(keywords=[KeywordSpec(term="VLM", case_sensitive=True)]),
        Topic(keywords=["VLM"], similar_to=SimilarTo(description="vision language models")),
        Topic(keywords=["VLM"], fields=["title", "authors"]),
    ],
)
def test_no_clue_prefilter_when_a_topic_may_keep_a_paper_without_a_clue(topic: Topic) -> None:
    assert clue_prefilter([TopicPlan(TOPIC, Rules()), TopicPlan(topic, Rules())]) is None


def test_the_topic_category_rule_overrides_the_setting() -> None:
    topic = Topic(keywords=["VLM"], category_rule="any")
    assert Rules.for_topic(topic, Settings(category_rule="primary")).category_rule == "any"


@pytest.mark.parametrize("announce_type", ["replace", "replace-cross"])
def test_excluded_replacements_drop_every_kind_of_replacement(announce_type: AnnounceType) -> None:
    replaced = paper("2510.00004", title="VLM", categories=["cs.AI"], announce_type=announce_type)
    assert select_topic([replaced], TOPIC, SUBSCRIBED, Rules(replacements="exclude", category_rule="any")) == []
    assert select_topic([replaced], TOPIC, SUBSCRIBED, Rules(category_rule="any")) == [replaced]


def dedupe_config(output_dir: Path, days: int) -> Config:
    return Config(
        category={"cs.AI": "AI", "cs.CV": "CV"},
        topic={"MLLM": Topic(keywords=["VLM"])},
        settings=Settings(output_dir=output_dir, dedupe_days=days),
    )


def test_dedupe_rerunning_a_date_gives_the_same_digest(tmp_path: Path) -> None:
    config = dedupe_config(tmp_path, 2)
    write_day(config, date(2025, 10, 13), [INSIDE], config.topic)
    digest = tmp_path / "MLLM" / "2025-10-13.md"
    first = digest.read_bytes()
    assert write_day(config, date(2025, 10, 13), [INSIDE], config.topic).counts == {"MLLM": 1}
    assert digest.read_bytes() == first


def test_dedupe_counts_back_from_the_date_over_consecutive_days(tmp_path: Path) -> None:
    config = dedupe_config(tmp_path, 2)
    assert write_day(config, date(2025, 10, 13), [INSIDE], config.topic).counts == {"MLLM": 1}
    assert write_day(config, date(2025, 10, 14), [INSIDE], config.topic).counts == {"MLLM": 0}
    assert write_day(config, date(2025, 10, 15), [INSIDE], config.topic).counts == {"MLLM": 0}
    assert write_day(config, date(2025, 10, 16), [INSIDE], config.topic).counts == {"MLLM": 1}


def test_dedupe_off_by_default_repeats_papers(tmp_path: Path) -> None:
    config = dedupe_config(tmp_path, 0)
    write_day(config, date(2025, 10, 13), [INSIDE], config.topic)
    assert write_day(config, date(2025, 10, 14), [INSIDE], config.topic).counts == {"MLLM": 1}
