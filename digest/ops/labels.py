"""Labels: which papers a topic's owner says are relevant, and how a topic scores against them.

A labels file is CSV, `id,label[,note]`, label `1` (relevant) or `0` (not), `#` comments, an optional
`id,label,note` header; by default `labels/<Topic>.csv` in the config's base folder (`settings.labels_dir`).
It may come from a spreadsheet (a UTF-8 byte-order mark, CRLF line ends, quoted cells, empty trailing
cells). `digest label` changes it under a lock and rewrites it whole, sorted by id, with the csv module,
so the same labels are the same bytes and no note (folded to one line) can break a row. `Confusion`
counts a topic's verdicts against them. See README, "Is my topic any good?".
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock, Timeout

from digest.core.errors import InputError, LockError, OutputError
from digest.core.models import normalise_id
from digest.outputs.write import write_file

__all__ = [
    "Confusion",
    "Label",
    "LabelChanges",
    "LabelFile",
    "apply_labels",
    "clean_note",
    "format_labels",
    "labels_path",
    "load_labels",
    "update_labels",
]

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
    lines: dict[str, int] = field(default_factory=dict)
    """The line each id is labelled on (its first), for errors that name it."""


def clean_note(text: str) -> str:
    """A note as one line of text: runs of whitespace (newlines, tabs) become one space.

    Any other control character (an escape sequence, a NUL) is refused with ValueError: a note is for
    people, and such a character would corrupt a terminal or a spreadsheet rather than say anything.
    """
    refused = next((c for c in text if unicodedata.category(c) == "Cc" and not c.isspace()), None)
    if refused is not None:
        raise ValueError(f"holds the control character U+{ord(refused):04X}")
    return " ".join(text.split())


def labels_path(labels_dir: Path, topic: str) -> Path:
    return labels_dir / f"{topic}.csv"


def load_labels(path: Path, *, missing_ok: bool = False) -> LabelFile:
    """Read a labels file; a bad id, label or note, or an id labelled both ways, is an InputError naming
    the file and the lines."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        if missing_ok:
            return LabelFile({}, [])
        raise InputError(f"{path}: no such labels file; `digest label --topic T --yes ID` starts one") from None
    except UnicodeDecodeError as err:
        raise InputError(f"{path}: not UTF-8 text (byte {err.start}); save it as CSV UTF-8") from None
    except OSError as err:
        raise InputError(f"{path}: cannot read labels: {err.strerror or err}") from err
    return _parse(path, text.replace("\r\n", "\n").replace("\r", "\n"))


def _parse(path: Path, text: str) -> LabelFile:
    lines = text.split("\n")
    labels: dict[str, Label] = {}
    first_line: dict[str, int] = {}
    comments = []
    reader = csv.reader(io.StringIO(text))
    start = 0
    for row in reader:
        number, start = start + 1, reader.line_num
        if row and row[0].lstrip().startswith("#"):
            comments.append("\n".join(lines[number - 1 : reader.line_num]))
            continue
        if not any(cell.strip() for cell in row) or [c.strip().lower() for c in row[:2]] == HEADER[:2]:
            continue
        paper_id, label = _parse_row(path, number, row)
        if paper_id in labels and labels[paper_id].relevant != label.relevant:
            raise InputError(
                f"{path}: lines {first_line[paper_id]} and {number} label {paper_id} both ways; keep one of them"
            )
        first_line.setdefault(paper_id, number)
        labels[paper_id] = label
    return LabelFile(labels, comments, first_line)


