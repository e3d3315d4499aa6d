"""Selection: the source's rules by default, then each matching mode, option and policy."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from digest.core.config import Config, KeywordSpec, Settings, Topic
from digest.core.config_file import load_config
from digest.core.models import Paper
from digest.core.plan import Rules, TopicPlan, make_plan
from digest.selection.match import clue_prefilter
from digest.selection.select import order_papers, select_decisions, select_topic, select_topics
from digest.store.database import Store
from digest.store.papers import StoredBatch
from tests.support.golden import DAYS, golden_config_path, golden_papers
from tests.support.papers import paper
from tests.support.recipes import keyword_matches, write_day

SUBSCRIBED = {"cs.AI", "cs.CL", "cs.CV", "cs.LG", "cs.MA", "cs.RO"}
MONDAY = date(2025, 10, 13)


def kept(topic: Topic, *papers: Paper, rules: Rules | None = None) -> list[str]:
    return [p.id for p in select_topic(papers, topic, SUBSCRIBED, rules or Rules())]


WORDS = Rules(match="words")

# The source's rules


def test_a_keyword_matches_case_insensitively_anywhere_in_title_or_abstract() -> None:
    assert keyword_matches("A multimodal language model", "Multimodal Language Model")
    assert kept(Topic(keywords=["VLM"]), paper(abstract="on vlms")) == ["2510.00001"]


def test_the_source_matches_inside_longer_words() -> None:
    assert keyword_matches("a world model", "RL")


def test_a_list_keyword_needs_every_part() -> None:
    topic = Topic(keywords=[["LLM", "Reasoning"]])
    assert kept(topic, paper(title="LLM reasoning")) == ["2510.00001"]
    assert kept(topic, paper(title="LLM agents")) == []


def test_a_matching_filter_excludes_the_paper() -> None:
    topic = Topic(keywords=["Reconstruction"], filters=["2D"])
    assert kept(topic, paper(title="3D reconstruction"), paper("2510.00002", title="2D reconstruction")) == [
        "2510.00001"
    ]


def test_title_and_abstract_are_joined_by_a_space() -> None:
    assert kept(Topic(keywords=["Model Benchmark"]), paper(title="A Model", abstract="Benchmark")) == ["2510.00001"]


def test_a_paper_cross_listed_outside_the_subscription_is_not_a_candidate() -> None:
    topic = Topic(keywords=["VLM"])
    assert kept(topic, paper(title="VLM", categories=["cs.CV", "eess.IV"])) == []
    assert kept(topic, paper(title="VLM", categories=["cs.CV", "eess.IV"]), rules=Rules(category_rule="primary")) == [
        "2510.00001"
    ]
    assert kept(topic, paper(title="VLM", categories=["eess.IV", "cs.CV"]), rules=Rules(category_rule="primary")) == []
    assert kept(topic, paper(title="VLM", categories=["eess.IV", "cs.CV"]), rules=Rules(category_rule="any")) == [
        "2510.00001"
    ]


def test_order_is_categories_descending_then_id_descending() -> None:
    papers = [
        paper("2510.00001", categories=["cs.CV"]),
        paper("2510.00003", categories=["cs.CV"]),
        paper("2510.00002", categories=["cs.RO", "cs.AI"]),
        paper("2510.00004", categories=["cs.CV", "cs.RO"]),
    ]
    assert [p.id for p in order_papers(papers)] == ["2510.00002", "2510.00004", "2510.00003", "2510.00001"]


# Words mode


@pytest.mark.parametrize("text", ["a vision-language model", "a Vision Language Model", "a vision–language model"])
def test_words_mode_treats_hyphen_space_and_en_dash_alike(text: str) -> None:
    assert kept(Topic(keywords=["Vision Language Model"]), paper(abstract=text), rules=WORDS) == ["2510.00001"]


def test_words_mode_accepts_a_plural_s() -> None:
    assert kept(Topic(keywords=["VLM"]), paper(abstract="two VLMs"), rules=WORDS) == ["2510.00001"]


@pytest.mark.parametrize("text", ["a world model", "a URL list", "control"])
def test_words_mode_needs_whole_words(text: str) -> None:
    assert kept(Topic(keywords=["RL"]), paper(abstract=text), rules=WORDS) == []
    assert kept(Topic(keywords=["RL"]), paper(abstract=f"{text} with RL"), rules=WORDS) == ["2510.00001"]


def test_words_mode_applies_to_every_part_of_a_list_keyword() -> None:
    topic = Topic(keywords=[["LLM", "Reasoning"]])
    assert kept(topic, paper(abstract="LLMs reasoning"), rules=WORDS) == ["2510.00001"]
    assert kept(topic, paper(abstract="LLMs reasoningly"), rules=WORDS) == []


def test_a_topic_overrides_the_global_mode() -> None:
    topic = Topic(keywords=["RL"], match="words")
    assert Rules.for_topic(topic, Settings(match="substring")).match == "words"


# Keyword options


def test_a_regex_keyword() -> None:
    topic = Topic(keywords=[KeywordSpec(regex=r"\bGPT-\d\b")])
    assert kept(topic, paper(abstract="GPT-4 and friends")) == ["2510.00001"]
    assert kept(topic, paper(abstract="GPT-level")) == []


def test_a_case_sensitive_acronym() -> None:
    topic = Topic(keywords=[KeywordSpec(term="o1", case_sensitive=True)])
    assert kept(topic, paper(abstract="like o1 does")) == ["2510.00001"]
    assert kept(topic, paper(abstract="an O1 complexity")) == []


def test_a_case_sensitive_acronym_in_words_mode_skips_longer_words() -> None:
    topic = Topic(keywords=[KeywordSpec(term="TTS", case_sensitive=True, words=True)])
    assert kept(topic, paper(abstract="TTS systems")) == ["2510.00001"]
    assert kept(topic, paper(abstract="TTSR systems")) == []


def test_a_followed_author_keeps_a_paper_without_keywords() -> None:
    topic = Topic(authors=["Ada  Lovelace"])
    assert kept(topic, paper(authors=["ada lovelace", "B"])) == ["2510.00001"]
    assert kept(topic, paper(authors=["Ada Byron"])) == []


def test_fields_choose_what_is_searched() -> None:
    topic = Topic(keywords=["ICLR"], fields=["comment"])
    assert kept(topic, paper(comment="Accepted at ICLR 2026")) == ["2510.00001"]
    assert kept(topic, paper(title="ICLR")) == []


# Several topics on one batch


def ids_by_topic(papers: list[Paper], **topics: Topic) -> dict[str, list[str]]:
    chosen = {name: TopicPlan(topic, Rules()) for name, topic in topics.items()}
    return {name: [p.id for p in kept] for name, kept in select_topics(papers, chosen, SUBSCRIBED).items()}


def test_each_topic_finds_its_keyword_inside_another_topics_keyword() -> None:
    papers = [paper(title="An MLLM")]
    selected = ids_by_topic(papers, LLM=Topic(keywords=["LLM"]), MLLM=Topic(keywords=["MLLM", "Vision"]))
    assert selected == {"LLM": ["2510.00001"], "MLLM": ["2510.00001"]}


def test_topics_searching_different_fields_each_search_their_own() -> None:
    papers = [paper(title="A VLM"), paper("2510.00002", comment="VLM")]
    selected = ids_by_topic(papers, text=Topic(keywords=["VLM"]), comment=Topic(keywords=["VLM"], fields=["comment"]))
    assert selected == {"text": ["2510.00001"], "comment": ["2510.00002"]}


def test_a_topic_without_clues_sees_every_paper_beside_topics_with_clues() -> None:
    papers = [paper(title="A VLM", authors=["Bob"]), paper("2510.00002", title="Robots", authors=["Ada Lovelace"])]
    selected = ids_by_topic(papers, vlm=Topic(keywords=["VLM"]), ada=Topic(authors=["Ada Lovelace"]))
    assert selected == {"vlm": ["2510.00001"], "ada": ["2510.00002"]}


def test_a_topic_without_clues_still_matches_its_keywords_beside_topics_with_clues() -> None:
    papers = [paper(title="Robots that see", authors=["Bob"])]
    both = Topic(keywords=["see"], authors=["Ada Lovelace"])  # no clues: a followed author needs none
    assert ids_by_topic(papers, robot=Topic(keywords=["robot"]), both=both) == {
        "robot": ["2510.00001"],
        "both": ["2510.00001"],
    }


# Policies


def test_replacements_can_be_excluded() -> None:
    topic = Topic(keywords=["VLM"])
    papers = [paper(title="VLM", announce_type="new"), paper("2510.00002", title="VLM", announce_type="replace")]
    assert kept(topic, *papers) == ["2510.00002", "2510.00001"]
    assert kept(topic, *papers, rules=Rules(replacements="exclude")) == ["2510.00001"]


def test_dedupe_drops_papers_listed_in_the_topics_recent_digests(tmp_path: Path) -> None:
    config = Config(
        category={code: code for code in SUBSCRIBED},
        topic={"MLLM": Topic(keywords=["VLM"], dedupe_days=3)},
        settings=Settings(output_dir=tmp_path),
    )
    first = [paper("2510.00001", title="VLM"), paper("2510.00002", title="VLM")]
    assert write_day(config, date(2025, 10, 13), first, config.topic).counts == {"MLLM": 2}
    again = [paper("2510.00002", title="VLM"), paper("2510.00003", title="VLM")]
    assert write_day(config, date(2025, 10, 14), again, config.topic).counts == {"MLLM": 1}
    assert write_day(config, date(2025, 10, 20), again, config.topic).counts == {"MLLM": 2}


# A batch read from the store


def test_a_stored_batch_is_selected_as_its_papers_are_with_the_clues_found_as_it_was_read(tmp_path: Path) -> None:
    for day in DAYS:
        config = load_config(golden_config_path(day), {})
        plan = make_plan(config)
        holding = clue_prefilter(plan.every_topic.values())
        assert holding is not None
        papers = golden_papers(day)
        with Store.open(tmp_path / f"{day}.sqlite3") as store:
            store.save_papers(papers)
            store.save_batch(MONDAY, "oai", [(p.id, p.version, "new") for p in papers])
            stored = store.load_batch(MONDAY, holding=holding)
        assert stored is not None and stored.clues
        assert select_decisions(stored, plan.topics, plan.subscribed) == select_decisions(
            [p.model_copy(update={"announce_type": "new"}) for p in papers], plan.topics, plan.subscribed
        )


def test_the_clues_found_as_a_batch_was_read_are_not_searched_again() -> None:
    listed = paper(title="A VLM")
    said_to_hold_none = StoredBatch([listed], {(listed.id, listed.version): {("title", "abstract"): set()}})
    assert select_topics(said_to_hold_none, {"T": TopicPlan(Topic(keywords=["VLM"]), Rules())}, SUBSCRIBED) == {"T": []}
    assert kept(Topic(keywords=["VLM"]), listed) == [listed.id]
