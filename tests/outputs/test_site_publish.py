"""Publishing with the archive: `--commit`/`--push` take the site folder along when it is in the repository."""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path

import pytest

from digest.core.plan import make_plan
from digest.edges import publish_to_git
from tests.outputs.test_site import MONDAY, TUESDAY, archive
from tests.support.papers import listed
from tests.support.recipes import write_day


@pytest.fixture(autouse=True)
def no_global_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's ~/.gitconfig must not decide a test."""
    empty = tmp_path / "empty.gitconfig"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def committed(repo: Path) -> list[str]:
    return git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "digests"
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main", str(path)], check=True)
    return path


def test_a_commit_takes_the_site_folder_in_the_output_along(repo: Path) -> None:
    made = archive(repo / "output", site=True)
    plan = make_plan(made)
    result = write_day(made, date(2025, 10, 16), [listed("2510.00005")], made.topic)
    publish_to_git(plan, [result], "digest 2025-10-16", False)
    files = committed(repo)
    assert "output/_site/Vision/2025-10-16.html" in files
    assert "output/_site/index.html" in files
    assert "output/_site/pagefind/pagefind-ui.js" in files
    assert git(repo, "status", "--porcelain", "--", "output/_site") == ""


def test_a_page_the_site_no_longer_has_is_removed_in_the_next_commit(repo: Path) -> None:
    made = archive(repo / "output", site=True)
    plan = make_plan(made)
    result = write_day(made, TUESDAY, [listed("2510.00003")], made.topic)
    publish_to_git(plan, [result], "digest 2025-10-14", False)
    for suffix in (".md", ".json"):
        (repo / "output" / "Speech" / f"2025-10-15{suffix}").unlink()
    result = write_day(made, MONDAY, [listed("2510.00001")], made.topic)
    publish_to_git(plan, [result], "digest 2025-10-13", False)
    assert "output/_site/Speech/2025-10-15.html" in committed(repo)
    assert "output/_site/Speech/2025-10-15.html" not in git(repo, "ls-files", "output/_site/Speech")


def test_a_site_outside_the_repository_is_left_to_its_own_deployment(repo: Path, tmp_path: Path) -> None:
    made = archive(repo / "output", site=True, site_dir=tmp_path / "public")
    result = write_day(made, date(2025, 10, 16), [listed("2510.00005")], made.topic)
    publish_to_git(make_plan(made), [result], "digest 2025-10-16", False)
    assert (tmp_path / "public" / "Vision" / "2025-10-16.html").is_file()
    assert all(not name.startswith("public") for name in committed(repo))
