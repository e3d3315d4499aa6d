"""Labelling that takes minutes: `digest label` with many ids in any form, files from spreadsheets, notes
that cannot break a file, labelling at once from many processes, and `--suggest`."""

from __future__ import annotations

import multiprocessing
from datetime import date
from multiprocessing.synchronize import Barrier
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.config import SimilarTo, Topic
from digest.core.errors import InputError
from digest.core.models import normalise_id
from digest.core.plan import Rules, TopicPlan
from digest.ops.labels import Label, load_labels, update_labels
from digest.ops.suggest import suggest_papers
from digest.ops.tune import LabelledDay
from tests.support.papers import paper
from tests.support.recipes import store_golden_days

CONFIGURED = "LLM, MLLM, Test-Time-Scaling, Embodied_AI, Diffusion, 3D_Reconstruction, 3D_Generation, Benchmark"


def digest(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def labels_of(config: Path) -> str:
    return (config.parent / "labels" / "MLLM.csv").read_text(encoding="utf-8")


# Ids in the forms readers copy them


@pytest.mark.parametrize(
    ("text", "paper_id"),
    [
        ("2507.07685v2", "2507.07685"),
        ("arXiv:2507.07685v2", "2507.07685"),
        ("arxiv:2507.07685", "2507.07685"),
        ("hep-th/9901001", "hep-th/9901001"),
        ("hep-th/9901001v3", "hep-th/9901001"),
        ("https://arxiv.org/abs/2507.07685v2", "2507.07685"),
        ("http://export.arxiv.org/abs/2507.07685", "2507.07685"),
        ("https://arxiv.org/pdf/2507.07685v2.pdf", "2507.07685"),
        ("https://arxiv.org/pdf/2507.07685v2", "2507.07685"),
        ("https://arxiv.org/abs/hep-th/9901001v2", "hep-th/9901001"),
        ("arxiv.org/abs/2507.07685v2", "2507.07685"),
        ("www.arxiv.org/pdf/2507.07685", "2507.07685"),
        ("math.AG/0601001", "math.AG/0601001"),
        ("1412.6980", "1412.6980"),
        ("0704.0001v2", "0704.0001"),
    ],
)
def test_an_id_in_any_copied_form_is_the_versionless_id(text: str, paper_id: str) -> None:
    assert normalise_id(text) == paper_id


@pytest.mark.parametrize(
    "text",
    [
        "arxiv:2510",
        "2510.1",
        "https://example.org/abs/2507.07685",
        "https://arxiv.org/list/cs.CV/new",
        "notarxiv.org/abs/2507.07685",
        "2507.07685v",
        "2510.0898",
        "1412.69801",
        "2513.01234",
        "2500.01234",
    ],
)
def test_what_is_not_an_arxiv_id_is_none(text: str) -> None:
    assert normalise_id(text) is None


def test_the_readmes_example_labels_several_ids_after_one_yes_and_one_no(config: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "2510.09608", "--no", "2510.09097")
    assert result.exit_code == 0, result.output
    assert result.output == f"{config.parent / 'labels' / 'MLLM.csv'}: 3 added\n"
    assert labels_of(config) == "id,label,note\n2510.08987,1\n2510.09097,0\n2510.09608,1\n"


def test_label_takes_prefixed_versioned_old_style_and_url_ids(config: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--yes", "arXiv:2507.07685v2", "hep-th/9901001v2",
                    "https://arxiv.org/abs/2510.08987v1", "--no", "https://arxiv.org/pdf/2510.09097v3.pdf")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert labels_of(config) == "id,label,note\n2507.07685,1\n2510.08987,1\n2510.09097,0\nhep-th/9901001,1\n"


def test_label_refuses_a_value_that_is_not_an_id_and_writes_nothing(config: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "https://example.org/abs/2510.09608")
    assert result.exit_code == 2
    assert result.stderr == "Error: 'https://example.org/abs/2510.09608' is not an arXiv id (such as 2510.01234)\n"
    assert not (config.parent / "labels" / "MLLM.csv").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [(["--yes"], "--yes"), (["--yes", "2510.08987", "--no"], "--no"), (["--remove", "--no", "2510.08987"], "--remove")],
)
def test_an_id_option_with_no_id_is_refused_and_writes_nothing(config: Path, args: list[str], option: str) -> None:
    result = digest(config, "label", "--topic", "MLLM", *args)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Option '{option}' needs at least one value.\n")
    assert not (config.parent / "labels" / "MLLM.csv").exists()


