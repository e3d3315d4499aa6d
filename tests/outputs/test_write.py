"""Writing: deterministic bytes, atomic replacement, other dates untouched, indexes from disk."""

from __future__ import annotations

import errno
import filecmp
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.errors import InputError, OutputError
from digest.outputs.write import check_indexes, write_digests, write_pages
from tests.support.golden import golden_config_path, golden_papers
from tests.support.recipes import rebuild_indexes, save_records

DAY = "2025-10-13"


def render(records: Path, day: str, output: Path) -> None:
    args = ["render", "--input", str(records), "--date", day, "--config", str(golden_config_path(DAY))]
    result = CliRunner().invoke(main, [*args, "--output", str(output)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    save_records(golden_papers(DAY), path)
    return path


def snapshot(output: Path) -> dict[str, bytes]:
    return {str(path.relative_to(output)): path.read_bytes() for path in sorted(output.rglob("*")) if path.is_file()}


def test_rendering_the_same_input_twice_gives_identical_bytes(
    tmp_path: Path, records: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIGEST_FEED_URL", "https://example.org/archive")  # else each archive's feeds have own ids
    render(records, DAY, tmp_path / "first")
    render(records, DAY, tmp_path / "second")
    assert snapshot(tmp_path / "first") == snapshot(tmp_path / "second")


def test_rendering_a_date_leaves_the_day_before_untouched(tmp_path: Path, records: Path) -> None:
    output = tmp_path / "output"
    render(records, "2025-10-12", output)
    before = (output / "MLLM" / "2025-10-12.md").stat()
    render(records, DAY, output)
    after = (output / "MLLM" / "2025-10-12.md").stat()
    assert (before.st_mtime_ns, before.st_ino) == (after.st_mtime_ns, after.st_ino)


def test_an_unchanged_digest_is_not_rewritten(tmp_path: Path) -> None:
    assert write_digests(tmp_path, date(2025, 10, 13), {"MLLM": "text\n"}) == [tmp_path / "MLLM" / "2025-10-13.md"]
    assert write_digests(tmp_path, date(2025, 10, 13), {"MLLM": "text\n"}) == []


def test_a_full_disk_leaves_the_previous_version_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_digests(tmp_path, date(2025, 10, 13), {"MLLM": "old\n", "LLM": "old\n"})
    real_fsync = os.fsync
    calls = []

    def fsync_then_full(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync_then_full)
    with pytest.raises(OutputError, match="No space left on device"):
        write_digests(tmp_path, date(2025, 10, 13), {"MLLM": "new\n", "LLM": "new\n"})
    assert (tmp_path / "MLLM" / "2025-10-13.md").read_text() == "old\n"
    assert (tmp_path / "LLM" / "2025-10-13.md").read_text() == "old\n"
    assert [path.name for path in tmp_path.rglob(".*.tmp")] == []


def test_pages_made_one_at_a_time_are_each_staged_before_the_next_is_made(tmp_path: Path) -> None:
    staged_when_made: list[list[str]] = []

    def pages() -> Iterator[tuple[str, str]]:
        for name in ("a.xml", "b.xml", "c.xml"):
            staged_when_made.append(sorted(path.name.rsplit(".", 2)[0][1:] for path in tmp_path.glob(".*.tmp")))
            yield name, f"{name}\n"

    assert write_pages(tmp_path, pages()) == [tmp_path / "a.xml", tmp_path / "b.xml", tmp_path / "c.xml"]
    assert staged_when_made == [[], ["a.xml"], ["a.xml", "b.xml"]]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a.xml", "b.xml", "c.xml"]


def test_an_error_while_pages_are_made_leaves_the_old_pages_and_no_temporary_file(tmp_path: Path) -> None:
    write_pages(tmp_path, [("a.xml", "old\n"), ("b.xml", "old\n")])

    def pages() -> Iterator[tuple[str, str]]:
        yield "a.xml", "new\n"
        raise OutputError("cannot read b's digest")

    with pytest.raises(OutputError, match="cannot read b's digest"):
        write_pages(tmp_path, pages())
    assert snapshot(tmp_path) == {"a.xml": b"old\n", "b.xml": b"old\n"}


def test_a_page_written_in_pieces_is_not_rewritten_when_it_holds_those_bytes_already(tmp_path: Path) -> None:
    assert write_pages(tmp_path, [("feed.xml", iter([b"<feed>", b"</feed>\n"]))]) == [tmp_path / "feed.xml"]
    first = (tmp_path / "feed.xml").stat().st_ino
    assert write_pages(tmp_path, [("feed.xml", iter([b"<feed>", b"</feed>\n"]))]) == []
    assert (tmp_path / "feed.xml").stat().st_ino == first
    assert snapshot(tmp_path) == {"feed.xml": b"<feed></feed>\n"}


def test_an_error_while_a_pages_pieces_are_made_leaves_the_old_page_and_no_temporary_file(tmp_path: Path) -> None:
    write_pages(tmp_path, [("feed.xml", b"old\n")])

    def pieces() -> Iterator[bytes]:
        yield b"<feed>"
        raise OutputError("cannot read a digest")

    with pytest.raises(OutputError, match="cannot read a digest"):
        write_pages(tmp_path, [("feed.xml", pieces())])
    assert snapshot(tmp_path) == {"feed.xml": b"old\n"}


def test_a_page_that_cannot_be_replaced_is_named_not_its_temporary_file(tmp_path: Path) -> None:
    (tmp_path / "Vision" / "feed.xml").mkdir(parents=True)
    with pytest.raises(OutputError) as raised:
        write_pages(tmp_path, [("README.md", "# index\n"), ("Vision/feed.xml", iter([b"<feed/>\n"]))])
    assert str(raised.value) == f"cannot write {tmp_path / 'Vision' / 'feed.xml'}: Is a directory"
    assert [path.name for path in tmp_path.rglob(".*.tmp")] == []


def test_a_page_in_pieces_whose_old_file_cannot_be_read_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pages(tmp_path, [("feed.xml", b"old\n")])

    def unreadable(first: str, second: str, shallow: bool = True) -> bool:
        raise OSError(errno.EIO, "Input/output error", str(second))

    monkeypatch.setattr(filecmp, "cmp", unreadable)
    with pytest.raises(OutputError) as raised:
        write_pages(tmp_path, [("feed.xml", iter([b"new\n"]))])
    assert str(raised.value) == f"cannot write {tmp_path / 'feed.xml'}: Input/output error"
    assert snapshot(tmp_path) == {"feed.xml": b"old\n"}


def test_indexes_list_dates_newest_first_with_their_counts(tmp_path: Path, records: Path) -> None:
    render(records, "2025-10-12", tmp_path)
    render(records, DAY, tmp_path)
    index = (tmp_path / "MLLM" / "README.md").read_text()
    assert index.index("[2025-10-13](2025-10-13.md)") < index.index("[2025-10-12](2025-10-12.md)")
    count = len((tmp_path / "MLLM" / f"{DAY}.md").read_text().split("\n- **")) - 1
    assert f"| [2025-10-13](2025-10-13.md) | {count} |" in index


def test_indexes_follow_a_deleted_digest(tmp_path: Path, records: Path) -> None:
    render(records, "2025-10-12", tmp_path)
    render(records, DAY, tmp_path)
    (tmp_path / "MLLM" / f"{DAY}.md").unlink()
    rebuild_indexes(tmp_path)
    assert f"{DAY}.md" not in (tmp_path / "MLLM" / "README.md").read_text()
    assert "| [MLLM](MLLM/2025-10-12.md) | 2025-10-12 |" in (tmp_path / "README.md").read_text()


def test_the_overview_orders_topics_by_their_latest_count(tmp_path: Path) -> None:
    day = date(2025, 10, 13)
    badge = "[![Total Papers](https://img.shields.io/badge/Papers-{}-2688EB)]()\n"
    write_digests(tmp_path, day, {"Quiet": badge.format(2), "Busy": badge.format(40), "Also": badge.format(2)})
    rebuild_indexes(tmp_path, ["Quiet", "Busy", "Also"])
    rows = [line for line in (tmp_path / "README.md").read_text().splitlines() if line.startswith("| [")]
    assert [row.split("]")[0] for row in rows] == ["| [Busy", "| [Also", "| [Quiet"]


def test_a_readme_in_a_folder_without_digests_is_not_an_index_page(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "README.md").write_text("the project's docs\n")
    check_indexes(tmp_path, ["MLLM"])
    rebuild_indexes(tmp_path)
    assert (tmp_path / "docs" / "README.md").read_text() == "the project's docs\n"


def test_a_foreign_archive_page_of_a_configured_topic_is_refused(tmp_path: Path) -> None:
    (tmp_path / "LLM").mkdir()
    (tmp_path / "LLM" / "2025-10-13.md").write_text("a digest\n")
    (tmp_path / "LLM" / "README.md").write_text("hand-written\n")
    with pytest.raises(InputError, match=r"LLM/README.md was not written by arxiv-digest"):
        check_indexes(tmp_path, ["MLLM", "LLM"])


def test_the_next_run_removes_the_temporary_files_and_the_old_lock_a_kill_left(tmp_path: Path, records: Path) -> None:
    output = tmp_path / "output"
    render(records, DAY, output)
    left = [
        output / "MLLM" / f".{DAY}.md.k3j9x_2a.tmp",
        output / "MLLM" / ".README.md.0a1b2c3d.tmp",
        output / "MLLM" / ".feed.xml.zz_99abc.tmp",
        output / ".README.md.q1w2e3r4.tmp",
        output / ".digest.store.lock",
    ]
    for path in left:
        path.write_text("partial")
    (output / "MLLM" / "notes.tmp").write_text("a user's own file")

    render(records, "2025-10-14", output)

    assert [path for path in left if path.exists()] == []
    assert (output / "MLLM" / "notes.tmp").read_text() == "a user's own file"


def test_a_folder_of_dated_notes_is_not_a_topic(tmp_path: Path, records: Path) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "2025-07-01.md").write_text("dear diary\n")
    render(records, DAY, tmp_path)
    assert sorted(path.name for path in journal.iterdir()) == ["2025-07-01.md"]
    assert "journal" not in (tmp_path / "README.md").read_text()


def test_a_dropped_topic_keeps_its_archive_in_the_overview(tmp_path: Path, records: Path) -> None:
    render(records, DAY, tmp_path)
    rebuild_indexes(tmp_path, ["LLM"])
    assert "| [MLLM](MLLM/2025-10-13.md) | 2025-10-13 |" in (tmp_path / "README.md").read_text()