def _parse_row(path: Path, number: int, row: list[str]) -> tuple[str, Label]:
    if len(row) < 2:
        raise InputError(f"{path}: line {number}: expected `id,label[,note]`, got {','.join(row).strip()!r}")
    paper_id = normalise_id(row[0])
    if paper_id is None and row[0].strip().lower() == HEADER[0]:
        shown = ",".join(HEADER)
        raise InputError(f"{path}: line {number}: a header reads `{shown}`, got {','.join(row).strip()!r}")
    if paper_id is None:
        raise InputError(f"{path}: line {number}: {row[0].strip()!r} is not an arXiv id (such as 2510.01234)")
    label = row[1].strip()
    if label not in ("0", "1"):
        raise InputError(f"{path}: line {number}: label {label!r} must be 1 (relevant) or 0 (not)")
    cells = row[2:]
    while cells and not cells[-1].strip():  # a spreadsheet's empty trailing columns
        cells.pop()
    try:
        note = clean_note(",".join(cells))  # an unquoted note may hold commas
    except ValueError as err:
        raise InputError(f"{path}: line {number}: the note {err}") from None
    return paper_id, Label(label == "1", note)


def format_labels(labels: LabelFile) -> str:
    """The file's text: its comments, the header, then one row a paper, sorted by id."""
    out = io.StringIO()
    for comment in labels.comments:
        out.write(comment + "\n")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    for paper_id in sorted(labels.labels):
        label = labels.labels[paper_id]
        verdict = "1" if label.relevant else "0"
        writer.writerow([paper_id, verdict, label.note] if label.note else [paper_id, verdict])
    return out.getvalue()


@dataclass(frozen=True)
class LabelChanges:
    """What one `digest label` did: ids added, relabelled (their old label replaced), given a new note,
    left as they were, removed."""

    added: list[str] = field(default_factory=list)
    relabelled: list[str] = field(default_factory=list)
    renoted: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def apply_labels(
    existing: LabelFile, updates: Mapping[str, Label], removals: Collection[str]
) -> tuple[LabelFile, LabelChanges]:
    """The labels with `updates` and `removals` applied, and what changed.

    The same label again keeps the row (a new note replaces its note); the other label replaces it, note
    and all. Removing an id the file does not label is an InputError: it is most likely a typo.
    """
    absent = sorted(paper_id for paper_id in removals if paper_id not in existing.labels)
    if absent:
        raise InputError(f"{', '.join(absent)}: not labelled, so not removed; nothing changed")
    labels = {paper_id: label for paper_id, label in existing.labels.items() if paper_id not in removals}
    changes = LabelChanges(removed=sorted(removals))
    for paper_id, label in sorted(updates.items()):
        old = labels.get(paper_id)
        if old is None:
            changes.added.append(paper_id)
        elif old.relevant != label.relevant:
            changes.relabelled.append(paper_id)
        elif label.note and label.note != old.note:
            changes.renoted.append(paper_id)
        else:
            changes.unchanged.append(paper_id)
            label = old
        labels[paper_id] = label
    return LabelFile(labels, existing.comments), changes


def update_labels(
    path: Path,
    updates: Mapping[str, Label],
    removals: Collection[str],
    *,
    timeout: float,
    check: Callable[[LabelFile], None] = lambda existing: None,
) -> LabelChanges:
    """Apply `updates` and `removals` to the file under its lock, rewriting it atomically.

    The lock (`.<name>.lock` beside it) makes read, change and write one step, so two commands labelling
    at once both keep their labels; `timeout` is how long one waits for the other. `check` may refuse the
    labels as read under the lock (raising), before anything changes.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise OutputError(f"cannot create {path.parent}: {err.strerror or err}") from err
    lock = FileLock(path.parent / f".{path.name}.lock", timeout=timeout)
    try:
        with lock:
            existing = load_labels(path, missing_ok=True)
            check(existing)
            labels, changes = apply_labels(existing, updates, removals)
            write_file(path, format_labels(labels))
    except Timeout as err:
        raise LockError(f"another labelling command holds {lock.lock_file}; waited {timeout:g} s") from err
    return changes


@dataclass(frozen=True)
class Confusion:
    """A topic's verdicts on labelled papers: true and false positives and negatives."""

    tp: int
    fp: int
    fn: int
    tn: int

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
