"""What the labelling tests share: a configured project whose labels go to a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.golden import golden_config_path


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """The golden configuration, copied so that its labels go to `tmp_path / "labels"`."""
    path = tmp_path / "config.yml"
    path.write_text(golden_config_path("2025-10-13").read_text(encoding="utf-8"), encoding="utf-8")
    return path
