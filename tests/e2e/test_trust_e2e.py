"""Never silently wrong: every way a run could exit 0 with a wrong digest is one `Error:` line, a non-zero exit,
nothing written and nothing stored. Each test runs the CLI against the local arXiv and compares the output tree
byte for byte before and after.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from digest.cli.main import main
from digest.core.models import INDEX_MARKER
from digest.store.database import Store
from tests.support.arxiv_server import ArxivServer
from tests.support.golden import expected_digest, golden_config_path, golden_papers
from tests.support.world import World, add_filler

MONDAY = "2025-10-13"
TUESDAY_MORNING = "2025-10-14T15:00:00+00:00"  # 11:00 in New York: Monday's batch is the latest


@pytest.fixture
def output(tmp_path: Path) -> Path:
    """An output directory holding an earlier digest that no failure may touch."""
    earlier = tmp_path / "output" / "MLLM" / "2025-10-09.md"
    earlier.parent.mkdir(parents=True)
    earlier.write_text("an earlier digest\n")
    return tmp_path / "output"


def digest(server: ArxivServer, output: Path, *args: str, now: str = TUESDAY_MORNING, **env: str) -> Result:
    environment = server.environment() | {"DIGEST_NOW": now, "DIGEST_OUTPUT_DIR": str(output)} | env
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(MONDAY))], env=environment)


def tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` with its bytes, but the run's lock file."""
    files = (path for path in sorted(root.rglob("*")) if path.is_file() and path.name != ".digest.store.lock")
    return {str(path.relative_to(root)): path.read_bytes() for path in files}


def stored_batches(tmp_path: Path) -> list[str]:
    path = tmp_path / "cache" / "digest.sqlite3"
    if not path.exists():
        return []
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT announcement FROM batches ORDER BY announcement")]


def assert_refused(result: Result, exit_code: int, line: str) -> None:
    assert result.exit_code == exit_code, result.output
    assert result.output.splitlines()[-1] == line


# 1. A date whose announcement has not happened yet


@pytest.mark.parametrize(
    ("day", "when"),
    [("2025-12-01", "Monday 2025-12-01"), ("2025-10-14", "Tuesday 2025-10-14"), ("2025-10-17", "Thursday 2025-10-16")],
)
def test_a_date_not_announced_yet_is_refused_before_any_request(
    server: ArxivServer, output: Path, tmp_path: Path, day: str, when: str
) -> None:
    before = tree(output)
    result = digest(server, output, "run", "--date", day)
    assert_refused(
        result,
        2,
        f"Error: {day}: arXiv has not announced the batch for {day} yet "
        f"(it is announced at 20:00 US Eastern on {when})",
    )
    assert tree(output) == before
    assert server.requests == []
    assert stored_batches(tmp_path) == []


def test_a_backfill_to_a_date_not_announced_yet_is_refused_by_the_same_rule(server: ArxivServer, output: Path) -> None:
    before = tree(output)
    result = digest(server, output, "backfill", "--from", MONDAY, "--to", "2025-10-14")
    assert_refused(
        result,
        2,
        "Error: --to 2025-10-14 is in the future: arXiv has not announced the batch for 2025-10-14 yet "
        "(it is announced at 20:00 US Eastern on Tuesday 2025-10-14)",
    )
    assert tree(output) == before
    assert server.requests == []


# 2. An empty batch is never stored as a fact unless a source says so


def one_paper_world() -> World:
    """A world whose only submission is in Monday 2025-10-13's window."""
    world = World()
    add_filler(world, date(2025, 10, 13))
    return world


def test_an_oai_window_without_a_single_record_fails_the_date(output: Path, tmp_path: Path) -> None:
    with ArxivServer(one_paper_world()) as server:
        before = tree(output)
        result = digest(server, output, "run", "--date", "2025-10-08")
        assert_refused(
            result, 1, "Error: 2025-10-08: arXiv returned no paper for the batch announced 2025-10-08; nothing written"
        )
        assert tree(output) == before
        assert stored_batches(tmp_path) == []


