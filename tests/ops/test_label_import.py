"""`digest label --import FILE`: the site's "Export labels" download (or any labels file) merged into the
topic's labels, with the validation of every read, and a conflict named by both its lines."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from digest.cli.main import main

EXPORTED = "id,label,note\n2510.08987,1\n2510.09097,0\n"
"""What the site's script downloads: the header, then one row a paper, sorted by id, no notes."""


def digest(config: Path, *args: str) -> Result:
    return CliRunner().invoke(main, [*args, "--config", str(config)])


def exported(tmp_path: Path, text: str = EXPORTED, name: str = "MLLM.csv") -> Path:
    path = tmp_path / "Downloads" / name
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def labels(config: Path) -> Path:
    return config.parent / "labels" / "MLLM.csv"


def test_the_sites_export_is_merged_into_the_topics_labels(config: Path, tmp_path: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.09608", "--note", "kept by hand")
    result = digest(config, "label", "--topic", "MLLM", "--import", str(exported(tmp_path)))
    assert result.exit_code == 0, result.output
    assert result.output == f"{labels(config)}: 2 added\n"
    assert labels(config).read_text() == "id,label,note\n2510.08987,1\n2510.09097,0\n2510.09608,1,kept by hand\n"


def test_importing_the_same_labels_again_changes_nothing(config: Path, tmp_path: Path) -> None:
    source = exported(tmp_path)
    digest(config, "label", "--topic", "MLLM", "--import", str(source))
    before = labels(config).read_bytes()
    result = digest(config, "label", "--topic", "MLLM", "--import", str(source))
    assert result.output == f"{labels(config)}: 2 already so\n"
    assert labels(config).read_bytes() == before


def test_an_import_from_a_spreadsheet_reads_its_bom_and_crlf(config: Path, tmp_path: Path) -> None:
    source = exported(tmp_path, "\ufeffid,label,note\r\n2510.08987,1,\r\n")
    result = digest(config, "label", "--topic", "MLLM", "--import", str(source))
    assert result.exit_code == 0, result.output
    assert labels(config).read_text() == "id,label,note\n2510.08987,1\n"


def test_a_label_the_import_gives_the_other_way_is_a_conflict_naming_both_lines(config: Path, tmp_path: Path) -> None:
    digest(config, "label", "--topic", "MLLM", "--yes", "2510.00001", "2510.09097")
    before = labels(config).read_bytes()
    source = exported(tmp_path)
    result = digest(config, "label", "--topic", "MLLM", "--import", str(source))
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: 2510.09097 is not relevant on line 3 of {source} and relevant on line 3 of {labels(config)}: "
        "relabel with `digest label --yes/--no` or edit one file, then import again; nothing changed\n"
    )
    assert labels(config).read_bytes() == before


def test_a_file_labelling_one_id_both_ways_is_refused_naming_both_lines(config: Path, tmp_path: Path) -> None:
    source = exported(tmp_path, "id,label\n2510.08987,1\n2510.08987v2,0\n")
    result = digest(config, "label", "--topic", "MLLM", "--import", str(source))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {source}: lines 2 and 3 label 2510.08987 both ways; keep one of them\n"
    assert not labels(config).exists()


def test_an_import_with_a_bad_id_names_its_line_and_changes_nothing(config: Path, tmp_path: Path) -> None:
    source = exported(tmp_path, "id,label,note\n2510.08987,1\nnot-an-id,0\n")
    result = digest(config, "label", "--topic", "MLLM", "--import", str(source))
    assert result.exit_code == 2
    assert result.stderr == f"Error: {source}: line 3: 'not-an-id' is not an arXiv id (such as 2510.01234)\n"
    assert not labels(config).exists()


def test_an_import_that_is_not_there_is_one_clear_error(config: Path, tmp_path: Path) -> None:
    missing = tmp_path / "MLLM.csv"
    result = digest(config, "label", "--topic", "MLLM", "--import", str(missing))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {missing}: no such labels file")


def test_import_goes_alone(config: Path, tmp_path: Path) -> None:
    result = digest(config, "label", "--topic", "MLLM", "--import", str(exported(tmp_path)), "--yes", "2510.00001")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --import merges a file on its own; label single papers with a second `digest label`\n"
    )
