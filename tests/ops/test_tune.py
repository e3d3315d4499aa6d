"""`digest tune` mines phrases: words-mode phrases, greedy selection inside each fold, honest figures."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from digest.core.config import Topic
from digest.core.errors import InputError
from digest.core.plan import Rules, TopicPlan
from digest.ops.moves import Move
from digest.ops.phrases import phrases
from digest.ops.tune import LabelledDay, TuneReport, tune
from tests.support.papers import paper

SUBSCRIBED = {"cs.AI"}
UNTITLED = {"title": "", "categories": ["cs.AI"]}
"""Papers of the one subscribed category whose abstract is all their text, as mining sees it."""
TOPIC = TopicPlan(Topic(keywords=["MLLM"]), Rules())


def robot_days(count: int) -> tuple[list[LabelledDay], dict[str, bool]]:
    """Each date: two VLA papers the keyword misses (relevant), two MLLM papers it keeps (relevant), two
    robot papers (labelled not relevant) and forty unlabelled papers that, like every VLA paper, say "novel
    pipeline": frequent among the missed ones, and everywhere else too."""
    days, labels = [], {}
    for n in range(count):
        base = 100 * n
        missed = [
            paper(
                f"2510.{base + i:05d}",
                abstract="A novel pipeline: a vision-language-action (VLA) model for robots.",
                **UNTITLED,
            )
            for i in (1, 2)
        ]
        kept = [paper(f"2510.{base + i:05d}", abstract="An MLLM that reads charts.", **UNTITLED) for i in (3, 4)]
        robots = [paper(f"2510.{base + i:05d}", abstract="A grasping policy for robots.", **UNTITLED) for i in (5, 6)]
        others = [
            paper(f"2510.{base + 10 + i:05d}", abstract="A novel pipeline for sorting.", **UNTITLED) for i in range(40)
        ]
        labels |= {p.id: True for p in missed + kept} | {p.id: False for p in robots}
        days.append(LabelledDay(date(2025, 10, 13) + timedelta(days=n), [*missed, *kept, *robots, *others]))
    return days, labels


def tuned(days: list[LabelledDay], labels: dict[str, bool]) -> TuneReport:
    return tune("MLLM", TOPIC, days, SUBSCRIBED, labels, description="multimodal large language models")


def test_phrases_are_words_mode_forms_of_one_to_four_words() -> None:
    found = phrases("Vision-Language-Action (VLAs) models, and large vision–language models")
    assert {"vision language action", "vla", "model", "large vision language model"} <= set(found)
    assert found["vla"] == "VLA"
    assert "action vla" not in found  # a parenthesis ends a phrase
    assert "and large" not in found  # no phrase starts or ends with a stop word


def test_mining_finds_the_phrase_of_the_missed_papers_and_not_the_generic_one() -> None:
    report = tuned(*robot_days(3))
    assert report.steps[0].move == Move("keyword", "vision language action")
    assert report.steps[0].confusion.f1 == 1.0
    assert not any("pipeline" in step.move.term for step in report.steps)


def test_mining_proposes_no_run_of_common_words_however_rare_the_run() -> None:
    """The missed papers share "existing models often", which no other paper holds, but each of its words
    is as common among all the papers as among the relevant ones: it names no topic."""
    days, labels = [], {}
    for n in range(3):
        base = 100 * n
        missed = [paper(f"2510.{base + i:05d}", abstract="Existing models often fail.", **UNTITLED) for i in (1, 2)]
        kept = [paper(f"2510.{base + i:05d}", abstract="An MLLM that reads charts.", **UNTITLED) for i in (3, 4)]
        robots = [paper(f"2510.{base + i:05d}", abstract="A grasping policy for robots.", **UNTITLED) for i in (5, 6)]
        others = [
            paper(
                f"2510.{base + 10 + i:05d}", abstract="Existing methods are slow; such models often fail.", **UNTITLED
            )
            for i in range(40)
        ]
        labels |= {p.id: True for p in missed + kept} | {p.id: False for p in robots}
        days.append(LabelledDay(date(2025, 10, 13) + timedelta(days=n), [*missed, *kept, *robots, *others]))
    assert tuned(days, labels).steps == []


def test_the_proposal_is_the_whole_topic_with_the_mined_keyword_in_words_mode() -> None:
    report = tuned(*robot_days(3))
    assert report.proposal == {"keywords": ["MLLM", "vision language action"], "match": "words"}
    assert report.as_json()["best"]["topic"] == report.proposal
    assert "MLLM:\n  keywords:\n  - MLLM\n  - vision language action\n  match: words\n" in report.describe()