def test_an_empty_api_window_is_a_warning_that_names_the_window_and_is_not_stored(output: Path, tmp_path: Path) -> None:
    with ArxivServer(one_paper_world()) as server:
        result = digest(server, output, "run", "--date", "2025-10-08", "--source", "api")
        assert result.exit_code == 0, result.output
        assert (
            "2025-10-08: arXiv API lists no paper submitted from 2025-10-07T18:00:00+00:00 to "
            "2025-10-08T18:00:00+00:00; the digests are empty" in result.output
        )
        assert stored_batches(tmp_path) == []


def test_an_empty_batch_stored_by_an_older_version_is_fetched_again(
    server: ArxivServer, output: Path, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "cache" / "digest.sqlite3"):
        pass
    with sqlite3.connect(tmp_path / "cache" / "digest.sqlite3") as db:
        db.execute("INSERT INTO batches VALUES ('2025-10-13', 'rss')")
    result = digest(server, output, "run", "--date", MONDAY)
    assert result.exit_code == 0, result.output
    assert server.count() > 0
    assert "Papers-52-" in (output / "MLLM" / f"{MONDAY}.md").read_text()


# 3. Empty paths, and index pages that are not ours


@pytest.mark.parametrize("name", ["DIGEST_OUTPUT_DIR", "DIGEST_CACHE_DIR"])
def test_an_empty_path_in_the_environment_is_a_config_error(server: ArxivServer, output: Path, name: str) -> None:
    before = tree(output)
    result = digest(server, output, "run", **{name: ""})
    key = name.removeprefix("DIGEST_").lower()
    assert_refused(
        result,
        2,
        f"Error: {golden_config_path(MONDAY)}: settings.{key} (from {name}): "
        "must not be empty (an empty path would be the current directory)",
    )
    assert tree(output) == before
    assert server.requests == []


def test_an_empty_output_dir_in_the_file_is_a_config_error(server: ArxivServer, tmp_path: Path) -> None:
    config = tmp_path / "digest.yaml"
    config.write_text(golden_config_path(MONDAY).read_text() + "\nsettings:\n  output_dir: ''\n")
    result = CliRunner().invoke(main, ["run", "--config", str(config)], env=server.environment())
    assert_refused(
        result,
        2,
        f"Error: {config}: settings.output_dir: must not be empty (an empty path would be the current directory)",
    )


def test_an_empty_output_option_is_refused(server: ArxivServer, output: Path) -> None:
    result = digest(server, output, "run", "--output", "")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == (
        "Error: Invalid value for '--output': must not be empty (an empty path would be the current directory)"
    )
    assert server.requests == []


@pytest.mark.parametrize("page", ["README.md", "MLLM/README.md"])
def test_an_index_page_arxiv_digest_did_not_write_is_never_replaced(
    server: ArxivServer, output: Path, page: str
) -> None:
    (output / page).write_text("# My project\n\nIts own README.\n")
    before = tree(output)
    result = digest(server, output, "run")
    assert_refused(
        result,
        2,
        f"Error: {output / page} was not written by arxiv-digest and would be replaced by an index page; nothing "
        f"was written: check --output (or settings.output_dir), or move {output / page} aside",
    )
    assert tree(output) == before
    assert server.requests == []


def test_index_pages_carry_the_marker_and_an_older_versions_pages_are_replaced(
    server: ArxivServer, output: Path
) -> None:
    (output / "README.md").write_text("# 📰 arXiv daily digests\n\nan older overview\n")
    (output / "MLLM" / "README.md").write_text("# 🔍 MLLM Papers · archive\n\nan older archive page\n")
    result = digest(server, output, "run")
    assert result.exit_code == 0, result.output
    for page in (output / "README.md", output / "MLLM" / "README.md"):
        assert page.read_text().splitlines()[0] == INDEX_MARKER


