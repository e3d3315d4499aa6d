"""The papers a local arXiv server serves: built from the golden days, or synthesised for benchmarks."""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from digest.core.calendar import ARXIV_TIMEZONE, announcement_in_force, load_holidays, mailing_date
from tests.support.golden import golden_papers

SUBSCRIBED = ["cs.AI", "cs.CL", "cs.CV", "cs.LG", "cs.MA", "cs.RO"]
REPLACED_SHARE = 0.2


@dataclass
class ServedPaper:
    """A paper as arXiv holds it: every version's submission time, and its current metadata."""

    id: str
    versions: list[datetime]
    title: str
    authors: list[str]
    abstract: str
    categories: list[str]
    comment: str | None = None

    @property
    def datestamp(self) -> date:
        """OAI-PMH datestamp: the day after the latest version was submitted (when it was announced)."""
        return (self.versions[-1] + timedelta(days=1)).date()


@dataclass
class World:
    """Everything the server knows: papers, and what each RSS mailing listed (id, announce type)."""

    papers: dict[str, ServedPaper] = field(default_factory=dict)
    mailings: dict[date, list[tuple[str, str]]] = field(default_factory=dict)
    replacements: set[str] = field(default_factory=set)
    decoys: set[str] = field(default_factory=set)

    def add(self, paper: ServedPaper, mailing: date, announce_type: str) -> None:
        self.papers[paper.id] = paper
        self.mailings.setdefault(mailing, []).append((paper.id, announce_type))


def add_filler(world: World, announcement: date) -> None:
    """One submission in the announcement's window, in the harvested `cs` set but no subscribed category.

    A window without a single record is a harvest that came back short, never an empty day: a test world
    whose topics keep nothing on some date still has arXiv's other submissions on it.
    """
    paper_id = f"{announcement:%y%m}.9{announcement:%d}"
    paper = ServedPaper(paper_id, [submission_time(announcement)], "A filler", ["Ada"], "Text.", ["cs.DM"])
    world.add(paper, announcement + timedelta(days=1), "new")


def submission_time(announcement: date) -> datetime:
    """10:00 New York on the announcement's cutoff day: inside its window whatever the season."""
    cutoff_day = announcement - timedelta(days=2) if announcement.weekday() == 6 else announcement
    return datetime.combine(cutoff_day, time(10), ARXIV_TIMEZONE).astimezone(UTC)


def replaced_ids(ids: Iterable[str]) -> set[str]:
    """A deterministic fifth of a batch, the lowest ids (older submissions), stands for its replacements."""
    ordered = sorted(ids)
    return set(ordered[: int(len(ordered) * REPLACED_SHARE)])


def golden_world(days: Iterable[str]) -> World:
    """The golden days' candidates, each placed in its announcement's window, plus two decoys a day.

    Decoys mention "Vision Language Model" but must be dropped by the category rule: a `cross` item whose
    primary is outside the subscribed set, and a new paper cross-listed outside it.
    """
    world = World()
    holidays = load_holidays()
    for day in sorted(days):
        announcement = announcement_in_force(date.fromisoformat(day), holidays)
        mailing = mailing_date(announcement)
        if mailing in world.mailings:
            continue
        submitted = submission_time(announcement)
        papers = golden_papers(day)
        replaced = replaced_ids(paper.id for paper in papers)
        for paper in papers:
            earlier = world.papers.get(paper.id)
            replacing = paper.id in replaced or earlier is not None
            if earlier is not None:
                versions = [*earlier.versions, submitted]
            else:
                versions = [submitted - timedelta(days=40), submitted] if replacing else [submitted]
            served = ServedPaper(paper.id, versions, paper.title, paper.authors, paper.abstract, paper.categories)
            world.add(served, mailing, "replace" if replacing else "new")
            if replacing:
                world.replacements.add(paper.id)
        prefix = f"{announcement:%y%m}.99"
        for number, categories, announce_type in (
            (1, ["stat.ML", "cs.LG"], "cross"),
            (2, ["cs.CV", "eess.IV"], "new"),
        ):
            decoy = ServedPaper(
                f"{prefix}{number:03d}",
                [submitted],
                f"A decoy about a Vision Language Model ({categories[0]})",
                ["Dee Coy"],
                "We train a Vision Language Model that no subscribed digest may list.",
                categories,
            )
            world.add(decoy, mailing, announce_type)
            world.decoys.add(decoy.id)
    return world


_WORDS = [
    "model",
    "learning",
    "data",
    "training",
    "language",
    "vision",
    "robot",
    "agent",
    "graph",
    "method",
    "results",
    "performance",
    "network",
    "task",
    "large",
    "multimodal",
    "policy",
    "control",
    "inference",
    "evaluation",
    "dataset",
    "representation",
    "generation",
    "alignment",
    "optimization",
    "transformer",
    "attention",
    "retrieval",
    "planning",
    "perception",
]
_KEYWORDS = ["Vision Language Model", "MLLM", "LLM", "Diffusion", "Benchmark", "Reasoning", "VLA", "Gaussian"]


def synthetic_world(
    first_announcement: date,
    announcements: int,
    *,
    per_day: int = 1500,
    seed: int = 0,
    outside_share: float = 0.7,
    categories: Sequence[str] = SUBSCRIBED,
    terms: Sequence[str] = (),
) -> World:
    """`announcements` consecutive announcements of `per_day` papers over `categories` (the six by default).

    Abstracts are about 1,200 characters of filler words that no topic looks for, plus up to two topic
    keywords (and, with `terms`, up to two of those); a fifth of each batch are replacements (v1 weeks
    before); `outside_share` is cross-listed outside the subscribed set. Deterministic for a seed. The
    defaults match the golden days: about 450 papers of a batch pass the category rule, and the eight
    topics list about 1.05 entries per such paper (the golden days: 320 to 680, and 0.95 to 1.34).
    """
    rng = random.Random(seed)
    world = World()
    holidays = load_holidays()
    day = first_announcement
    serial = 0
    width = 5 if per_day * announcements < 100_000 else 6
    for _ in range(announcements):
        while announcement_in_force(day, holidays) != day:
            day += timedelta(days=1)
        submitted = submission_time(day)
        for _ in range(per_day):
            serial += 1
            primary = rng.choice(categories)
            others = rng.sample([c for c in categories if c != primary], rng.randint(0, 2))
            if rng.random() < outside_share:
                others.append(rng.choice(["eess.IV", "stat.ML", "math.OC"]))
            replacing = rng.random() < REPLACED_SHARE
            words = rng.choices(_WORDS, k=170)
            keywords = rng.sample(_KEYWORDS, rng.randint(0, 2))
            if terms:
                keywords += rng.sample(terms, rng.randint(0, 2))
            for keyword in keywords:
                words.insert(rng.randrange(len(words)), keyword)
            paper = ServedPaper(
                id=f"{day:%y%m}.{serial:0{width}d}",
                versions=[submitted - timedelta(days=30), submitted] if replacing else [submitted],
                title=" ".join(rng.choices(_WORDS, k=9)).capitalize(),
                authors=[f"Author {serial}-{n}" for n in range(rng.randint(1, 9))],
                abstract=" ".join(words).capitalize() + ".",
                categories=[primary, *sorted(set(others) - {primary})],
            )
            world.add(paper, mailing_date(day), "replace" if replacing else "new")
            if replacing:
                world.replacements.add(paper.id)
        day += timedelta(days=1)
    return world
