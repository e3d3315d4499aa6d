"""The golden fixture days as paper records and expected digests (see tests/fixtures/golden/README.md)."""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path

from digest.core.models import Paper
from digest.outputs.render import neutralise, title_text

GOLDEN = Path(__file__).parent.parent / "fixtures" / "golden"
DAYS = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
SEVENTH_AUTHOR = "Seventh Author"


def golden_config_path(day: str) -> Path:
    return GOLDEN / day / "config.yml"


def golden_papers(day: str) -> list[Paper]:
    """The day's candidates as records: authors split, a stand-in seventh author behind `et al.`."""
    return list(_golden_papers(day))


@functools.cache
def _golden_papers(day: str) -> tuple[Paper, ...]:
    """Read and validated once per test process (a world, a store and a render each want them, 260 calls a
    run): `Paper` is frozen, and nothing changes its lists, so every caller can share the same records."""
    papers = []
    for line in (GOLDEN / day / "candidates.jsonl").read_text(encoding="utf-8").splitlines():
        candidate = json.loads(line)
        authors = candidate["authors"].split(", ")
        if authors[-1] == "et al.":
            authors[-1] = SEVENTH_AUTHOR
        papers.append(
            Paper(
                id=candidate["id"],
                title=candidate["title"],
                authors=authors,
                abstract=candidate["abstract"],
                categories=candidate["categories"] or [candidate["section"]],
            )
        )
    return tuple(papers)


def expected_digest(day: str, topic: str) -> str | None:
    """The published digest with our two deliberate changes: the `<` neutralisation, and the title's
    backticks and brackets escaped (`title_text`); None if none was published."""
    path = GOLDEN / day / "expected" / f"{topic}.md"
    if not path.exists():
        return None
    # Each line without its newline: `neutralise` would take it for a line break inside a printed text.
    lines = path.read_text(encoding="utf-8").split("\n")
    return "\n".join(_expected_line(line) for line in lines)


def _expected_line(line: str) -> str:
    if line.startswith(("  <details open>", "  </details>")):
        return line
    if line.startswith(_ENTRY):
        end = line.rindex(_LINK)
        return _ENTRY + title_text(line[len(_ENTRY) : end]) + neutralise(line[end:])
    return neutralise(line)


_ENTRY = "- **["
_LINK = "](https://arxiv.org/abs/"


def golden_date(day: str) -> date:
    return date.fromisoformat(day)


def digest_ids(text: str) -> set[str]:
    """The arXiv ids a digest lists."""
    return {
        line.split("(https://arxiv.org/abs/")[1].split(")")[0] for line in text.splitlines() if line.startswith("- **[")
    }


def published_ids(day: str) -> set[str]:
    """Every id any topic published that day."""
    return {
        paper_id
        for path in (GOLDEN / day / "expected").glob("*.md")
        for paper_id in digest_ids(expected_digest(day, path.stem) or "")
    }
