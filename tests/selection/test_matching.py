"""Topic options in the configuration file: what each mistake says through `digest check-config`, and matching
edge cases of words mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.config import KeywordSpec, Topic
from digest.core.models import Paper
from digest.core.plan import Rules
from digest.selection.match import TopicMatcher
from digest.selection.select import Criteria, decide, select_topic

TOPIC = """\
category: {cs.AI: AI}
topic:
  X:
"""


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            "    keywords: [VLM, {regex: '(unclosed'}]\n",
            "topic.X.keywords.1: invalid regex '(unclosed': missing ), unterminated subpattern",
        ),
        (
            "    keywords: [VLM]\n    fields: [title, body]\n",
            "topic.X.fields.1: Input should be 'title', 'abstract', 'comment' or 'authors'",
        ),
        ("    keywords: [{term: o1, case_sensitiv: true}]\n", "topic.X.keywords.0.case_sensitiv: unknown key"),
        ("    keywords: [VLM, 5]\n", "topic.X.keywords.1: a keyword is a string, a list of strings, or a mapping"),
        (
            "    keywords: [{case_sensitive: true}]\n",
            "topic.X.keywords.0: a keyword mapping needs exactly one of `term` and `regex`",
        ),
        ("    keywords: [VLM]\n    match: whole\n", "topic.X.match: Input should be 'substring' or 'words'"),
        (
            "    keywords: [{term: VLM, unless: [CLIP, ' ']}]\n",
            "topic.X.keywords.0: a term of `unless` must not be empty",
        ),
        (
            "    keywords: [{term: VLM, mentions: 0}]\n",
            "topic.X.keywords.0.mentions: Input should be greater than or equal to 1",
        ),
        (
            "    keywords: [{term: VLM, mentions: true}]\n",
            "topic.X.keywords.0.mentions: Input should be a valid integer",
        ),
        (
            "    keywords: [VLM]\n    dedupe_days: -1\n",
            "topic.X.dedupe_days: Input should be greater than or equal to 0",
        ),
    ],
)
def test_a_bad_topic_option_is_one_line_naming_file_and_key(tmp_path: Path, options: str, message: str) -> None:
    path = tmp_path / "digest.yaml"
    path.write_text(TOPIC + options)
    result = CliRunner().invoke(main, ["check-config", "--config", str(path)])
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {path}: {message}")
    assert result.output.count("\n") == 1


def kept(topic: Topic, abstract: str) -> bool:
    paper = Paper(id="2510.00001", title="", authors=["A"], abstract=abstract, categories=["cs.AI"])
    return bool(select_topic([paper], topic, {"cs.AI"}, Rules(match="words")))


def test_words_mode_finds_a_match_after_one_inside_a_longer_word() -> None:
    assert kept(Topic(keywords=["model model"]), "remodel model model")


def test_words_mode_keeps_separators_inside_a_keyword_flexible() -> None:
    assert kept(Topic(keywords=["test-time scaling"]), "Test Time–Scaling laws")


@pytest.mark.parametrize(
    "abstract",
    ["vision-language models", "Vision Language Model", "vision\u2010language model", "vision\u2011language model",
     "vision\u2012language model", "vision\u2013language model", "vision\u2014language model",
     "vision\u2015language model", "vision -- language models"],
)  # fmt: skip
def test_words_mode_matches_across_spaces_hyphens_and_unicode_dashes(abstract: str) -> None:
    assert kept(Topic(keywords=["Vision Language Model"]), f"We study {abstract} here.")


@pytest.mark.parametrize("abstract", ["a multimodal language model", "multi-modal language models", "Multi Modal LMs"])
def test_words_mode_lets_a_hyphen_of_the_keyword_be_left_out(abstract: str) -> None:
    assert kept(Topic(keywords=["Multi-Modal Language Model", "Multi\u2013Modal LM"]), abstract)


@pytest.mark.parametrize(
    ("keyword", "abstract"),
    [("Multimodal Language Model", "multi-modal language models"), ("Multimodal", "Multi\u2013Modal inputs"),
     ("pretrained", "a pre-trained encoder"), ("Crossmodal Retrieval", "cross modal retrieval")],
)  # fmt: skip
def test_words_mode_lets_a_keyword_take_a_hyphen_after_a_common_prefix(keyword: str, abstract: str) -> None:
    assert kept(Topic(keywords=[keyword]), abstract)


@pytest.mark.parametrize("abstract", ["multimo-dal inputs", "vi-sion models", "a re-st period"])
def test_words_mode_takes_no_hyphen_inside_a_word_but_after_a_prefix_that_three_letters_follow(abstract: str) -> None:
    assert not kept(Topic(keywords=["Multimodal", "Vision", "rest"]), abstract)


@pytest.mark.parametrize(
    ("keyword", "abstract"),
    [("Multi Modal Language Model", "a multimodal language model"), ("Cross Modal", "crossmodal retrieval"),
     ("re ranking", "reranking"), ("Multi Modal", "Multi\u2013Modal inputs")],
)  # fmt: skip
def test_words_mode_lets_a_common_prefix_written_as_a_word_be_joined_to_the_next(keyword: str, abstract: str) -> None:
    assert kept(Topic(keywords=[keyword]), abstract)


@pytest.mark.parametrize(
    ("keyword", "abstract"), [("Vision Language Model", "visionlanguage models"), ("re st", "rest")]
)
def test_words_mode_does_not_join_other_words_a_keyword_separates_by_a_space(keyword: str, abstract: str) -> None:
    assert not kept(Topic(keywords=[keyword]), abstract)


@pytest.mark.parametrize("abstract", ["two VLMs", "several approaches", "one approach."])
def test_words_mode_matches_a_plural_in_s_or_es(abstract: str) -> None:
    assert kept(Topic(keywords=["VLM", "approach"]), abstract)


@pytest.mark.parametrize("abstract", ["a vision-language model", "vision language models", "one VLM."])
def test_words_mode_lets_a_keyword_written_in_the_plural_find_the_singular(abstract: str) -> None:
    assert kept(Topic(keywords=["Vision Language Models", "VLMs"]), abstract)


@pytest.mark.parametrize("abstract", ["a text corpu", "an analysi", "the clas"])
def test_words_mode_does_not_read_the_ending_of_class_corpus_or_analysis_as_a_plural(abstract: str) -> None:
    assert not kept(Topic(keywords=["Class", "Corpus", "Analysis"]), abstract)


@pytest.mark.parametrize("abstract", ["VLMa", "approachess", "LVLM"])
def test_words_mode_matches_no_other_ending_or_longer_word(abstract: str) -> None:
    assert not kept(Topic(keywords=["VLM", "approach"]), abstract)


def test_words_mode_does_not_match_a_prefix_of_a_longer_word() -> None:
    assert not kept(Topic(keywords=["Bench"]), "a new benchmark")


def test_a_keyword_can_opt_out_of_words_mode() -> None:
    assert kept(Topic(keywords=[KeywordSpec(term="Bench", words=False)]), "a new benchmark")


def test_an_author_is_matched_by_whole_name_only() -> None:
    paper = Paper(id="2510.00001", title="", authors=["Adam Smithson"], abstract="", categories=["cs.AI"])
    assert select_topic([paper], Topic(authors=["Adam Smith"]), {"cs.AI"}) == []


# A keyword that counts only without another term (`unless`)

NARROWED = Topic(keywords=[KeywordSpec(term="VLM", unless=["CLIP"]), "MLLM"])


def test_a_keyword_does_not_count_in_a_paper_holding_one_of_its_unless_terms() -> None:
    assert kept(NARROWED, "Prompt tuning of VLMs.")
    assert not kept(NARROWED, "Prompt tuning of VLMs such as CLIP.")


def test_unless_terms_follow_the_match_mode() -> None:
    assert kept(NARROWED, "VLMs that read CLIPPED images.")  # words mode: CLIP is not in CLIPPED
    assert not kept(NARROWED, "Vision-language VLMs, e.g. CLIPs.")


def test_another_keyword_still_keeps_a_paper_an_unless_term_rules_one_out() -> None:
    assert kept(NARROWED, "An MLLM whose encoder is CLIP, compared with VLMs.")


def test_the_dropped_papers_reason_names_the_keyword_and_the_unless_term() -> None:
    paper = Paper(id="2510.00001", title="", authors=["A"], abstract="VLMs such as CLIP.", categories=["cs.AI"])
    decision = decide(paper, Criteria(TopicMatcher(NARROWED, "words"), Rules(match="words"), {"cs.AI"}))
    assert decision.reason == "no keyword matched (`VLM` unless `CLIP`)"


# A keyword that counts only when the paper mentions it often enough (`mentions`)

TWICE = Topic(keywords=[KeywordSpec(term="Vision Language Model", mentions=2), "MLLM"])


def test_a_keyword_with_mentions_counts_only_in_a_paper_holding_it_that_often() -> None:
    assert not kept(TWICE, "We prompt a vision-language model for pseudo-labels.")
    assert kept(TWICE, "Vision-language models hallucinate; we fix Vision Language Models.")


def test_mentions_are_counted_across_title_and_abstract() -> None:
    paper = Paper(
        id="2510.00001",
        title="Vision-Language Models that see",
        authors=["A"],
        abstract="A vision language model.",
        categories=["cs.AI"],
    )
    assert select_topic([paper], TWICE, {"cs.AI"}, Rules(match="words")) == [paper]


def test_mentions_follow_the_match_mode() -> None:
    substring = Topic(keywords=[KeywordSpec(term="VLM", mentions=2, words=False)])
    assert kept(substring, "LVLMs and VLMs.")  # substring mode: LVLM holds VLM
    assert not kept(Topic(keywords=[KeywordSpec(term="VLM", mentions=2)]), "LVLMs and VLMs.")


def test_a_regex_keyword_counts_its_matches() -> None:
    assert kept(Topic(keywords=[KeywordSpec(regex=r"\bV?LLMs?\b", mentions=2)]), "An LLM beside a VLLM.")
    assert not kept(Topic(keywords=[KeywordSpec(regex=r"\bV?LLMs?\b", mentions=3)]), "An LLM beside a VLLM.")


def test_another_keyword_still_keeps_a_paper_mentioned_too_seldom_for_one() -> None:
    assert kept(TWICE, "An MLLM built on a vision-language model.")


def test_the_dropped_papers_reason_says_how_often_the_keyword_was_mentioned() -> None:
    paper = Paper(id="2510.00001", title="", authors=["A"], abstract="A vision-language model.", categories=["cs.AI"])
    decision = decide(paper, Criteria(TopicMatcher(TWICE, "words"), Rules(match="words"), {"cs.AI"}))
    assert decision.reason == "no keyword matched (`Vision Language Model` mentioned once, needs 2)"
