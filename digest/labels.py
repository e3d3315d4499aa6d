"""Labels: which papers a topic's owner says are relevant, and how a topic scores against them.

A labels file is CSV, `id,label[,note]`, label `1` (relevant) or `0` (not), `#` comments, an optional
`id,label,note` header; by default `labels/<Topic>.csv` in the config's base folder (`settings.labels_dir`).
`digest label` rewrites it sorted by id, so the same labels are the same bytes. `Confusion` counts a
topic's verdicts against them. See README, "Is my topic any good?".
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from digest.errors import InputError, OutputError

__all__ = ["Confusion", "Label", "LabelFile", "labels_path", "load_labels", "normalise_id", "save_labels"]

_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}$")
_OLD_ID = re.compile(r"^[a-z-]+(\.[A-Z]{2})?/\d{7}$")
_VERSION = re.compile(r"v\d+$")
HEADER = ["id", "label", "note"]


@dataclass(frozen=True)
class Label:
    relevant: bool
    note: str = ""


@dataclass(frozen=True)
class LabelFile:
    """A labels file as read: its labels by id, and its comment lines (kept when it is rewritten)."""

    labels: dict[str, Label]
    comments: list[str]


def normalise_id(text: str) -> str | None:
    """An arXiv id without its version (`2510.01234`, `hep-th/9901001`), or None when `text` is not one."""
    paper_id = _VERSION.sub("", text.strip())
    return paper_id if _NEW_ID.match(paper_id) or _OLD_ID.match(paper_id) else None


def labels_path(labels_dir: Path, topic: str) -> Path:
    return labels_dir / f"{topic}.csv"


def load_labels(path: Path, *, missing_ok: bool = False) -> LabelFile:
    """Read a labels file; a bad id or label is an InputError naming the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return LabelFile({}, [])
        raise InputError(f"{path}: no such labels file; `digest label --topic T --yes ID` starts one") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read labels: {err.strerror or err}") from err
    labels: dict[str, Label] = {}
    comments = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("#"):
            comments.append(line)
            continue
        if not line.strip():
            continue
        row = next(csv.reader([line]))
        if [cell.strip().lower() for cell in row[:2]] == HEADER[:2]:
            continue
        if len(row) < 2:
            raise InputError(f"{path}: line {number}: expected `id,label[,note]`, got {line.strip()!r}")
        paper_id = normalise_id(row[0])
        if paper_id is None:
            raise InputError(f"{path}: line {number}: {row[0].strip()!r} is not an arXiv id (such as 2510.01234)")
        label = row[1].strip()
        if label not in ("0", "1"):
            raise InputError(f"{path}: line {number}: label {label!r} must be 1 (relevant) or 0 (not)")
        labels[paper_id] = Label(label == "1", ",".join(row[2:]).strip())
    return LabelFile(labels, comments)


def save_labels(path: Path, existing: LabelFile, updates: Mapping[str, Label]) -> Path:
    """Write the labels with `updates` applied, sorted by id, atomically."""
    labels = {**existing.labels, **updates}
    out = io.StringIO()
    for comment in existing.comments:
        out.write(comment + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for paper_id in sorted(labels):
        label = labels[paper_id]
        writer.writerow(
            [paper_id, "1" if label.relevant else "0", label.note]
            if label.note
            else [paper_id, "1" if label.relevant else "0"]
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(out.getvalue())
        os.replace(temporary, path)
    except OSError as err:
        raise OutputError(f"cannot write {path}: {err.strerror or err}") from err
    return path


@dataclass(frozen=True)
class Confusion:
    """A topic's verdicts on labelled papers: true and false positives and negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def count(cls, kept: Iterable[str], labels: Mapping[str, bool]) -> Confusion:
        """Over the labelled ids: `kept` are the ones the topic kept."""
        chosen = set(kept)
        tp = sum(1 for paper_id, relevant in labels.items() if relevant and paper_id in chosen)
        fp = sum(1 for paper_id, relevant in labels.items() if not relevant and paper_id in chosen)
        fn = sum(1 for paper_id, relevant in labels.items() if relevant and paper_id not in chosen)
        return cls(tp, fp, fn, len(labels) - tp - fp - fn)

    def __add__(self, other: Confusion) -> Confusion:
        return Confusion(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn, self.tn + other.tn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """The harmonic mean of precision and recall, as one division: 2tp / (2tp + fp + fn)."""
        return 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0

    def scores(self) -> dict[str, float]:
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1}

    def as_json(self) -> dict[str, float]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "tn": self.tn, **self.scores()}

    def describe(self) -> str:
        return (
            f"tp {self.tp}, fp {self.fp}, fn {self.fn}, tn {self.tn}: precision {self.precision:.3f}, "
            f"recall {self.recall:.3f}, F1 {self.f1:.3f}"
        )