# Labelling again, removing


def test_the_same_label_again_changes_nothing(config: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", "an MLLM benchmark")
    before = labels_of(config)
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987v2")
    assert result.output.endswith(": 1 already so\n")
    assert labels_of(config) == before == "id,label,note\n2510.08987,1,an MLLM benchmark\n"


def test_the_same_label_with_a_new_note_replaces_the_note_and_says_so(config: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "2510.09608", "--note", "an MLLM benchmark")
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", "a VLM benchmark")
    assert result.output.endswith(": 1 note replaced\n")
    assert labels_of(config) == "id,label,note\n2510.08987,1,a VLM benchmark\n2510.09608,1,an MLLM benchmark\n"
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", "a VLM benchmark")
    assert result.output.endswith(": 1 already so\n")


def test_the_other_label_replaces_the_row_and_says_so(config: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", "an MLLM benchmark")
    result = digest(config, "label", "--topic", "MLLM", "--no", "2510.08987", "--yes", "2510.09608")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1:] == ["2510.08987: now not relevant (its other label replaced)"]
    assert result.output.splitlines()[0].endswith(": 1 added, 1 relabelled")
    assert labels_of(config) == "id,label,note\n2510.08987,0\n2510.09608,1\n"


def test_one_id_given_both_yes_and_no_is_refused(config: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--no", "2510.08987v2")
    assert result.exit_code == 2
    assert result.stderr == "Error: 2510.08987 is given both --yes and --no; nothing changed\n"


def test_remove_takes_labels_away(config: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "2510.09608", "--no", "2510.09097")
    result = digest(config, "label", "--topic", "MLLM", "--remove", "arXiv:2510.08987v1", "2510.09097")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(": 2 removed\n")
    assert labels_of(config) == "id,label,note\n2510.09608,1\n"


def test_removing_an_id_without_a_label_changes_nothing(config: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987")
    result = digest(config, "label", "--topic", "MLLM", "--remove", "2510.08987", "2510.00001")
    assert result.exit_code == 2
    assert result.stderr == "Error: 2510.00001: not labelled, so not removed; nothing changed\n"
    assert labels_of(config) == "id,label,note\n2510.08987,1\n"


# The topic names a configured topic, never a path


@pytest.mark.parametrize("topic", ["../../x", "/tmp/elsewhere", "", "mllm"])
def test_label_topic_must_be_configured(config: Path, topic: str) -> None:
    result = digest(config, "label", "--topic", topic, "--yes", "2510.08987")
    assert result.exit_code == 2
    assert result.stderr == f"Error: unknown topic {topic!r}; the configuration has: {CONFIGURED}\n"
    assert list(config.parent.rglob("*.csv")) == []
    assert not Path("/tmp/elsewhere.csv").exists()


# Files from spreadsheets; notes


def test_a_spreadsheets_file_reads_bom_crlf_quoted_lines_and_empty_cells(tmp_path: Path) -> None:
    path = tmp_path / "MLLM.csv"
    path.write_bytes(
        b'\xef\xbb\xbfid,label,note\r\n2510.08987,1,"a note, quoted\r\nover two lines"\r\n'
        b"# a comment, with a comma\r\n2510.09097,0,,\r\n,,\r\n2510.09608v2,1\r\n"
    )
    labels = load_labels(path)
    assert labels.labels == {
        "2510.08987": Label(True, "a note, quoted over two lines"),
        "2510.09097": Label(False),
        "2510.09608": Label(True),
    }
    assert labels.comments == ["# a comment, with a comma"]


def test_a_spreadsheets_file_is_rewritten_as_plain_sorted_csv(config: Path) -> None:
    path = config.parent / "labels" / "MLLM.csv"
    path.parent.mkdir()
    path.write_bytes(b'\xef\xbb\xbfid,label,note\r\n2510.09608,1,"two\r\nlines"\r\n2510.08987,0\r\n')
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.09097")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == b"id,label,note\n2510.08987,0\n2510.09097,1\n2510.09608,1,two lines\n"


def test_a_note_with_newlines_commas_and_quotes_keeps_the_file_readable(config: Path) -> None:
    note = 'first line\nsecond, "quoted" line\r\n\tthird'
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", note)
    assert result.exit_code == 0, result.output
    assert labels_of(config) == 'id,label,note\n2510.08987,1,"first line second, ""quoted"" line third"\n'
    again = digest(config, "label", "--topic", "MLLM", "--no", "2510.09097")
    assert again.exit_code == 0, again.output
    assert load_labels(config.parent / "labels" / "MLLM.csv").labels["2510.08987"].note == (
        'first line second, "quoted" line third'
    )


def test_a_note_with_a_control_character_is_refused(config: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.08987", "--note", "red \x1b[31m")
    assert result.exit_code == 2
    assert result.stderr == "Error: --note holds the control character U+001B; a note is one line of text\n"


def test_a_file_labelling_one_id_both_ways_names_both_lines(config: Path) -> None:
    path = config.parent / "labels" / "MLLM.csv"
    path.parent.mkdir()
    path.write_text("id,label\n2510.08987,1\n2510.09097,0\n2510.08987v2,0\n")
    result = digest(config, "label", "--topic", "MLLM", "--yes", "2510.09608")
    assert result.exit_code == 2
    assert result.stderr == f"Error: {path}: lines 2 and 4 label 2510.08987 both ways; keep one of them\n"
    assert path.read_text() == "id,label\n2510.08987,1\n2510.09097,0\n2510.08987v2,0\n"


def test_a_header_of_other_names_is_refused_with_the_header_it_should_be(tmp_path: Path) -> None:
    path = tmp_path / "MLLM.csv"
    path.write_text("id,relevant\n2510.08987,1\n")
    with pytest.raises(InputError) as raised:
        load_labels(path)
    assert str(raised.value) == f"{path}: line 1: a header reads `id,label,note`, got 'id,relevant'"


def test_a_file_labelling_one_id_twice_the_same_way_reads_as_one_label(tmp_path: Path) -> None:
    path = tmp_path / "MLLM.csv"
    path.write_text("2510.08987,1\n2510.08987v2,1,read twice\n")
    assert load_labels(path).labels == {"2510.08987": Label(True, "read twice")}


# Many at once


def label_once(path: Path, paper_id: str, start: Barrier) -> None:
    """One labelling process: waits for the others, then labels one paper under the file's lock."""
    start.wait()
    update_labels(path, {paper_id: Label(True)}, (), timeout=60)


def test_forty_processes_labelling_at_once_keep_all_forty(tmp_path: Path) -> None:
    path = tmp_path / "labels" / "MLLM.csv"
    ids = [f"2510.{n:05d}" for n in range(40)]
    forked = multiprocessing.get_context("fork")  # forked, not started afresh: forty imports of the CLI are slow
    start = forked.Barrier(40)
    processes = [forked.Process(target=label_once, args=(path, paper_id, start)) for paper_id in ids]
    for process in processes:
        process.start()
    for process in processes:
        process.join()
    assert [process.exitcode for process in processes] == [0] * 40
    assert set(load_labels(path).labels) == set(ids)


# What to label next


def test_suggestions_take_each_edge_in_turn_closest_first_and_skip_labelled_papers() -> None:
    topic = Topic(
        keywords=["VLM"], filters=["survey"], similar_to=SimilarTo(description="multimodal models"), threshold=0.5
    )
    planned = TopicPlan(topic, Rules(threshold=0.5))
    papers = [
        paper("2510.00001", title="A VLM survey", abstract="We review."),
        paper("2510.00002", title="Near the threshold, above"),
        paper("2510.00003", title="Nearer the threshold, below"),
        paper("2510.00004", title="Far from it"),
        paper("2510.00005", title="Agents", abstract="A survey of VLM agents."),
        paper("2510.00006", title="Labelled already, near the threshold"),
        paper("2510.00007", title="ALVLM: a model", abstract="Not a VLM as a word."),
        paper("2510.00008", title="ALVLM again"),
    ]
    scores = {"2510.00002": 0.53, "2510.00003": 0.49, "2510.00004": 0.2, "2510.00006": 0.5, "2510.00007": 0.1}
    days = [LabelledDay(date(2025, 10, 13), papers, {**{p.id: 0.0 for p in papers}, **scores})]
    suggestions = suggest_papers(days, planned, ["cs.CV"], {"2510.00006": False}, 10)
    assert [(s.paper.id, s.why) for s in suggestions] == [
        ("2510.00003", "similarity 0.490, threshold 0.5"),
        ("2510.00001", 'a keyword hit, dropped by filter `survey`: "A VLM survey We review."'),
        ("2510.00008", "only `match: substring` keeps it (keyword `VLM`)"),
        ("2510.00002", "similarity 0.530, threshold 0.5"),
        ("2510.00005", 'a keyword hit, dropped by filter `survey`: "Agents A survey of VLM agents."'),
    ]
    assert [s.paper.id for s in suggest_papers(days, planned, ["cs.CV"], {"2510.00006": False}, 2)] == [
        "2510.00003",
        "2510.00001",
    ]
    assert suggest_papers(days, planned, ["cs.CV"], {p.id: False for p in papers}, 10) == []


def test_a_dropped_paper_holding_a_phrase_of_the_relevant_papers_the_topic_misses_is_suggested() -> None:
    planned = TopicPlan(Topic(keywords=["MLLM"]), Rules())
    missed = [paper(f"2510.0000{n}", title="A large multimodal model for charts") for n in (1, 2)]
    others = [paper(f"2510.01{n:03}", title=f"Graph number {n}") for n in range(100)]
    unlabelled = [
        paper("2510.00201", title="Large multimodal models reading maps"),
        paper("2510.00202", title="An MLLM with a large multimodal model inside"),
        paper("2510.00203", title="Tables"),
    ]
    days = [LabelledDay(date(2025, 10, 13), [*missed, *others, *unlabelled], {})]
    labelled = {"2510.00001": True, "2510.00002": True}
    suggestions = suggest_papers(days, planned, ["cs.CV"], labelled, 10)
    assert [(s.paper.id, s.why) for s in suggestions] == [
        ("2510.00201", "holds `Large multimodal model`, as 2 relevant papers the topic misses do"),
    ]


def test_a_paper_the_category_rule_drops_is_not_suggested_for_a_mined_phrase() -> None:
    planned = TopicPlan(Topic(keywords=["MLLM"]), Rules())
    missed = [paper(f"2510.0000{n}", title="A large multimodal model for charts") for n in (1, 2)]
    others = [paper(f"2510.01{n:03}", title=f"Graph number {n}") for n in range(100)]
    outside = paper("2510.00201", title="Large multimodal models reading maps", categories=["math.CO"])
    days = [LabelledDay(date(2025, 10, 13), [*missed, *others, outside], {})]
    labelled = {"2510.00001": True, "2510.00002": True}
    assert suggest_papers(days, planned, ["cs.CV"], labelled, 10) == []


def test_a_phrase_of_a_single_missed_paper_or_of_the_papers_the_topic_keeps_suggests_nothing() -> None:
    planned = TopicPlan(Topic(keywords=["MLLM"]), Rules())
    papers = [
        paper("2510.00001", title="A large multimodal model for charts"),
        paper("2510.00002", title="An MLLM: a vision encoder for charts"),
        paper("2510.00003", title="An MLLM: a vision encoder for maps"),
        *[paper(f"2510.01{n:03}", title=f"Graph number {n}") for n in range(100)],
        paper("2510.00201", title="Large multimodal models reading maps"),
        paper("2510.00202", title="A vision encoder for tables"),
    ]
    days = [LabelledDay(date(2025, 10, 13), papers, {})]
    labelled = {"2510.00001": True, "2510.00002": True, "2510.00003": True}
    assert suggest_papers(days, planned, ["cs.CV"], labelled, 10) == []


@pytest.fixture
def stored(config: Path, tmp_path: Path) -> Path:
    store_golden_days(tmp_path / "cache" / "digest.sqlite3", ["2025-10-13", "2026-06-17"])
    return config


def test_suggest_lists_title_abstract_line_and_the_command_that_labels_each(stored: Path) -> None:
    digest(stored, "label", "--topic", "MLLM", "--yes", "2509.21787")
    result = digest(stored, "label", "--topic", "MLLM", "--suggest", "2", "--from", "2025-10-13", "--to", "2026-06-17")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "MLLM: 2 unlabelled papers to label, from 2025-10-13 to 2026-06-17\n"
        "\n"
        "2510.08919  only `match: words` keeps it (keyword `Vision Language Model`)\n"
        "  PHyCLIP: $\\ell_1$-Product of Hyperbolic Factors Unifies Hierarchy and Compositionality in "
        "Vision-Language Representation Learning\n"
        "  Vision-language models have achieved remarkable success in multi-modal representation learning from…\n"
        f"  digest label --topic MLLM --config {stored} --yes 2510.08919    # or --no\n"
        "\n"
        "2606.17639  only `match: words` keeps it (keyword `Vision Language Model`)\n"
        "  ERQA-Plus: A Diagnostic Benchmark for Reasoning in Embodied AI\n"
        "  Generalist embodied agents require more than object recognition: they must reason about spatial rel…\n"
        f"  digest label --topic MLLM --config {stored} --yes 2606.17639    # or --no\n"
    )


def test_the_suggested_command_labels_the_paper(stored: Path) -> None:
    listed = digest(stored, "label", "--topic", "MLLM", "--suggest", "1", "--from", "2025-10-13", "--to", "2025-10-13")
    command = listed.output.splitlines()[-1].split("#")[0].split()
    assert command[:2] == ["digest", "label"]
    result = CliRunner().invoke(main, command[1:])
    assert result.exit_code == 0, result.output
    assert labels_of(stored) == f"id,label,note\n{command[-1]},1\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--suggest", "3"], "--suggest needs --from and --to: the stored dates to look in"),
        (["--suggest", "3", "--from", "2025-10-13", "--to", "2025-10-12"],
         "--from 2025-10-13 is after --to 2025-10-12"),
        (["--suggest", "3", "--from", "2025-10-13", "--to", "2025-10-13", "--yes", "2510.08987"],
         "--suggest only lists papers; label them with a second `digest label`"),
        (["--from", "2025-10-13", "--yes", "2510.08987"], "--from and --to go with --suggest"),
        (["--suggest", "3", "--from", "2025-01-06", "--to", "2025-01-07"],
         "no batch from 2025-01-06 to 2025-01-07 is stored; fetch those dates first: "
         "`digest backfill --from 2025-01-06 --to 2025-01-07`"),
        (["--suggest", "3", "--from", "2025-01-06", "--to", "2025-01-10", "--now", "2025-01-08T12:00:00+00:00"],
         "no batch from 2025-01-06 to 2025-01-10 is stored; fetch those dates first: "
         "`digest backfill --from 2025-01-06 --to 2025-01-07`"),
        (["--suggest", "3", "--from", "2027-01-04", "--to", "2027-01-05", "--now", "2027-01-04T12:00:00+00:00"],
         "no batch from 2027-01-04 to 2027-01-05 can be stored yet: arXiv has not announced the batch for "
         "2027-01-04 yet (it is announced at 20:00 US Eastern on Monday 2027-01-04)"),
    ],
)  # fmt: skip
def test_suggest_refuses_what_it_cannot_do(stored: Path, args: list[str], message: str) -> None:
    result = digest(stored, "label", "--topic", "MLLM", *args)
    assert result.exit_code == 2
    assert result.stderr == f"Error: {message}\n"
