"""arXiv's category taxonomy, shipped as package data: which codes exist, and the closest to a mistyped one.

A misspelled code is worse than a crash: `cs.LC` for `cs.CL` is a valid-looking code that no paper carries,
so every digest quietly shrinks. The configuration is checked against `digest/data/categories.tsv`.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

from rapidfuzz.distance import OSA

__all__ = ["Category", "category_problem", "load_taxonomy"]

_MOST_SUGGESTIONS = 2
_TAXONOMY_PAGE = "https://arxiv.org/category_taxonomy"


@dataclass(frozen=True)
class Category:
    """One code of the taxonomy: its name, the code it is an alias of, or the code that replaced it."""

    code: str
    name: str
    alias_of: str | None = None
    now: str | None = None


@functools.cache
def load_taxonomy() -> dict[str, Category]:
    """Every code arXiv knows, current and closed, by code."""
    text = resources.files("digest.core").joinpath("data", "categories.tsv").read_text(encoding="utf-8")
    categories = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        code, name, *note = line.split("\t")
        relation, _, other = (note[0] if note else "").rpartition(" ")
        categories[code] = Category(
            code, name, alias_of=other if relation == "alias of" else None, now=other if relation == "now" else None
        )
    return categories


def category_problem(code: str) -> str | None:
    """Why `code` cannot be subscribed, with the closest codes arXiv has; None when arXiv lists papers under it."""
    taxonomy = load_taxonomy()
    found = taxonomy.get(code)
    if found is not None and found.now is None:
        return None
    if found is not None:
        return f"category {code!r} is an arXiv archive closed long ago; arXiv lists its papers as {found.now}"
    current = [category for category in taxonomy.values() if category.now is None]
    archive = [category.code for category in current if category.code.startswith(f"{code}.")]
    if archive:
        return f"{code!r} is an arXiv archive, not a category; name its categories ({', '.join(archive[:3])}, …)"
    suggestions = _closest_codes(code, current) or _codes_named(code, current)
    if not suggestions:
        return f"category {code!r} is not an arXiv category; see {_TAXONOMY_PAGE}"
    return f"category {code!r} is not an arXiv category; did you mean {' or '.join(suggestions)}?"


def _closest_codes(code: str, categories: list[Category]) -> list[str]:
    """The codes one typo away (case aside): swapped letters first, then those sharing the longest start."""
    typed = code.lower()
    ranked = []
    for category in categories:
        candidate = category.code.lower()
        distance = OSA.distance(typed, candidate)
        if distance <= 1:
            swapped = sorted(typed) == sorted(candidate)
            ranked.append((distance, not swapped, -_common_start(typed, candidate), category.code))
    ranked.sort()
    if ranked and ranked[0][0] == 0:
        return [ranked[0][-1]]  # only the case differs: that is the one
    return [code for *_, code in ranked[:_MOST_SUGGESTIONS]]


def _codes_named(text: str, categories: list[Category]) -> list[str]:
    """The codes whose name holds every word of `text`: `computer-vision` -> cs.CV."""
    words = [word for word in re.split(r"[\s._-]+", text.lower()) if word]
    named = [category.code for category in categories if words and all(w in category.name.lower() for w in words)]
    return named[:_MOST_SUGGESTIONS]


def _common_start(first: str, second: str) -> int:
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length