def test_an_output_dir_that_is_a_file_is_exit_2_from_the_environment_as_from_the_option(
    server: ArxivServer, tmp_path: Path
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("not a directory\n")
    from_environment = digest(server, afile, "run")
    assert_refused(
        from_environment,
        2,
        f"Error: {golden_config_path(MONDAY)}: settings.output_dir (from DIGEST_OUTPUT_DIR): "
        f"{afile} is a file, not a directory",
    )
    from_option = digest(server, tmp_path / "output", "run", "--output", str(afile))
    assert from_option.exit_code == 2
    assert afile.read_text() == "not a directory\n"


# 5. `digest render` replaces published digests only with --force


def render(output: Path, records: Path, *flags: str) -> Result:
    args = ["render", "--input", str(records), "--date", MONDAY, "--topic", "MLLM", *flags]
    return CliRunner().invoke(main, [*args, "--config", str(golden_config_path(MONDAY)), "--output", str(output)])


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    path.write_text("".join(paper.model_dump_json() + "\n" for paper in golden_papers(MONDAY)))
    return path


def test_render_refuses_to_replace_a_published_digest_without_force(output: Path, records: Path) -> None:
    published = output / "MLLM" / f"{MONDAY}.md"
    published.write_text("the published digest\n")
    before = tree(output)
    result = render(output, records)
    assert_refused(result, 2, f"Error: {published} exists already; --force replaces it")
    assert tree(output) == before
    assert render(output, records, "--force").exit_code == 0
    assert published.read_text() == expected_digest(MONDAY, "MLLM")


def test_render_refuses_an_empty_records_file_without_allow_empty(output: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    before = tree(output)
    result = render(output, empty)
    assert_refused(result, 2, "Error: the records file holds no paper; --allow-empty writes empty digests all the same")
    assert tree(output) == before
    assert render(output, empty, "--allow-empty").exit_code == 0
    assert "Papers-0-" in (output / "MLLM" / f"{MONDAY}.md").read_text()


# 6. A corrupt store


def damage(store: Path) -> None:
    """Overwrite every page after the first (the header and schema stay readable) with garbage."""
    data = bytearray(store.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = bytes(range(256)) * ((len(data) - page) // 256) + bytes((len(data) - page) % 256)
    store.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--date", MONDAY],
        ["run", "--date", MONDAY, "--refresh"],
        ["explain", "--date", MONDAY, "--topic", "MLLM"],
    ],
)
def test_a_damaged_store_is_one_error_line_that_says_to_move_it_aside(
    server: ArxivServer, output: Path, tmp_path: Path, args: list[str]
) -> None:
    assert digest(server, output, "run").exit_code == 0
    store = tmp_path / "cache" / "digest.sqlite3"
    damage(store)
    before = tree(output)
    result = digest(server, output, *args)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"Error: the store {store} is damaged (database disk image is malformed); move it aside and run again: "
        "everything in it can be fetched again"
    ]
    assert tree(output) == before


# 10. Backfill's failed dates are Error lines on stderr too


def test_each_failed_backfill_date_is_an_error_line_on_stderr_and_counted(server: ArxivServer, output: Path) -> None:
    result = digest(server, output, "backfill", "--from", "2025-10-09", "--to", MONDAY, "--offline")
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        f"Error: {day}: the store holds no batch for {day}; run `digest run --date {day}` without --offline first"
        for day in ("2025-10-09", "2025-10-12", MONDAY)
    ]
    assert result.stdout.splitlines()[-1] == "0 dates written, 0 skipped, 3 failed; 0 requests"


# 13. Verbosity after the sub-command


@pytest.mark.parametrize("args", [["-v", "run"], ["run", "-v"]])
def test_verbose_works_before_or_after_the_command(server: ArxivServer, output: Path, args: list[str]) -> None:
    result = digest(server, output, *args)
    assert result.exit_code == 0, result.output
    assert " DEBUG digest.sources.http: GET rss " in result.stderr


def test_quiet_after_the_command_hides_the_info_lines(server: ArxivServer, output: Path) -> None:
    assert digest(server, output, "run").exit_code == 0
    assert "is stored; no request" in digest(server, output, "run").stderr
    assert "is stored; no request" not in digest(server, output, "run", "-q").stderr
