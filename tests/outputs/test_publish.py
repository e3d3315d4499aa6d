"""Publishing against real git: a bare "remote", a clone holding the digests, and a second clone of a colleague."""

from __future__ import annotations

import os
import subprocess
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from digest.core.config import Settings
from digest.core.errors import PublishError
from digest.core.redact import redact
from digest.outputs.git_lock import index_lock_is_stale
from digest.outputs.publish import (
    FALLBACK_EMAIL,
    FALLBACK_NAME,
    _git_reason,
    commit_message,
    publish,
)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True)
    return done.stdout.rstrip("\n")


def set_identity(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name.lower()}@example.org")


@pytest.fixture(autouse=True)
def no_global_git_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's ~/.gitconfig (identity, hooks, signing) must not decide a test."""
    empty = tmp_path / "empty.gitconfig"
    empty.touch()
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(empty))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(bare)], check=True)
    seed = tmp_path / "seed"
    subprocess.run(["git", "clone", "--quiet", str(bare), str(seed)], check=True, capture_output=True)
    set_identity(seed, "Seed")
    (seed / "README.md").write_text("digests\n")
    (seed / "notes.txt").write_text("first\n")
    git(seed, "add", ".")
    git(seed, "commit", "--quiet", "-m", "start")
    git(seed, "push", "--quiet", "origin", "HEAD:main")
    return bare


def clone(remote: Path, path: Path, name: str) -> Path:
    subprocess.run(["git", "clone", "--quiet", str(remote), str(path)], check=True, capture_output=True)
    set_identity(path, name)
    return path


@pytest.fixture
def repo(remote: Path, tmp_path: Path) -> Path:
    return clone(remote, tmp_path / "digests", "Bot")


def write_digest(output_dir: Path, topic: str, day: str, text: str) -> list[Path]:
    digest = output_dir / topic / f"{day}.md"
    digest.parent.mkdir(parents=True, exist_ok=True)
    digest.write_text(text)
    overview = output_dir / "README.md"
    overview.write_text(f"latest {topic} {day}\n")
    return [digest, overview]


def fast(**changes: object) -> Settings:
    return Settings.model_validate({"push_retries": 2, **changes})


