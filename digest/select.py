"""Selection: which papers of a batch a topic keeps, and in what order (DESIGN.md, "Selection rules").

Pure functions over `Paper` records; no I/O.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal

from digest.config import Keyword, Topic
from digest.models import Paper

__all__ = ["in_subscribed_categories", "keyword_matches", "order_papers", "select_topic", "topic_matches"]

CategoryRule = Literal["all", "primary", "any"]


def in_subscribed_categories(paper: Paper, subscribed: Collection[str], rule: CategoryRule = "all") -> bool:
    """The category rule: by default every category of the paper must be subscribed (the source's rule).

    `primary` keeps a paper whose primary category is subscribed; `any` keeps one with any subscribed category.
    """
    if rule == "primary":
        return paper.primary in subscribed
    if rule == "any":
        return any(category in subscribed for category in paper.categories)
    return all(category in subscribed for category in paper.categories)


def keyword_matches(text: str, keyword: Keyword) -> bool:
    """A case-insensitive plain substring test; a list keyword needs every part (the source's matcher)."""
    folded = text.lower()
    parts = keyword if isinstance(keyword, list) else [keyword]
    return all(part.lower() in folded for part in parts)


def topic_matches(paper: Paper, topic: Topic) -> bool:
    """Kept when any keyword matches title + abstract and no filter does."""
    text = f"{paper.title} {paper.abstract}"
    if not any(keyword_matches(text, keyword) for keyword in topic.keywords):
        return False
    return not any(keyword_matches(text, term) for term in topic.filters or [])


def order_papers(papers: Iterable[Paper]) -> list[Paper]:
    """The source's order: by the categories list (primary first), descending, then by arXiv id, descending."""
    return sorted(papers, key=lambda paper: (paper.categories, paper.id), reverse=True)


def select_topic(
    papers: Iterable[Paper], topic: Topic, subscribed: Collection[str], rule: CategoryRule = "all"
) -> list[Paper]:
    """The papers of a batch that `topic` keeps, in digest order."""
    return order_papers(
        paper for paper in papers if in_subscribed_categories(paper, subscribed, rule) and topic_matches(paper, topic)
    )