def test_greedy_selection_stops_when_no_move_raises_f1() -> None:
    days, labels = robot_days(3)
    report = tuned(days, labels)
    assert [step.kept for step in report.steps] == [True]  # perfect after one move: nothing more to add
    perfect = TopicPlan(Topic(keywords=["MLLM", "VLA"]), Rules(match="words"))
    assert tune("MLLM", perfect, days, SUBSCRIBED, labels, description="x").steps == []


def test_a_phrase_found_on_one_training_date_only_is_not_kept_on_held_out_dates() -> None:
    days, labels = robot_days(3)
    lonely = paper("2510.00999", abstract="A chart-reading OCR assistant and an OCR assistant.", **UNTITLED)
    days[0] = LabelledDay(
        days[0].day, [*days[0].papers, lonely, paper("2510.00998", abstract="An OCR assistant.", **UNTITLED)]
    )
    labels |= {lonely.id: True, "2510.00998": True}
    assert not any("OCR" in step.move.term for step in tuned(days, labels).steps)


def clip_days(wrong: int = 5, relevant_on_last: int = 0) -> tuple[list[LabelledDay], dict[str, bool]]:
    """Three dates of a topic `[VLM, MLLM]`: VLM papers (relevant), `wrong` with the same words and "CLIP"
    (not relevant, but for `relevant_on_last` of them on the last date), an MLLM paper with a CLIP encoder
    (relevant) and 150 unlabelled ones. "CLIP" is all that marks the wrong keeps of `VLM`; a filter would
    lose the MLLMs."""
    days, labels = [], {}
    for n in range(3):
        base = 1000 * n
        reasoning = [
            paper(f"2510.{base + i:05d}", abstract="A VLM that reasons over charts.", **UNTITLED) for i in (1, 2, 3)
        ]
        clip = [
            paper(f"2510.{base + i:05d}", abstract="A VLM that reasons over charts. CLIP.", **UNTITLED)
            for i in range(4, 4 + wrong)
        ]
        encoder = [paper(f"2510.{base + 20:05d}", abstract="An MLLM with a CLIP encoder.", **UNTITLED)]
        others = [paper(f"2510.{base + 30 + i:05d}", abstract="A sorting pipeline.", **UNTITLED) for i in range(150)]
        labels |= {p.id: True for p in reasoning + encoder} | {p.id: False for p in clip}
        if n == 2:
            labels |= {p.id: True for p in clip[:relevant_on_last]}
        days.append(LabelledDay(date(2025, 10, 13) + timedelta(days=n), [*reasoning, *clip, *encoder, *others]))
    return days, labels


NARROWABLE = TopicPlan(Topic(keywords=["VLM", "MLLM"]), Rules(match="words"))


def test_a_keyword_that_keeps_wrong_papers_is_narrowed_by_their_phrase_not_filtered() -> None:
    days, labels = clip_days()
    report = tune("MLLM", NARROWABLE, days, SUBSCRIBED, labels, description="x")
    assert [step.move for step in report.steps] == [Move("unless", "CLIP", ("VLM",))]
    assert report.steps[0].confusion.f1 == 1.0
    assert report.proposal == {"keywords": [{"term": "VLM", "unless": ["CLIP"]}, "MLLM"], "match": "words"}
    assert report.steps[0].as_json()["step"] == "~ `VLM` unless `CLIP`"


def test_an_exclusion_that_lowers_f1_on_one_date_is_not_proposed() -> None:
    days, labels = clip_days(wrong=6, relevant_on_last=4)  # `VLM` unless `CLIP` drops 14 wrong, 4 right
    report = tune("MLLM", NARROWABLE, days, SUBSCRIBED, labels, description="x")
    assert report.steps == []


def test_an_unless_that_drops_fewer_than_ten_more_wrong_papers_than_right_ones_is_not_proposed() -> None:
    days, labels = clip_days(wrong=3)  # nine wrong keeps hold "CLIP": a margin chance gives
    assert all(
        step.move.kind != "unless" for step in tune("MLLM", NARROWABLE, days, SUBSCRIBED, labels, description="x").steps
    )
    days, labels = clip_days(wrong=4)  # twelve
    assert [step.move for step in tune("MLLM", NARROWABLE, days, SUBSCRIBED, labels, description="x").steps] == [
        Move("unless", "CLIP", ("VLM",))
    ]


