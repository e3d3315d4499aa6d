"""The collector spared what a long command has finished building, and given it back at the end."""

from __future__ import annotations

import gc
import weakref

from digest.core.collector import collector_spared


def test_what_is_set_apart_is_skipped_by_the_collector_until_the_block_ends() -> None:
    kept = [[] for _ in range(100)]
    with collector_spared() as set_apart:
        set_apart()
        assert gc.get_freeze_count() >= len(kept)
    assert gc.get_freeze_count() == 0


def test_a_cycle_set_apart_is_collected_once_the_block_ends() -> None:
    class Node:
        itself: Node

    with collector_spared() as set_apart:
        node = Node()
        node.itself = node
        alive = weakref.ref(node)
        set_apart()
        del node
        gc.collect()
        assert alive() is not None
    gc.collect()
    assert alive() is None
