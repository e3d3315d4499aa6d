"""The source's published digests, reproduced byte for byte from their candidates (12 days, every topic)."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.core.config_file import load_config
from tests.support.golden import DAYS, expected_digest, golden_config_path, golden_date

CASES = [(day, topic) for day in DAYS for topic in load_config(golden_config_path(day), {}).topic]


def test_the_fixtures_hold_twelve_days_and_every_topic() -> None:
    assert len(DAYS) == 12
    assert len(CASES) == 96


@pytest.fixture
def rendered(golden_archive: Path) -> Path:
    """`digest render` run once per golden day, as a user would (the archive the feed and site tests read)."""
    return golden_archive


@pytest.mark.parametrize(("day", "topic"), CASES)
def test_rendered_digest_equals_the_published_one(rendered: Path, day: str, topic: str) -> None:
    expected = expected_digest(day, topic)
    written = (rendered / topic / f"{day}.md").read_text(encoding="utf-8")
    if expected is None:
        # The source published nothing for a topic that kept no paper; we publish the zero.
        assert "badge/Papers-0-2688EB" in written
        assert written.endswith("## 📚 Paper List\n\n")
    else:
        assert written == expected


def test_a_topic_the_source_skipped_kept_no_paper() -> None:
    missing = [(day, topic) for day, topic in CASES if expected_digest(day, topic) is None]
    assert missing == [("2025-04-15", "Embodied_AI")]


def test_the_overview_lists_each_topics_latest_digest(rendered: Path) -> None:
    overview = (rendered / "README.md").read_text(encoding="utf-8")
    latest = golden_date(DAYS[-1]).isoformat()
    assert f"| [MLLM](MLLM/{latest}.md) | {latest} |" in overview