TOOLS = ("for pseudo-labels", "as a captioner", "to rank categories", "as a judge", "for retrieval")


def tool_days() -> tuple[list[LabelledDay], dict[str, bool]]:
    """Three dates of a topic `[Vision Language Model]`: two papers about one, which name it twice (relevant),
    three that name it once beside "LVLMs" (relevant), five that use one once as a tool, each its own way
    (not relevant), and eighty unlabelled ones. No phrase marks the tools on enough dates to narrow by."""
    days, labels = [], {}
    for n in range(3):
        base = 100 * n
        about = [
            paper(f"2510.{base + i:05d}", abstract="A vision-language model; vision-language models err.", **UNTITLED)
            for i in (1, 2)
        ]
        large = [
            paper(f"2510.{base + i:05d}", abstract="Large vision-language models (LVLMs) err; LVLMs.", **UNTITLED)
            for i in (3, 4, 5)
        ]
        tools = [
            paper(f"2510.{base + 6 + i:05d}", abstract=f"A detector with a vision-language model {tool}.", **UNTITLED)
            for i, tool in enumerate(TOOLS)
        ]
        others = [paper(f"2510.{base + 20 + i:05d}", abstract="A sorting pipeline.", **UNTITLED) for i in range(80)]
        labels |= {p.id: True for p in about + large} | {p.id: False for p in tools}
        days.append(LabelledDay(date(2025, 10, 13) + timedelta(days=n), [*about, *large, *tools, *others]))
    return days, labels


def test_a_keyword_named_once_by_wrong_papers_is_asked_to_be_mentioned_twice_with_what_wins_back_the_rest() -> None:
    topic = TopicPlan(Topic(keywords=["Vision Language Model"]), Rules(match="words"))
    days, labels = tool_days()
    report = tune("MLLM", topic, days, SUBSCRIBED, labels, description="x")
    [step] = report.steps
    assert (step.move.kind, step.move.term) == ("mentions", "Vision Language Model")
    assert step.move.of  # the keyword that wins back the papers naming "LVLMs"
    assert step.confusion.f1 == 1.0
    assert report.proposal["keywords"][0] == {"term": "Vision Language Model", "mentions": 2}
    assert step.as_json()["step"].startswith("~ `Vision Language Model` mentioned twice, + `")


def test_the_json_report_holds_a_narrowed_topic_as_plain_data() -> None:
    days, labels = clip_days()
    report = tune("MLLM", NARROWABLE, days, SUBSCRIBED, labels, description="x")
    assert json.loads(json.dumps(report.as_json()))["best"]["topic"] == report.proposal


def test_one_labelled_date_says_the_figures_are_training_figures() -> None:
    text = tuned(*robot_days(1)).describe()
    assert text.startswith(
        "MLLM: 6 labelled papers on 1 date; one date: cross-validation is impossible, these are TRAINING figures"
    )


def test_few_relevant_labels_or_dates_are_warned_with_how_many_more() -> None:
    report = tuned(*robot_days(2))
    assert report.warnings == [
        "only 8 relevant labelled papers: label 12 more relevant ones (at least 20) for figures that mean something",
        "only 2 labelled dates: label 1 more (at least 3) for figures that mean something",
    ]
    assert "warning: only 8 relevant labelled papers" in report.describe()
    assert report.as_json()["warnings"] == report.warnings


def test_enough_labels_and_dates_give_no_warning() -> None:
    assert tuned(*robot_days(5)).warnings == []


@pytest.mark.parametrize(("relevant", "kind"), [(True, "relevant (1)"), (False, "not relevant (0)")])
def test_labels_of_one_kind_only_are_a_clear_error(relevant: bool, kind: str) -> None:
    days, labels = robot_days(2)
    with pytest.raises(InputError) as raised:
        tuned(days, {paper_id: relevant for paper_id in labels})
    assert str(raised.value) == (
        f"all 12 labelled papers of the stored dates are {kind}: tuning needs papers of both kinds; "
        "label some of the other kind with `digest label`"
    )


def test_a_paper_on_two_dates_belongs_to_the_date_with_more_labels() -> None:
    days, labels = robot_days(3)
    replacement = LabelledDay(date(2025, 12, 1), [days[0].papers[0]])
    assert tuned([*days, replacement], labels).dates == 3
