"""The garbage collector kept off what a long command has finished building.

A backfill keeps every written date's results until its feeds are made: hundreds of thousands of objects
that no cycle will ever free, yet each full collection of Python's collector walks them all again, and a
re-render of all of arXiv triggers dozens of those (8 of its 70 seconds of CPU). Setting them apart once a
date is done (`gc.freeze`) leaves the collector only the objects of the date at hand.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["collector_spared"]


@contextmanager
def collector_spared() -> Iterator[Callable[[], None]]:
    """A block in which the function it gives sets every object alive at that moment apart from the
    collector's passes; once the block ends they are all collected as usual again, so that nothing set
    apart that later became a cycle's garbage stays allocated."""
    try:
        yield gc.freeze
    finally:
        gc.unfreeze()
