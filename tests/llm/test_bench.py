"""The summarising benchmark's harness at a tiny size: it makes every summary against the stub in its own
process and reports this process's CPU. The figure itself is printed by `python bench/run.py`, never asserted."""

from __future__ import annotations

from bench.summaries import summarising_cpu


def test_the_summarising_benchmark_makes_every_summary_and_reports_its_cpu() -> None:
    assert summarising_cpu(3) > 0
