"""The deployment recipes: the cron line, the systemd units, the container and the Actions workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from digest.config import Settings

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SYSTEMD = ROOT / "deploy" / "systemd"


def test_the_readmes_cron_line_runs_the_venvs_digest_by_its_absolute_path() -> None:
    (line,) = [line.strip() for line in README.splitlines() if line.strip().startswith("30 6 * * *")]
    command = line.split("&&")[1].split()[0]
    assert command.startswith("/") and command.endswith("/.venv/bin/digest")


def test_the_timer_runs_at_the_default_schedule_and_catches_up_after_downtime() -> None:
    timer = (SYSTEMD / "arxiv-digest.timer").read_text()
    minute, hour = Settings().schedule.split()[:2]
    assert f"OnCalendar=*-*-* {int(hour):02d}:{int(minute):02d}:00 UTC\n" in timer
    assert "Persistent=true\n" in timer


def test_the_service_runs_the_venvs_digest_with_the_config_named() -> None:
    service = (SYSTEMD / "arxiv-digest.service").read_text()
    (exec_start,) = re.findall(r"^ExecStart=(\S+)", service, re.MULTILINE)
    assert exec_start.startswith("/") and exec_start.endswith("/.venv/bin/digest")
    assert re.search(r"^Environment=DIGEST_CONFIG=/\S+/config/digest\.yaml$", service, re.MULTILINE)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    digest = Path(sys.executable).parent / "digest"
    for unit in SYSTEMD.iterdir():
        text = unit.read_text().replace("/srv/digests/.venv/bin/digest", str(digest))
        (tmp_path / unit.name).write_text(text.replace("/srv/digests", str(tmp_path)))
    units = [str(tmp_path / unit.name) for unit in SYSTEMD.iterdir()]
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stderr) == (0, "")


WORKFLOW_TEXT = (ROOT / "docs" / "github-actions.yml").read_text(encoding="utf-8")
WORKFLOW = yaml.safe_load(WORKFLOW_TEXT)
(JOB,) = WORKFLOW["jobs"].values()
STEPS = {step.get("name", step.get("uses", "")): step for step in JOB["steps"]}


def test_every_action_is_pinned_to_a_commit_with_its_version_in_a_comment() -> None:
    uses = re.findall(r"uses: (\S+)(.*)", WORKFLOW_TEXT)
    assert uses
    for action, comment in uses:
        assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", action), action
        assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", comment), comment


def test_the_store_is_restored_and_saved_even_after_a_failed_run() -> None:
    restore = STEPS["Restore the store"]
    save = STEPS["Save the store, also after a failed run"]
    assert restore["uses"].startswith("actions/cache/restore@")
    assert save["uses"].startswith("actions/cache/save@")
    assert save["if"] == "always()"
    assert save["with"]["key"] == restore["with"]["key"]


def test_only_the_job_may_write_and_runs_never_overlap() -> None:
    assert WORKFLOW["permissions"] == {}
    assert JOB["permissions"] == {"contents": "write"}
    assert "# " in WORKFLOW_TEXT.split("contents: write", 1)[1].splitlines()[0]
    assert JOB["name"]
    assert WORKFLOW["concurrency"]["cancel-in-progress"] is False


def test_notify_targets_come_from_a_secret_and_the_counts_go_to_the_job_summary() -> None:
    assert JOB["env"]["DIGEST_NOTIFY"] == "${{ secrets.DIGEST_NOTIFY }}"
    run = next(step for step in JOB["steps"] if "digest run" in step.get("run", ""))
    assert '| tee -a "$GITHUB_STEP_SUMMARY"' in run["run"]
    assert run["shell"] == "bash"  # bash -eo pipefail: the step fails when the run does
