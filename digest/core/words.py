"""Counted nouns for every message: `1 batch`, `2 batches`, `1 date verified`: one rule, in one place."""

from __future__ import annotations

__all__ = ["plural"]


def plural(count: int, noun: str, many: str | None = None) -> str:
    """`count` and `noun`, the noun in the plural unless the count is one (`many` for an irregular plural)."""
    if count == 1:
        return f"{count:,} {noun}"
    if many is None:
        many = noun + "es" if noun.endswith(("s", "x", "ch", "sh")) else noun + "s"
    return f"{count:,} {many}"
