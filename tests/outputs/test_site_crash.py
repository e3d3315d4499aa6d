"""A `digest site` process killed with SIGKILL at any moment of a build leaves a site that the next build
completes to the same bytes as a build never interrupted.

The killed process is a real process forked from an interpreter that has imported `digest` already
(`tests/support/forked.py`), running the real command line; it kills itself right after its n-th rename (every
atomic file write, and both renames that swap the search index in), and once right after Pagefind wrote its new
bundle. The uninterrupted builds are such processes too, never killed.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from tests.outputs.test_site import archive
from tests.support.forked import arm, die_after_a_subprocess, die_after_renames, start_digest
from tests.support.papers import listed
from tests.support.recipes import write_day

CONFIG = """
category: {cs.CV: Computer Vision, cs.AI: AI}
topic: {Vision: {keywords: [vision]}, Speech: {keywords: [speech]}}
"""
KILL_POINTS = ["rename:1", "rename:3", "rename:8", "rename:11", "rename:14", "pagefind:1", "rename:15", "rename:16"]
"""The build of one new date writes 14 files (the new pages, copies and the neighbours' pages, then the index
pages and the feeds' copies), renames twice to swap the month's search index in, then writes the manifest: kills
after early, middle and late writes, right after Pagefind, and between and after the two renames."""


def site_files(site: Path) -> dict[str, bytes]:
    return {path.relative_to(site).as_posix(): path.read_bytes() for path in sorted(site.rglob("*")) if path.is_file()}


def build_site_command(config: Path, output: Path) -> int:
    """`digest site` as a real process, never killed: its exit code."""
    arguments = ["site", "--config", str(config), "--output", str(output)]
    return start_digest(arguments, os.environ, output.parent / "uninterrupted").wait(timeout=120)


def killed_build(config: Path, output: Path, kill_at: str) -> int:
    """`digest site` in a process that kills itself at `kill_at` (`rename:3`, or `pagefind:1`): its exit code."""
    where, nth = kill_at.split(":")
    armed = arm(die_after_a_subprocess) if where == "pagefind" else arm(die_after_renames, int(nth))
    arguments = ["site", "--config", str(config), "--output", str(output)]
    return start_digest(arguments, os.environ, output.parent / "killed", armed).wait(timeout=120)


@pytest.fixture(scope="module")
def updated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, bytes]]:
    """An archive whose site was built before its newest date was written, and the site an uninterrupted
    build then makes."""
    root = tmp_path_factory.mktemp("site-crash")
    config = root / "digest.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    made = archive(root / "output")
    assert build_site_command(config, made.settings.output_dir) == 0
    before = root / "before"
    shutil.copytree(made.settings.output_dir, before)
    write_day(made, date(2025, 10, 16), [listed("2510.00005"), listed("2510.00006", words="speech")], made.topic)
    shutil.copytree(made.settings.output_dir / "Vision", before / "Vision", dirs_exist_ok=True)
    shutil.copytree(made.settings.output_dir / "Speech", before / "Speech", dirs_exist_ok=True)
    for name in ("README.md", "feed.xml", "feeds.opml"):
        shutil.copy(made.settings.output_dir / name, before / name)
    assert build_site_command(config, made.settings.output_dir) == 0
    return config, before, site_files(made.settings.output_dir / "_site")


@pytest.mark.parametrize("kill_at", KILL_POINTS)
def test_a_build_killed_at_any_moment_is_completed_by_the_next_to_the_same_bytes(
    updated: tuple[Path, Path, dict[str, bytes]], tmp_path: Path, kill_at: str
) -> None:
    config, before, expected = updated
    output = tmp_path / "output"
    shutil.copytree(before, output)
    assert killed_build(config, output, kill_at) == -9
    result = CliRunner().invoke(main, ["site", "--config", str(config), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert site_files(output / "_site") == expected


FIRST_BUILD_KILL_POINTS = ["rename:1", "rename:16", "rename:30", "pagefind:1", "rename:34", "rename:36"]
"""A first build of the four dates writes 33 files, renames once to put the month's index in place, writes
the search box and the list of bundles, then the manifest."""


@pytest.mark.parametrize("kill_at", FIRST_BUILD_KILL_POINTS)
def test_a_first_build_killed_at_any_moment_ends_as_the_incremental_one_did(
    updated: tuple[Path, Path, dict[str, bytes]], tmp_path: Path, kill_at: str
) -> None:
    """From scratch or date by date, killed or not: one archive, one site, byte for byte."""
    config, before, expected = updated
    output = tmp_path / "output"
    shutil.copytree(before, output)
    shutil.rmtree(output / "_site")
    assert killed_build(config, output, kill_at) == -9
    result = CliRunner().invoke(main, ["site", "--config", str(config), "--output", str(output)])
    assert result.exit_code == 0, result.output
    assert site_files(output / "_site") == expected