def test_commit_holds_the_written_files_and_the_message(repo: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    result = publish(output_dir, written, "digest 2025-10-04: MLLM 1", push=False, settings=fast())

    assert result.commit == git(repo, "rev-parse", "HEAD")
    assert git(repo, "log", "-1", "--format=%B") == "digest 2025-10-04: MLLM 1"
    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed == ["output/MLLM/2025-10-04.md", "output/README.md"]
    assert git(repo, "status", "--porcelain") == ""


def test_unchanged_files_make_no_commit(repo: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")
    publish(output_dir, written, "first", push=False, settings=fast())
    head = git(repo, "rev-parse", "HEAD")

    result = publish(output_dir, written, "second", push=False, settings=fast())

    assert result.commit is None
    assert git(repo, "rev-parse", "HEAD") == head


def test_output_dir_may_be_a_subdirectory_of_the_repository(repo: Path) -> None:
    output_dir = repo / "site" / "digests"
    written = write_digest(output_dir, "LLM", "2025-10-04", "# LLM\n")

    publish(output_dir, written, "digest", push=False, settings=fast())

    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed == ["site/digests/LLM/2025-10-04.md", "site/digests/README.md"]


def test_relative_paths_are_resolved_from_the_working_directory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    written = write_digest(Path("output"), "LLM", "2025-10-04", "# LLM\n")

    result = publish(Path("output"), written, "digest", push=False, settings=fast())

    assert result.commit is not None


def test_other_staged_and_unstaged_changes_stay_out_of_the_commit(repo: Path) -> None:
    (repo / "staged.txt").write_text("someone else's work\n")
    git(repo, "add", "staged.txt")
    (repo / "notes.txt").write_text("edited, not staged\n")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    publish(output_dir, written, "digest", push=False, settings=fast())

    changed = git(repo, "show", "--name-only", "--format=", "HEAD").splitlines()
    assert changed == ["output/MLLM/2025-10-04.md", "output/README.md"]
    assert git(repo, "status", "--porcelain").splitlines() == [" M notes.txt", "A  staged.txt"]


def test_a_path_outside_the_output_dir_is_refused_and_nothing_is_staged(repo: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")
    (repo / "notes.txt").write_text("private\n")

    with pytest.raises(PublishError, match=r"refusing to commit .*notes\.txt: it is not under the output directory"):
        publish(output_dir, [*written, repo / "notes.txt"], "digest", push=False, settings=fast())

    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_a_directory_outside_any_repository_is_refused(tmp_path: Path) -> None:
    output_dir = tmp_path / "plain"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    with pytest.raises(PublishError, match="is not inside a git repository"):
        publish(output_dir, written, "digest", push=False, settings=fast())


def test_push_sends_the_commit_to_the_remote_branch(repo: Path, remote: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    result = publish(output_dir, written, "digest", push=True, settings=fast())

    assert result.pushed
    assert git(remote, "rev-parse", "main") == result.commit


def test_push_rejected_because_the_remote_moved_ends_rebased_and_pushed(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    colleague = clone(remote, tmp_path / "colleague", "Colleague")
    (colleague / "notes.txt").write_text("the colleague's edit\n")
    git(colleague, "commit", "--quiet", "-am", "colleague")
    git(colleague, "push", "--quiet", "origin", "main")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    result = publish(output_dir, written, "digest 2025-10-04: MLLM 1", push=True, settings=fast())

    assert result.pushed
    assert git(remote, "log", "--format=%s", "main").splitlines() == ["digest 2025-10-04: MLLM 1", "colleague", "start"]
    assert git(repo, "rev-parse", "HEAD") == git(remote, "rev-parse", "main")


def test_unrelated_local_changes_survive_the_rebase_and_are_never_pushed(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    colleague = clone(remote, tmp_path / "colleague", "Colleague")
    (colleague / "README.md").write_text("digests, by the colleague\n")
    git(colleague, "commit", "--quiet", "-am", "colleague")
    git(colleague, "push", "--quiet", "origin", "main")
    (repo / "notes.txt").write_text("uncommitted, mine\n")
    (repo / "staged.txt").write_text("staged, mine\n")
    git(repo, "add", "staged.txt")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    result = publish(output_dir, written, "digest", push=True, settings=fast())

    assert result.pushed
    assert git(remote, "log", "--format=%s", "main~1").splitlines()[0] == "colleague"
    pushed = git(remote, "show", "--name-only", "--format=", "main").splitlines()
    assert pushed == ["output/MLLM/2025-10-04.md", "output/README.md"]
    assert git(remote, "show", "main:notes.txt") == "first"
    assert (repo / "notes.txt").read_text() == "uncommitted, mine\n"
    assert (repo / "staged.txt").read_text() == "staged, mine\n"
    assert "staged.txt" not in git(remote, "ls-tree", "-r", "--name-only", "main")


def test_a_permanently_refused_push_raises_and_keeps_the_local_commit(repo: Path, remote: Path) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'pushes are closed' >&2\nexit 1\n")
    hook.chmod(0o755)
    remote_head = git(remote, "rev-parse", "main")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    with pytest.raises(PublishError, match=r"failed: .*pre-receive hook declined\); not retried.*is kept") as raised:
        publish(output_dir, written, "digest kept", push=True, settings=fast())

    assert raised.value.exit_code == 1
    assert git(repo, "log", "-1", "--format=%s") == "digest kept"
    assert git(remote, "rev-parse", "main") == remote_head


def test_a_push_with_nothing_new_delivers_a_commit_kept_by_an_earlier_failure(repo: Path, remote: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")
    kept = publish(output_dir, written, "digest", push=False, settings=fast()).commit

    result = publish(output_dir, written, "digest", push=True, settings=fast())

    assert result.commit is None and result.pushed
    assert git(remote, "rev-parse", "main") == kept


def test_credentials_in_the_remote_url_never_reach_the_error(repo: Path) -> None:
    git(repo, "remote", "set-url", "origin", "http://digest-bot:s3cret-token@127.0.0.1:9/digests.git")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    with pytest.raises(PublishError, match=r"^git push to ") as raised:
        publish(output_dir, written, "digest", push=True, settings=fast(push_retries=0))

    assert "s3cret-token" not in str(raised.value)


def test_the_settings_name_the_author(repo: Path) -> None:
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")
    settings = fast(git_author_name="Digest Bot", git_author_email="bot@lab.example")

    publish(output_dir, written, "digest", push=False, settings=settings)

    assert git(repo, "log", "-1", "--format=%an <%ae> / %cn <%ce>") == (
        "Digest Bot <bot@lab.example> / Digest Bot <bot@lab.example>"
    )


def test_git_without_any_identity_commits_as_arxiv_digest(repo: Path) -> None:
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    git(repo, "config", "user.useConfigOnly", "true")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")

    publish(output_dir, written, "digest", push=False, settings=fast())

    assert git(repo, "log", "-1", "--format=%an <%ae>") == f"{FALLBACK_NAME} <{FALLBACK_EMAIL}>"


def test_commit_message_for_one_date_names_topics_and_counts() -> None:
    message = commit_message({date(2025, 10, 4): {"MLLM": 48, "LLM": 120}})

    assert message == "digest 2025-10-04: MLLM 48, LLM 120"


def test_commit_message_for_several_dates_has_a_range_subject_and_a_line_per_date() -> None:
    message = commit_message(
        {
            date(2025, 10, 4): {"MLLM": 48},
            date(2025, 10, 1): {"MLLM": 40},
            date(2025, 10, 2): {"MLLM": 0},
        }
    )

    assert message == (
        "digest 2025-10-01..2025-10-04: 3 dates\n\n2025-10-01: MLLM 40\n2025-10-02: MLLM 0\n2025-10-04: MLLM 48"
    )


def test_redact_hides_user_information_in_urls() -> None:
    text = "fatal: unable to access 'https://x-access-token:ghs_abc@github.com/lab/digests.git/'"

    assert redact(text) == "fatal: unable to access 'https://***@github.com/lab/digests.git/'"


def test_a_rebase_conflict_is_aborted_and_keeps_the_commit_and_local_changes(
    repo: Path, remote: Path, tmp_path: Path
) -> None:
    colleague = clone(remote, tmp_path / "colleague", "Colleague")
    write_digest(colleague / "output", "MLLM", "2025-10-04", "# MLLM, the colleague's\n")
    git(colleague, "add", "output")
    git(colleague, "commit", "--quiet", "-m", "colleague")
    git(colleague, "push", "--quiet", "origin", "main")
    (repo / "notes.txt").write_text("uncommitted, mine\n")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM, ours\n")

    with pytest.raises(PublishError, match="git pull --rebase from origin main failed") as raised:
        publish(output_dir, written, "digest ours", push=True, settings=fast())

    assert git(repo, "log", "-1", "--format=%s") == "digest ours"
    assert str(raised.value).endswith("; the rebase was undone and the local commit is kept")
    assert not (repo / ".git" / "rebase-merge").exists()
    assert (repo / "notes.txt").read_text() == "uncommitted, mine\n"


def test_a_push_to_a_missing_remote_fails_at_once_with_gits_own_words(repo: Path) -> None:
    git(repo, "remote", "remove", "origin")
    output_dir = repo / "output"
    written = write_digest(output_dir, "MLLM", "2025-10-04", "# MLLM\n")
    runner = CountingRunner()

    with pytest.raises(PublishError, match=r"^git push to origin ") as raised:
        publish(output_dir, written, "digest", push=True, settings=fast(), runner=runner)

    assert "fatal: 'origin' does not appear to be a git repository" in str(raised.value)
    assert "not retried, since a rebase cannot fix that" in str(raised.value)
    assert runner.count("push") == 1
    assert runner.count("pull") == 0


class CountingRunner:
    """subprocess.run, counting the git sub-commands it runs."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(command)
        return subprocess.run(command, **kwargs)

    def count(self, name: str) -> int:
        return sum(1 for command in self.commands if name in command[3:])


# A stale index.lock: what a git killed mid-command leaves


def old_index_lock(repo: Path, seconds: float) -> Path:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    past = time.time() - seconds
    os.utime(lock, (past, past))
    return lock


def test_an_index_lock_older_than_a_minute_that_no_git_holds_is_removed_with_a_warning(
    repo: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lock = old_index_lock(repo, 120)
    written = write_digest(repo / "output", "MLLM", "2025-10-04", "# MLLM\n")

    result = publish(repo / "output", written, "digest", push=False, settings=fast())

    assert result.commit == git(repo, "rev-parse", "HEAD")
    assert not lock.exists()
    assert f"removed {lock}, left by a git process that crashed" in caplog.text


def test_a_fresh_index_lock_is_kept_and_the_error_names_the_file_to_remove(repo: Path) -> None:
    lock = old_index_lock(repo, 5)
    written = write_digest(repo / "output", "MLLM", "2025-10-04", "# MLLM\n")

    with pytest.raises(PublishError) as raised:
        publish(repo / "output", written, "digest", push=False, settings=fast())

    assert str(raised.value).startswith(f"git's lock {lock} exists (it is only 5 s old); ")
    assert str(raised.value).endswith(f"remove {lock} and run again")
    assert lock.exists()


def test_an_old_index_lock_is_kept_while_a_git_process_runs_in_the_repository(repo: Path) -> None:
    lock = old_index_lock(repo, 120)
    written = write_digest(repo / "output", "MLLM", "2025-10-04", "# MLLM\n")
    running = subprocess.Popen(["git", "hash-object", "--stdin"], cwd=repo, stdin=subprocess.PIPE)
    try:
        with pytest.raises(PublishError, match=r"\(a git process is running in the repository\)"):
            publish(repo / "output", written, "digest", push=False, settings=fast())
    finally:
        running.communicate(b"")
    assert lock.exists()


@pytest.mark.parametrize(("age", "held", "stale"), [(61, False, True), (59, False, False), (3600, True, False)])
def test_an_index_lock_is_stale_only_when_no_git_holds_it_and_it_is_over_a_minute_old(
    age: float, held: bool, stale: bool
) -> None:
    assert index_lock_is_stale(age, held) is stale


def test_git_s_own_hint_is_kept_when_it_finds_the_index_locked() -> None:
    stderr = (
        "fatal: Unable to create '/r/.git/index.lock': File exists.\n\nAnother git process seems to be running in "
        "this repository.\nmay have crashed in this repository earlier:\nremove the file manually to continue.\n"
    )
    done = subprocess.CompletedProcess(["git"], 128, "", stderr)
    assert _git_reason(done) == (
        "fatal: Unable to create '/r/.git/index.lock': File exists. remove the file manually to continue."
    )
