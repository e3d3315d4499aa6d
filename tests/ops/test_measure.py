"""Topics that measure themselves: labels, precision and recall, the semantic matcher, and `digest tune`."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.config import Settings, SimilarTo, Topic
from digest.core.plan import Rules, TopicPlan
from digest.ops.labels import Confusion
from digest.selection.select import select_topic
from digest.selection.semantic import MODEL, embed_texts
from digest.store.database import Store
from tests.support.golden import DAYS as GOLDEN_DAYS
from tests.support.golden import golden_config_path, golden_papers
from tests.support.papers import paper
from tests.support.recipes import store_golden_days

LABELS = Path(__file__).parent.parent / "fixtures" / "labels" / "MLLM.csv"
DAYS = ["2025-10-13", "2026-06-17"]
MLLM_TOPIC = (
    "name: MLLM\n"
    "keywords: [VLM, MLM, MLLM, Multi-Modal Language Model, Multimodal Language Model, Vision Language Model]\n"
)


def digest(tmp_path: Path, *args: str) -> Result:
    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache"), "DIGEST_OUTPUT_DIR": str(tmp_path / "output")}
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path("2025-10-13"))], env=env)


@pytest.fixture
def stored(tmp_path: Path) -> Path:
    store_golden_days(tmp_path / "cache" / "digest.sqlite3", DAYS)
    (tmp_path / "mllm.yaml").write_text(MLLM_TOPIC)
    return tmp_path


# Confusion: the arithmetic


def test_precision_recall_and_f1_on_a_hand_computed_case() -> None:
    labels = {"a": True, "b": True, "c": True, "d": False, "e": False, "f": False}
    confusion = Confusion.count(["a", "b", "d"], labels)
    assert (confusion.tp, confusion.fp, confusion.fn, confusion.tn) == (2, 1, 1, 2)
    assert confusion.precision == 2 / 3
    assert confusion.recall == 2 / 3
    assert confusion.f1 == 2 / 3


def test_nothing_kept_is_zero_precision_not_an_error() -> None:
    confusion = Confusion.count([], {"a": True, "b": False})
    assert confusion.scores() == {"precision": 0.0, "recall": 0.0, "f1": 0.0}


# Labels files


def test_try_scores_a_topic_against_its_labels(stored: Path) -> None:
    result = digest(stored, "try", "--topic-file", str(stored / "mllm.yaml"), "--from", DAYS[0], "--to", DAYS[1],
                    "--labels", str(LABELS))  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "MLLM: tp 68, fp 21, fn 26, tn 133: precision 0.764, recall 0.723, F1 0.743"
    assert "  2510.09032   keyword `MLM` — Exploring Cross-Lingual Knowledge Transfer via Transliteration-Based MLM " \
        "Fine-Tuning for Critically Low-resource Chakma Language" in lines  # fmt: skip
    assert any(line.startswith("  2506.07180   no keyword matched — Flattery in Motion") for line in lines)


def test_try_scores_a_configured_topic_named_by_topic(stored: Path) -> None:
    result = digest(stored, "try", "--topic", "MLLM", "--from", DAYS[0], "--to", DAYS[1], "--labels", str(LABELS))
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0] == "MLLM: tp 68, fp 21, fn 26, tn 133: precision 0.764, recall 0.723, F1 0.743"


@pytest.mark.parametrize("chosen", [[], ["--topic", "MLLM", "--topic-file", "mllm.yaml"]], ids=["none", "both"])
def test_try_takes_one_topic_a_file_or_a_configured_name(stored: Path, chosen: list[str]) -> None:
    result = digest(stored, "try", *chosen, "--from", DAYS[0], "--to", DAYS[1])
    assert result.exit_code == 2
    assert result.stderr == "Error: name the topic to try: --topic-file FILE, or --topic NAME for a configured one\n"


def test_try_refuses_a_topic_the_config_does_not_have(stored: Path) -> None:
    result = digest(stored, "try", "--topic", "mllm", "--from", DAYS[0], "--to", DAYS[1])
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: unknown topic 'mllm'; the configuration has: ")


def test_try_json_is_the_counts_and_the_scores(stored: Path) -> None:
    result = digest(stored, "try", "--topic-file", str(stored / "mllm.yaml"), "--from", DAYS[0], "--to", DAYS[1],
                    "--labels", str(LABELS), "--json")  # fmt: skip
    assert json.loads(result.stdout) == {
        "tp": 68, "fp": 21, "fn": 26, "tn": 133, "precision": 68 / 89, "recall": 68 / 94, "f1": 136 / 183,
    }  # fmt: skip


def test_labelled_papers_outside_the_stored_batches_are_named(stored: Path) -> None:
    labels = stored / "labels.csv"
    labels.write_text("id,label\n2510.08987,1\n2501.00001,1\n2501.00002,0\n")
    result = digest(stored, "try", "--topic-file", str(stored / "mllm.yaml"), "--from", DAYS[0], "--to", DAYS[0],
                    "--labels", str(labels))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[0].startswith("MLLM: tp 1, fp 0, fn 0, tn 0:")
    assert result.output.splitlines()[-1] == (
        "2 labelled papers are not in the stored batches of the range: 2501.00001, 2501.00002"
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("2510.0898x,1", "line 4: '2510.0898x' is not an arXiv id (such as 2510.01234)"),
        ("2510.08987,yes", "line 4: label 'yes' must be 1 (relevant) or 0 (not)"),
        ("2510.08987", "line 4: expected `id,label[,note]`, got '2510.08987'"),
    ],
)
def test_a_bad_labels_line_is_exit_2_naming_it(stored: Path, line: str, problem: str) -> None:
    labels = stored / "labels.csv"
    labels.write_text(f"# a comment\nid,label,note\n2510.08987,1,a note, with a comma\n{line}\n")
    result = digest(stored, "try", "--topic-file", str(stored / "mllm.yaml"), "--from", DAYS[0], "--to", DAYS[0],
                    "--labels", str(labels))  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == f"Error: {labels}: {problem}\n"


def test_label_writes_sorted_rows_and_the_same_bytes_again(tmp_path: Path) -> None:
    path = tmp_path / "labels" / "MLLM.csv"
    first = digest(tmp_path, "label", "--topic", "MLLM", "--yes", "2510.09608v2,2510.08987", "--no", "2510.09097",
                   "--labels", str(path))  # fmt: skip
    assert first.exit_code == 0, first.output
    assert path.read_text() == "id,label,note\n2510.08987,1\n2510.09097,0\n2510.09608,1\n"
    digest(tmp_path, "label", "--topic", "MLLM", "--no", "2510.08987", "--note", "a benchmark", "--labels", str(path))
    assert path.read_text() == "id,label,note\n2510.08987,0,a benchmark\n2510.09097,0\n2510.09608,1\n"


def test_label_defaults_to_labels_beside_the_config(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(golden_config_path("2025-10-13").read_text())
    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(
        main, ["label", "--topic", "MLLM", "--yes", "2510.08987", "--config", str(config)], env=env
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "labels" / "MLLM.csv").read_text() == "id,label,note\n2510.08987,1\n"


def test_label_refuses_what_is_not_an_arxiv_id(tmp_path: Path) -> None:
    result = digest(tmp_path, "label", "--topic", "MLLM", "--yes", "arxiv:2510")
    assert result.exit_code == 2
    assert result.stderr == "Error: 'arxiv:2510' is not an arXiv id (such as 2510.01234)\n"


# The semantic matcher


def test_the_model_loads_and_embeds_with_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the semantic matcher used the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    vectors = embed_texts(["a multimodal large language model", "masked language modelling"])
    assert vectors.shape == (2, 256)


def test_embeddings_are_the_same_every_time() -> None:
    text = ["Tiny-R1V: Lightweight Multimodal Unified Reasoning Model via Model Merging"]
    assert embed_texts(text).tobytes() == embed_texts(text).tobytes()


MULTIMODAL = paper(
    "2510.00001",
    title="A large multimodal model that answers questions about images and video",
    abstract="A large multimodal model that answers questions about images and video",
)
UNRELATED = paper(
    "2510.00002",
    title="Convex optimisation of sparse regression for tabular data",
    abstract="Convex optimisation of sparse regression for tabular data",
)


def scores(tmp_path: Path, topic: Topic) -> dict[str, float]:
    from digest.selection.semantic import score_topics

    with Store.open(tmp_path / "store.sqlite3") as store:
        planned = {"T": TopicPlan(topic, Rules.for_topic(topic, Settings()))}
        return score_topics([MULTIMODAL, UNRELATED], planned, store)["T"]


def test_similarity_is_rounded_and_higher_for_the_paper_on_topic(tmp_path: Path) -> None:
    topic = Topic(similar_to=SimilarTo(description="multimodal large language models for images and video"))
    scored = scores(tmp_path, topic)
    assert scored[MULTIMODAL.id] > scored[UNRELATED.id]
    assert all(score == round(score, 3) for score in scored.values())


def test_embeddings_are_cached_in_the_store_by_id_and_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    topic = Topic(similar_to=SimilarTo(description="multimodal models"))
    first = scores(tmp_path, topic)
    import digest.selection.semantic

    calls: list[int] = []
    real = digest.selection.semantic.embed_texts
    monkeypatch.setattr(digest.selection.semantic, "embed_texts", lambda texts: calls.append(len(texts)) or real(texts))
    assert scores(tmp_path, topic) == first
    assert calls == []  # the papers and the description came from the store


def rules(combine: str, threshold: float) -> Rules:
    return Rules(combine=combine, threshold=threshold)  # type: ignore[arg-type]


def test_combine_any_keeps_a_paper_by_similarity_alone() -> None:
    topic = Topic(keywords=["diffusion"], similar_to=SimilarTo(description="x"), combine="any")
    kept = select_topic(
        [MULTIMODAL, UNRELATED],
        topic,
        ["cs.CV"],
        rules("any", 0.5),
        similarity={MULTIMODAL.id: 0.61, UNRELATED.id: 0.1},
    )
    assert kept == [MULTIMODAL]


def test_combine_all_needs_a_keyword_and_similarity() -> None:
    topic = Topic(keywords=["multimodal", "regression"], similar_to=SimilarTo(description="x"), combine="all")
    similarity = {MULTIMODAL.id: 0.61, UNRELATED.id: 0.1}
    assert select_topic([MULTIMODAL, UNRELATED], topic, ["cs.CV"], rules("all", 0.5), similarity=similarity) == [
        MULTIMODAL
    ]


def test_the_threshold_compares_the_rounded_score_inclusively() -> None:
    topic = Topic(similar_to=SimilarTo(description="x"))
    at = select_topic([MULTIMODAL], topic, ["cs.CV"], rules("any", 0.5), similarity={MULTIMODAL.id: 0.5})
    below = select_topic([MULTIMODAL], topic, ["cs.CV"], rules("any", 0.5), similarity={MULTIMODAL.id: 0.499})
    assert (at, below) == ([MULTIMODAL], [])


def test_filters_still_exclude_a_similar_paper() -> None:
    topic = Topic(filters=["video"], similar_to=SimilarTo(description="x"))
    assert select_topic([MULTIMODAL], topic, ["cs.CV"], rules("any", 0.5), similarity={MULTIMODAL.id: 0.9}) == []


def test_explain_shows_each_papers_similarity(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "category: {cs.CV: Vision, cs.AI: AI, cs.CL: Language, cs.LG: Learning}\n"
        "topic:\n  M:\n    keywords: [VLM]\n    similar_to:\n"
        "      description: multimodal large language models\n      threshold: 0.3\n"
    )
    store_golden_days(tmp_path / "cache" / "digest.sqlite3", ["2025-10-13"])
    env = {"DIGEST_CACHE_DIR": str(tmp_path / "cache")}
    result = CliRunner().invoke(main, ["explain", "--date", "2025-10-13", "--topic", "M", "--paper", "2510.08987",
                                       "--config", str(config)], env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "similarity 0." in result.output.splitlines()[-1]


def test_similar_to_needs_examples_or_a_description() -> None:
    with pytest.raises(ValueError, match="similar_to needs examples"):
        SimilarTo()
    with pytest.raises(ValueError, match="combine: all needs keywords"):
        Topic(similar_to=SimilarTo(description="x"), combine="all")


# tune


def test_tune_reports_its_settings_and_a_best_topic_that_try_accepts_unchanged(stored: Path) -> None:
    result = digest(
        stored, "tune", "--topic", "MLLM", "--labels", str(LABELS), "--from", DAYS[0], "--to", DAYS[1], "--json"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["configured"] == {"precision": 68 / 89, "recall": 68 / 94, "f1": 136 / 183}
    assert set(report["best"]) == {"setting", "precision", "recall", "f1", "topic"}
    assert report["best"]["f1"] >= report["configured"]["f1"]
    assert {"match": "words"} in [candidate["setting"] for candidate in report["candidates"]]
    assert report["warnings"] == ["only 2 labelled dates: label 1 more (at least 3) for figures that mean something"]
    (stored / "proposed.yaml").write_text(json.dumps(report["best"]["topic"]))  # the best topic, as `try` takes it
    tried = digest(stored, "try", "--topic-file", str(stored / "proposed.yaml"), "--from", DAYS[0], "--to", DAYS[1],
                   "--labels", str(LABELS))  # fmt: skip
    assert tried.exit_code == 0, tried.output
    assert tried.stdout.startswith("proposed: tp ")


def test_tune_prints_a_yaml_snippet_to_paste(stored: Path) -> None:
    result = digest(stored, "tune", "--topic", "MLLM", "--labels", str(LABELS), "--from", DAYS[0], "--to", DAYS[1])
    assert result.exit_code == 0, result.output
    snippet = result.output.split("Paste into the topic:\n")[1]
    import yaml

    assert list(yaml.safe_load(snippet)) == ["MLLM"]
    Topic.model_validate(yaml.safe_load(snippet)["MLLM"])
    assert "match: words" in snippet or "similar_to" in snippet  # the best setting, not the configured topic


def test_tune_embeds_the_labelled_papers_only(stored: Path) -> None:
    labels = stored / "labels.csv"
    labels.write_text("id,label\n2510.08987,1\n2510.09097,0\n")
    result = digest(stored, "tune", "--topic", "MLLM", "--labels", str(labels), "--from", DAYS[0], "--to", DAYS[0])
    assert result.exit_code == 0, result.output
    keys = [(p.id, p.version or 0) for p in golden_papers(DAYS[0])]
    with Store.open(stored / "cache" / "digest.sqlite3") as store:
        embedded = store.load_embeddings(keys, MODEL)
    assert sorted(paper_id for paper_id, _ in embedded) == ["2510.08987", "2510.09097"]


def test_tune_without_stored_dates_says_which_backfill_to_run(tmp_path: Path) -> None:
    result = digest(
        tmp_path, "tune", "--topic", "MLLM", "--labels", str(LABELS), "--from", "2025-10-13", "--to", "2025-10-13"
    )
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no batch from 2025-10-13 to 2025-10-13 is stored; fetch those dates first: "
        "`digest backfill --from 2025-10-13 --to 2025-10-13`\n"
    )


def test_tune_over_dates_arxiv_has_not_announced_says_so(tmp_path: Path) -> None:
    span = ["--from", "2026-12-14", "--to", "2026-12-15", "--now", "2026-12-13T12:00:00+00:00"]
    result = digest(tmp_path, "tune", "--topic", "MLLM", "--labels", str(LABELS), *span)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no batch from 2026-12-14 to 2026-12-15 can be stored yet: arXiv has not announced the batch for "
        "2026-12-14 yet (it is announced at 20:00 US Eastern on Monday 2026-12-14)\n"
    )


def test_tune_on_stored_dates_that_hold_no_labelled_paper_says_to_label_them_not_to_fetch_them(
    stored: Path,
) -> None:
    labels = stored / "labels.csv"
    labels.write_text("id,label,note\n2510.09999,1\n2510.09998,0\n")
    result = digest(stored, "tune", "--topic", "MLLM", "--labels", str(labels), "--from", DAYS[0], "--to", DAYS[0])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: none of the 2 labelled papers is in the batches stored from {DAYS[0]} to {DAYS[0]}: label "
        "papers of those dates (`digest label --suggest`), or try the dates they were announced on\n"
    )


@pytest.mark.parametrize("command", ["tune", "try"])
def test_a_labels_file_with_no_label_yet_says_how_to_add_some(stored: Path, command: str) -> None:
    labels = stored / "labels.csv"
    labels.write_text("id,label,note\n")
    chosen = ["--topic", "MLLM"] if command == "tune" else ["--topic-file", str(stored / "mllm.yaml")]
    result = digest(stored, command, *chosen, "--labels", str(labels), "--from", DAYS[0], "--to", DAYS[0])
    assert result.exit_code == 2
    assert result.stderr == f"Error: {labels}: no label yet; `digest label --topic T --yes ID --no ID` adds some\n"


# The shipped tuned topic, on the labelled days and on the held-out ones


TUNED = Path(__file__).parent.parent.parent / "config" / "examples" / "mllm-tuned.yaml"
HELD_OUT = LABELS.parent / "MLLM-heldout.csv"


@pytest.mark.parametrize(
    ("labels", "counts"),
    [
        (LABELS, {"tp": 159, "fp": 29, "fn": 34, "tn": 263}),
        (HELD_OUT, {"tp": 271, "fp": 57, "fn": 69, "tn": 533}),
    ],
)
def test_the_shipped_tuned_topic_scores_what_the_readme_says(
    tmp_path: Path, labels: Path, counts: dict[str, int]
) -> None:
    store_golden_days(tmp_path / "cache" / "digest.sqlite3", GOLDEN_DAYS)  # as the README's run
    topic = yaml.safe_load(TUNED.read_text(encoding="utf-8"))["topic"]["MLLM"]
    (tmp_path / "tuned.yaml").write_text(yaml.safe_dump({"name": "MLLM", **topic}))
    result = digest(tmp_path, "try", "--topic-file", str(tmp_path / "tuned.yaml"), "--from", "2025-04-15",
                    "--to", "2026-07-09", "--labels", str(labels), "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert {key: json.loads(result.stdout)[key] for key in counts} == counts
