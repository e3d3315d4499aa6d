"""Publishing: commit the files a run wrote, and push them, with git as a subprocess.

git is always called with an argument list, never through a shell. Only the paths the run wrote are staged and
committed (`git commit -- <paths>`), so whatever else sits in the index or the working tree never rides along.
A rejected push is followed by `git pull --rebase --autostash` and another try, a bounded number of times;
unrelated local changes are stashed around the rebase and come back untouched. When every try fails the local
commit stays where it is, and the next run's push delivers it. Messages never show credentials: every URL is
redacted (`digest.core.redact`) before it reaches a log line or an error.
"""

from __future__ import annotations

import logging
import os
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from digest.core.config import Settings
from digest.core.errors import PublishError
from digest.core.redact import redact
from digest.outputs.git_lock import clear_index_lock
from digest.outputs.site import site_dir_of

__all__ = [
    "FALLBACK_EMAIL",
    "FALLBACK_NAME",
    "PublishResult",
    "Runner",
    "commit_message",
    "publish",
]

log = logging.getLogger(__name__)

FALLBACK_NAME = "arxiv-digest"
FALLBACK_EMAIL = "arxiv-digest@localhost"
"""The identity used when neither the settings nor git know who commits (a fresh container)."""

Runner = Callable[..., "subprocess.CompletedProcess[str]"]
"""`subprocess.run`, or a stand-in with the same signature."""


@dataclass(frozen=True)
class PublishResult:
    """What publishing did: the new commit (None when nothing changed) and whether the branch was pushed."""

    commit: str | None
    pushed: bool = False

    def summary(self) -> str:
        """One line for logs: `committed 1a2b3c4d5e6f, pushed` or `nothing to commit`."""
        done = f"committed {self.commit[:12]}" if self.commit else "nothing to commit"
        return f"{done}, pushed" if self.pushed else done


def commit_message(counts_by_date: Mapping[date, Mapping[str, int]]) -> str:
    """The commit message naming the dates, topics and counts. Pure.

    One date: `digest 2025-10-04: MLLM 48, LLM 120`. Several: a subject with the range and the number of
    dates, then one body line per date in the one-date form.
    """
    if not counts_by_date:
        raise ValueError("a commit message needs at least one date")
    lines = [_date_line(day, counts_by_date[day]) for day in sorted(counts_by_date)]
    if len(lines) == 1:
        return f"digest {lines[0]}"
    first, last = min(counts_by_date), max(counts_by_date)
    subject = f"digest {first.isoformat()}..{last.isoformat()}: {len(lines)} dates"
    return "\n".join([subject, "", *lines])


def _date_line(day: date, counts: Mapping[str, int]) -> str:
    topics = ", ".join(f"{topic} {count}" for topic, count in counts.items()) or "no topics"
    return f"{day.isoformat()}: {topics}"


def publish(
    output_dir: Path,
    written: Sequence[Path],
    message: str,
    *,
    push: bool,
    settings: Settings,
    runner: Runner = subprocess.run,
) -> PublishResult:
    """Commit `written` (files under `output_dir`) and, with `settings.site`, the site folder (when it is inside
    the repository) with `message`; with `push`, push the branch too.

    Nothing changed means no commit. With `push` the branch is pushed even then, so a commit kept by an
    earlier failed push is delivered now. Raises PublishError when git refuses; a failed push keeps the commit.
    """
    git = _Git.find(output_dir, settings, runner)
    site_dir = site_dir_of(settings.site_dir, output_dir) if settings.site else None
    paths = _paths_in_repo(git.toplevel, output_dir, written) + _site_path(git.toplevel, site_dir)
    commit = _commit(git, paths, message) if paths else None
    if not push:
        return PublishResult(commit)
    _push(git, settings)
    return PublishResult(commit, pushed=True)


@dataclass(frozen=True)
class _Git:
    """git run in one repository with one identity; every call's output is captured, never shown raw."""

    toplevel: Path
    identity: tuple[str, ...]
    runner: Runner

    @classmethod
    def find(cls, output_dir: Path, settings: Settings, runner: Runner) -> _Git:
        if not output_dir.is_dir():
            raise PublishError(f"cannot publish: {output_dir} is not a directory")
        probe = cls(output_dir, (), runner)
        found = probe.run("rev-parse", "--show-toplevel", check=False)
        if found.returncode != 0:
            raise PublishError(f"cannot publish: {output_dir} is not inside a git repository")
        located = cls(Path(found.stdout.strip()), (), runner)
        return cls(located.toplevel, located.identity_options(settings), runner)

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = ["git", "-C", str(self.toplevel), "--literal-pathspecs", *self.identity, *args]
        environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        try:
            done = self.runner(command, capture_output=True, text=True, check=False, env=environment)
        except OSError as err:
            raise PublishError(f"cannot run git: {err.strerror or err}") from err
        if check and done.returncode != 0:
            raise PublishError(f"git {args[0]} failed: {_git_reason(done)}")
        return done

    def succeeds(self, *args: str) -> bool:
        return self.run(*args, check=False).returncode == 0

    def config_value(self, key: str) -> str | None:
        found = self.run("config", "--get", key, check=False)
        return found.stdout.strip() or None if found.returncode == 0 else None

    def identity_options(self, settings: Settings) -> tuple[str, ...]:
        """`-c user.name=… -c user.email=…` from the settings; git's own identity when it has one; else ours."""
        name, email = settings.git_author_name, settings.git_author_email
        knows_identity = self.succeeds("var", "GIT_AUTHOR_IDENT") and self.succeeds("var", "GIT_COMMITTER_IDENT")
        if not knows_identity:
            name = name or self.config_value("user.name") or FALLBACK_NAME
            email = email or self.config_value("user.email") or FALLBACK_EMAIL
        options: list[str] = []
        if name:
            options += ["-c", f"user.name={name}"]
        if email:
            options += ["-c", f"user.email={email}"]
        return tuple(options)


