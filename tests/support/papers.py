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
