"""The commands that tend a topic's labels: `label` (mark papers relevant or not, or list those worth
marking) and `tune` (compare ways to run the topic on the labelled dates)."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import click

from digest.cli.arguments import (
    DATE,
    ConfigChoice,
    ManyValues,
    arxiv_ids,
    clock_option,
    config_options,
    reports_errors,
    span_options,
)
from digest.core.errors import InputError
from digest.core.intents import StoredSpan
from digest.ops.label_import import import_labels
from digest.ops.labels import Label, LabelChanges, clean_note, labels_path, update_labels
from digest.ops.trials import suggest_labels, tune_topic

__all__ = ["Marks", "label", "tune"]

F = TypeVar("F", bound=Callable[..., Any])


@click.command()
@click.option("--topic", "topic_name", required=True, help="The configured topic to tune.")
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Default: labels/<Topic>.csv."
)
@span_options
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="One JSON object: configured, best (with topic), candidates, steps, warnings.",
)
@config_options
@reports_errors
def tune(
    topic_name: str,
    labels_file: Path | None,
    span: StoredSpan,
    as_json: bool,
    configuration: ConfigChoice,
) -> None:
    """Compare ways to run a topic on labelled dates, cross-validated, and print the best as YAML. No network
    but the language model, for a topic with a judge.

    Example: digest tune --topic MLLM --labels labels/MLLM.csv --from 2025-10-13 --to 2026-06-17
    """
    plan = configuration.plan((topic_name,))
    path = labels_file or labels_path(plan.settings.labels_dir, topic_name)
    report = tune_topic(plan, topic_name, path, span)
    click.echo(json.dumps(report.as_json()) if as_json else report.describe(), nl=as_json)


@dataclass(frozen=True)
class Marks:
    """What `--yes`, `--no`, `--remove` and `--note` ask of the labels file."""

    relevant: tuple[str, ...]
    irrelevant: tuple[str, ...]
    removed: tuple[str, ...]
    note: str

    def __bool__(self) -> bool:
        return bool(self.relevant or self.irrelevant or self.removed)

    def changes(self) -> tuple[dict[str, Label], list[str]]:
        """The labels to set and the ids to remove; an id asked both ways is an input error."""
        try:
            cleaned = clean_note(self.note)
        except ValueError as err:
            raise InputError(f"--note {err}; a note is one line of text") from None
        updates: dict[str, Label] = {}
        for verdict, texts in ((True, self.relevant), (False, self.irrelevant)):
            for paper_id in arxiv_ids(texts):
                if paper_id in updates and updates[paper_id].relevant != verdict:
                    raise InputError(f"{paper_id} is given both --yes and --no; nothing changed")
                updates[paper_id] = Label(verdict, cleaned)
        removals = arxiv_ids(self.removed)
        both = sorted(set(updates) & set(removals))
        if both:
            raise InputError(f"{', '.join(both)}: both labelled and removed; nothing changed")
        if not updates and not removals:
            raise InputError("give arXiv ids with --yes (relevant), --no (not relevant) or --remove")
        return updates, removals


def marks_options(command: F) -> F:
    """`--yes`, `--no`, `--remove` and `--note`, handed to the command as one `marks` value."""

    @functools.wraps(command)
    def wrapper(*args: Any, relevant: tuple[str, ...], irrelevant: tuple[str, ...], **kw: Any) -> Any:
        marks = Marks(relevant, irrelevant, kw.pop("removed"), kw.pop("note"))
        return command(*args, marks=marks, **kw)

    options = [
        click.option(
            "--yes", "relevant", multiple=True, metavar="ID...", help="Relevant papers: ids, arXiv:ids or abs URLs."
        ),
        click.option("--no", "irrelevant", multiple=True, metavar="ID...", help="Papers that are not relevant."),
        click.option("--remove", "removed", multiple=True, metavar="ID...", help="Take these papers' labels away."),
        click.option("--note", default="", help="A note kept with these rows (folded to one line)."),
    ]
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Suggesting:
    """What `--suggest N`, `--from` and `--to` ask: how many papers to list, from which stored dates; and
    when they are asked (the hidden clock)."""

    count: int | None
    start: date | None
    end: date | None
    now: datetime

    def __bool__(self) -> bool:
        return self.count is not None or self.start is not None or self.end is not None

    def span(self) -> StoredSpan:
        if self.start is None or self.end is None:
            raise InputError("--suggest needs --from and --to: the stored dates to look in")
        return StoredSpan(self.start, self.end, self.now)


def suggest_options(command: F) -> F:
    """`--suggest`, `--from` and `--to` (and the hidden clock), handed to the command as one `suggesting`
    value."""

    @functools.wraps(command)
    def wrapper(
        *args: Any, suggested: int | None, start: date | None, end: date | None, now: datetime | None, **kw: Any
    ) -> Any:
        return command(*args, suggesting=Suggesting(suggested, start, end, now or datetime.now(UTC)), **kw)

    options = [
        click.option(
            "--suggest",
            "suggested",
            type=click.IntRange(min=1),
            metavar="N",
            help="List N unlabelled papers worth labelling.",
        ),
        click.option("--from", "start", type=DATE, help="With --suggest: the first date."),
        click.option("--to", "end", type=DATE, help="With --suggest: the last date (inclusive)."),
    ]
    decorated: Any = clock_option(wrapper)
    for option in reversed(options):
        decorated = option(decorated)
    return decorated  # type: ignore[no-any-return]


@click.command(cls=ManyValues, greedy=("--yes", "--no", "--remove"))
@reports_errors
@click.option("--topic", "topic_name", required=True, help="The configured topic the labels are for.")
@marks_options
@click.option(
    "--labels", "labels_file", type=click.Path(dir_okay=False, path_type=Path), help="Default: labels/<Topic>.csv."
)
@suggest_options
@click.option(
    "--import",
    "imported",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Merge a labels file (the site's Export labels) into the topic's.",
)
@config_options
def label(
    topic_name: str,
    marks: Marks,
    labels_file: Path | None,
    suggesting: Suggesting,
    imported: Path | None,
    configuration: ConfigChoice,
) -> None:
    """Add, change or remove labels of a topic (which papers are relevant), for `try --labels` and `tune`;
    with --suggest, list the unlabelled stored papers whose label would teach the topic most; with
    --import, merge a labels file (the site's "Export labels" download).

    The same label again changes nothing (a --note replaces the note); the other label replaces the row.

    Example: digest label --topic MLLM --yes 2510.01234 arXiv:2510.01301v2 --no 2510.00007
    """
    plan = configuration.plan((topic_name,))
    path = labels_file or labels_path(plan.settings.labels_dir, topic_name)
    if imported is not None:
        if marks or marks.note or suggesting:
            raise InputError("--import merges a file on its own; label single papers with a second `digest label`")
        changes = import_labels(path, imported, timeout=plan.settings.lock_timeout)
        click.echo(describe_changes(path, changes, {}))  # a conflict refuses the import: nothing is relabelled
        return
    if suggesting.count is not None:
        if marks:
            raise InputError("--suggest only lists papers; label them with a second `digest label`")
        command = ["digest", "label", "--topic", topic_name]
        command += [
            *(["--config", str(configuration.path)] if configuration.path else []),
            *(["--labels", str(path)] if labels_file else []),
        ]
        click.echo(suggest_labels(plan, path, suggesting.count, suggesting.span(), command), nl=False)
        return
    if suggesting:
        raise InputError("--from and --to go with --suggest")
    updates, removals = marks.changes()
    changes = update_labels(path, updates, removals, timeout=plan.settings.lock_timeout)
    click.echo(describe_changes(path, changes, updates))


def describe_changes(path: Path, changes: LabelChanges, updates: dict[str, Label]) -> str:
    """One summary line, then a line for each label replaced by the other."""
    counts = [
        (len(changes.added), "added"),
        (len(changes.relabelled), "relabelled"),
        (len(changes.renoted), "note replaced" if len(changes.renoted) == 1 else "notes replaced"),
        (len(changes.unchanged), "already so"),
        (len(changes.removed), "removed"),
    ]
    lines = [f"{path}: " + ", ".join(f"{count} {what}" for count, what in counts if count)]
    for paper_id in changes.relabelled:
        now = "relevant" if updates[paper_id].relevant else "not relevant"
        lines.append(f"{paper_id}: now {now} (its other label replaced)")
    return "\n".join(lines)