def _paths_in_repo(toplevel: Path, output_dir: Path, written: Sequence[Path]) -> list[str]:
    """The written files as repository-relative paths; refuse any that lies outside the output directory."""
    root = output_dir.resolve()
    paths = []
    for path in written:
        resolved = path.resolve()
        if not resolved.is_relative_to(root):
            raise PublishError(f"refusing to commit {path}: it is not under the output directory {output_dir}")
        paths.append(resolved.relative_to(toplevel.resolve()).as_posix())
    return sorted(set(paths))


def _site_path(toplevel: Path, site_dir: Path | None) -> list[str]:
    """The site folder as one path, so its new, changed and removed files all go in; none when it is outside
    the repository (deployed its own way) or is the repository itself (that would commit everything)."""
    if site_dir is None or not site_dir.is_dir():
        return []
    root, folder = toplevel.resolve(), site_dir.resolve()
    if folder == root or not folder.is_relative_to(root):
        return []
    return [folder.relative_to(root).as_posix()]


def _commit(git: _Git, paths: list[str], message: str) -> str | None:
    """Stage and commit exactly `paths`; None when they hold no change."""
    found = git.run("rev-parse", "--git-path", "index.lock")
    clear_index_lock(git.toplevel / found.stdout.strip(), git.toplevel)
    git.run("add", "--", *paths)
    if git.succeeds("diff", "--cached", "--quiet", "--", *paths):
        log.info("nothing to commit: the digests are unchanged")
        return None
    git.run("commit", "--quiet", "-m", message, "--", *paths)
    commit = git.run("rev-parse", "HEAD").stdout.strip()
    log.info("committed %s: %s", commit[:12], message.splitlines()[0])
    return commit


def _push(git: _Git, settings: Settings) -> None:
    """Push, rebasing onto the remote after each rejection."""
    remote = settings.git_remote
    branch = settings.git_branch or _current_branch(git)
    where = redact(f"{remote} {branch}")
    attempts = settings.push_retries + 1
    for attempt in range(1, attempts + 1):
        pushed = git.run("push", remote, f"HEAD:refs/heads/{branch}", check=False)
        if pushed.returncode == 0:
            log.info("pushed to %s", where)
            return
        reason = _push_refusal(pushed)
        if not _rebase_can_fix(pushed):
            head = git.run("rev-parse", "--short=12", "HEAD").stdout.strip()
            raise PublishError(
                f"git push to {where} failed: {reason}; not retried, since a rebase cannot fix that; "
                f"the local commit {head} is kept"
            )
        if attempt == attempts:
            break
        log.warning("push to %s refused (%s); rebasing, try %d of %d", where, reason, attempt + 1, attempts)
        _rebase(git, remote, branch)
    head = git.run("rev-parse", "--short=12", "HEAD").stdout.strip()
    raise PublishError(f"git push to {where} failed after {attempts} tries: {reason}; the local commit {head} is kept")


def _rebase(git: _Git, remote: str, branch: str) -> None:
    """Replay our commits on the remote branch; unrelated local changes are stashed around it."""
    pulled = git.run("pull", "--rebase", "--autostash", "--quiet", remote, branch, check=False)
    if pulled.returncode == 0:
        return
    failure = f"git pull --rebase from {redact(remote)} {branch} failed: {_git_reason(pulled)}"
    if _rebasing(git):
        git.run("rebase", "--abort", check=False)
        failure += "; the rebase was undone and the local commit is kept"
    raise PublishError(failure)


def _rebasing(git: _Git) -> bool:
    for name in ("rebase-merge", "rebase-apply"):
        found = git.run("rev-parse", "--git-path", name, check=False)
        if found.returncode == 0 and (git.toplevel / found.stdout.strip()).exists():
            return True
    return False


def _current_branch(git: _Git) -> str:
    found = git.run("symbolic-ref", "--quiet", "--short", "HEAD", check=False)
    if found.returncode != 0:
        raise PublishError("cannot push: HEAD is not on a branch; set settings.git_branch")
    return found.stdout.strip()


def _push_refusal(done: subprocess.CompletedProcess[Any]) -> str:
    """git's reason for refusing a push (`[rejected] … (fetch first)`), else its `fatal:`/`error:` lines."""
    for line in (done.stderr or "").splitlines():
        if "rejected]" in line:
            return redact(" ".join(line.split()).lstrip("! "))
    return _git_reason(done)


def _rebase_can_fix(done: subprocess.CompletedProcess[Any]) -> bool:
    """Whether the remote refused the push for being behind (fetch first, non-fast-forward): what a rebase mends.

    Anything else (no such remote, authentication, permission, a protected branch) fails the same way again.
    """
    stderr = done.stderr or ""
    return "[rejected]" in stderr and ("fetch first" in stderr or "non-fast-forward" in stderr)


def _git_reason(done: subprocess.CompletedProcess[Any]) -> str:
    """What git said went wrong, redacted: its `fatal:` and `error:` lines, else its last non-empty line."""
    lines = [line.strip() for line in (done.stderr or "").splitlines() if line.strip()]
    meaningful = [line for line in lines if line.startswith(("fatal:", "error:"))]
    if meaningful and "index.lock" in meaningful[-1] and lines[-1] not in meaningful:
        meaningful.append(lines[-1])  # git's hint: "remove the file manually to continue."
    if meaningful:
        return redact(" ".join(meaningful))
    for stream in (done.stderr, done.stdout):
        lines = [line.strip() for line in (stream or "").splitlines() if line.strip()]
        if lines:
            return redact(lines[-1])
    return f"exit status {done.returncode}"
