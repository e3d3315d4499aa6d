"""The deployment recipes: the cron line, the systemd units, the container and the Actions workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from digest.core.config import Settings

ROOT = Path(__file__).parent.parent.parent
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


DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")
FINAL_STAGE = DOCKERFILE.rsplit("\nFROM ", 1)[1]


def test_the_image_gets_the_built_wheel_and_nothing_of_the_build() -> None:
    assert re.search(r"^FROM \S+ AS build$", DOCKERFILE, re.MULTILINE)
    assert "pip wheel" in DOCKERFILE.split("\nFROM ", 2)[1]
    assert "COPY digest" not in FINAL_STAGE and "COPY pyproject.toml" not in FINAL_STAGE
    assert "from=build" in FINAL_STAGE and "/wheels/*.whl" in FINAL_STAGE
    assert re.search(r"^USER 10001:10001$", FINAL_STAGE, re.MULTILINE)
    assert re.search(r'^HEALTHCHECK .*CMD \["digest", "-q", "status", "--check"\]$', FINAL_STAGE, re.MULTILINE)


def failing_run_seconds(settings: Settings) -> float:
    """How long one request takes to fail at `settings`: every try times out, with the backoff between."""
    backoff = sum(settings.retry_backoff * 2**attempt for attempt in range(settings.max_tries - 1))
    return settings.max_tries * settings.request_timeout + backoff


def test_compose_lets_a_failing_run_and_its_verification_end_before_the_container_is_killed() -> None:
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    grace = compose["services"]["digest"]["stop_grace_period"]
    minutes = int(grace.removesuffix("m"))
    assert minutes * 60 > 2 * failing_run_seconds(Settings())


def test_the_license_is_an_spdx_expression_the_build_requirement_understands() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert "setuptools>=77" in pyproject["build-system"]["requires"]
