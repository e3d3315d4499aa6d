"""Test conveniences built on the recipe: what a test needs in one call, never used by the program itself."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from click.testing import CliRunner

from digest.cli.main import main
from digest.core.calendar import announcement_in_force, load_holidays
from digest.core.config import Config, Keyword, Settings, Topic
from digest.core.models import Paper
from digest.core.plan import make_plan
from digest.outputs.archive import write_archive
from digest.outputs.reports import DayResult
from digest.recipe import run_for_date
from digest.selection.match import TopicMatcher
from digest.store.database import Store
from digest.store.papers import Member
from tests.support.golden import golden_config_path, golden_papers


def write_day(config: Config, day: date, papers: Iterable[Paper], topics: Mapping[str, Topic]) -> DayResult:
    """One date's digests and the index pages, with the store of `config` remembering what they listed."""
    plan = make_plan(config, list(topics))
    with Store.open(plan.store_path) as store:
        result = run_for_date(day, list(papers), plan, store, (announcement_in_force(day, plan.holidays), "records"))
        write_archive(plan, store)
    return result


def rebuild_indexes(output_dir: Path, topics: Iterable[str] = ("MLLM",)) -> None:
    """The index pages and feeds of the digests on disk, as every run ends them, `topics` configured."""
    settings = Settings(output_dir=output_dir, cache_dir=output_dir / ".cache")
    configured = {name: Topic(keywords=["x"]) for name in topics}
    plan = make_plan(Config(category={"cs.CV": "Computer Vision"}, topic=configured, settings=settings))
    with Store.open(plan.store_path) as store:
        write_archive(plan, store)


def save_records(papers: Iterable[Paper], path: Path) -> None:
    """Write records as JSON lines, one paper a line, in the order given: a `digest render` input."""
    lines = (json.dumps(paper.model_dump(mode="json"), ensure_ascii=False) + "\n" for paper in papers)
    path.write_text("".join(lines), encoding="utf-8")


def members(papers: Iterable[Paper]) -> list[Member]:
    """A batch's membership rows as the store keeps them."""
    return [(paper.id, paper.version, paper.announce_type or "new") for paper in papers]


def keyword_matches(text: str, keyword: Keyword) -> bool:
    """The source's matcher on one text: a case-insensitive plain substring; a list keyword needs every part."""
    matcher = TopicMatcher(Topic(keywords=[keyword]), "substring")
    paper = Paper(id="0000.00000", title=text, authors=[], abstract="", categories=["cs.AI"])
    return matcher.keyword(paper, text, text.lower()) is not None


def store_golden_days(store_path: Path, days: Iterable[str]) -> None:
    """The golden days' candidates as stored batches, as a run would have stored them."""
    with Store.open(store_path) as store:
        for day in days:
            papers = golden_papers(day)
            store.save_papers(papers)
            store.save_batch(announcement_in_force(date.fromisoformat(day), load_holidays()), "oai", members(papers))


def render_golden_day(output: Path, day: str, env: dict[str, str], records: Path | None = None) -> None:
    """`digest render` of a golden day (or of `records`, under 2025-10-13's configuration)."""
    config = golden_config_path(day if records is None else "2025-10-13")
    if records is None:
        records = output.parent / f"{day}.jsonl"
        save_records(golden_papers(day), records)
    args = ["render", "--input", str(records), "--date", day, "--config", str(config), "--allow-empty"]
    result = CliRunner().invoke(main, [*args, "--output", str(output), "--force"], env=env)
    assert result.exit_code == 0, result.output
