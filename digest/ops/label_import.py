"""`digest label --import`: a labels file (the site's "Export labels" download) merged into a topic's.

The same validation as every read (`labels.load_labels`), the same lock and atomic rewrite
(`labels.update_labels`). An id the two files label differently is refused naming both lines: which
one is right is the reader's call, not the merge's.
"""

from __future__ import annotations

from pathlib import Path

from digest.core.errors import InputError
from digest.ops.labels import Label, LabelChanges, LabelFile, load_labels, update_labels

__all__ = ["import_labels"]


def import_labels(path: Path, source: Path, *, timeout: float) -> LabelChanges:
    """Merge the labels file `source` (the site's "Export labels", or any labels file) into `path`, with the
    same validation as every read, under the same lock. An id the two label differently is an InputError
    naming both lines, and nothing changes: which one is right is the reader's call."""
    imported = load_labels(source)
    return update_labels(
        path,
        imported.labels,
        (),
        timeout=timeout,
        check=lambda existing: _refuse_conflicts(path, existing, (source, imported)),
    )


def _refuse_conflicts(path: Path, existing: LabelFile, imported: tuple[Path, LabelFile]) -> None:
    source, labels = imported
    conflicts = [
        f"{paper_id} is {_verdict(label)} on line {labels.lines[paper_id]} of {source} and "
        f"{_verdict(existing.labels[paper_id])} on line {existing.lines[paper_id]} of {path}"
        for paper_id, label in sorted(labels.labels.items())
        if paper_id in existing.labels and existing.labels[paper_id].relevant != label.relevant
    ]
    if conflicts:
        raise InputError(
            "; ".join(conflicts) + ": relabel with `digest label --yes/--no` or edit one file, then import again; "
            "nothing changed"
        )


def _verdict(label: Label) -> str:
    return "relevant" if label.relevant else "not relevant"
