"""The deployment recipes: the cron line, the systemd units, the container and the Actions workflow."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

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
