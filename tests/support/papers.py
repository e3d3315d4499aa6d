"""The one paper factory for tests that need a record, not a golden day: a test names the fields it is about."""

from __future__ import annotations

from typing import Any

from digest.core.models import Paper


def paper(paper_id: str = "2510.00001", **fields: Any) -> Paper:
    """A valid record: plain defaults that no topic of a test keeps, `fields` for what the test is about."""
    record = {
        "id": paper_id,
        "version": 1,
        "title": "A paper",
        "authors": ["Ada Lovelace"],
        "abstract": "Text.",
        "categories": ["cs.CV"],
    }
    return Paper.model_validate(record | fields)


def listed(paper_id: str, words: str = "vision", **fields: Any) -> Paper:
    """A paper that a topic looking for `words` keeps, titled after its id so that each entry of an archive's
    feeds and pages can be told apart."""
    return paper(paper_id, title=f"A {words} paper {paper_id}", abstract=f"About {words}.", **fields)
