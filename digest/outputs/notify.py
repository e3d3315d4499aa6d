"""Notifications: one message per date and target, sent once, through Apprise.

    compose (pure: a date's kept papers -> a message per target)  ->  queue (the store)  ->  deliver

The store is the ledger (docs/design.md, "Notifications"): a message is queued with the hash of its body,
and marked sent when the target accepts it. A re-run that composes the same body queues nothing; a changed
batch queues a correction; a target that failed keeps its message queued, and every later run (of any date)
delivers what is queued for the targets still configured. Targets are stored as a hash of their URL only.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from urllib.parse import quote

from digest.core.errors import NotifyError
from digest.core.models import Paper
from digest.core.plan import Plan
from digest.core.redact import redact
from digest.core.targets import load_target, mask_target
from digest.core.words import plural
from digest.outputs.day_record import day_record_path, paper_status, read_day_record
from digest.outputs.feed import update_mark
from digest.outputs.render import neutralise, title_text
from digest.outputs.reports import DayResult, Delivery
from digest.store.database import Store

__all__ = [
    "Message",
    "Sender",
    "compose_correction",
    "compose_messages",
    "notify_days",
    "refusal_cause",
    "send_apprise",
]

log = logging.getLogger(__name__)

Sender = Callable[[str, str, str], str | None]
"""Send (target URL, title, markdown body); return why it failed, or None once the target accepted it."""


@dataclass(frozen=True)
class Message:
    """One date's message to one target."""

    day: date
    target: str
    title: str
    body: str

    @property
    def body_hash(self) -> str:
        return _sha256(self.body)


def target_key(url: str) -> str:
    """What the store keeps of a target: enough to recognise it, nothing to use it."""
    return _sha256(url)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def compose_messages(
    day: date, kept: Mapping[str, Sequence[Paper]], plan: Plan, summaries: Mapping[str, str] | None = None
) -> list[Message]:
    """A message per target for the date: the topics sent to it, in configuration order (with
    `notify_skip_empty`, only those that kept a paper; a target left with none gets no message), each
    paper's line ending with its TL;DR when `summaries` (id -> text) has one. Pure."""
    title = f"arXiv digest {day.isoformat()}"
    tldr = summaries or {}
    return [
        Message(day, target, title, "\n\n".join(_topic_section(name, day, kept[name], plan, tldr) for name in names))
        for target, names in _topics_of_targets(kept, plan).items()
    ]


def compose_correction(
    message: Message, kept: Mapping[str, Sequence[Paper]], before: Mapping[str, Sequence[Paper]], plan: Plan
) -> str:
    """The body of a `(corrected)` message: per topic of the target, the papers added and removed since the
    digest the sent message was made from (`before`), not the whole list again. Pure."""
    sections = []
    for name in _topics_of_targets(kept, plan).get(message.target, []):
        was = {paper.id for paper in before.get(name, ())}
        now = {paper.id for paper in kept[name]}
        added = [paper for paper in kept[name] if paper.id not in was]
        removed = [paper for paper in before.get(name, ()) if paper.id not in now]
        count = plural(len(kept[name]), "paper")
        if not added and not removed:
            sections.append(f"**{name}**: {count}, unchanged")
            continue
        lines = [f"**{name}**: {count} ({len(added)} added, {len(removed)} removed)"]
        lines += [f"- added: {_paper_line(paper).removeprefix('- ')}" for paper in added]
        lines += [f"- removed: {_paper_line(paper).removeprefix('- ')}" for paper in removed]
        sections.append("\n".join(lines))
    return "\n\n".join(sections)


def _topics_of_targets(kept: Mapping[str, Sequence[Paper]], plan: Plan) -> dict[str, list[str]]:
    skip_empty = plan.settings.notify_skip_empty
    topics_of: dict[str, list[str]] = {}
    for name, papers in kept.items():
        if skip_empty and not papers:
            continue
        for target in plan.every_topic[name].rules.notify:
            topics_of.setdefault(target, []).append(name)
    return topics_of


def _topic_section(
    name: str, day: date, papers: Sequence[Paper], plan: Plan, summaries: Mapping[str, str] | None = None
) -> str:
    settings = plan.settings
    count = plural(len(papers), "paper")
    lines = [f"**{name}**: {count}"]
    if not papers:
        return lines[0]
    shown = papers[: settings.notify_max_papers]
    lines += [_paper_line(paper, (summaries or {}).get(paper.id)) for paper in shown]
    if len(papers) > len(shown):
        lines.append(f"… and {len(papers) - len(shown)} more")
    if settings.digest_url:
        lines.append(f"[{name} digest]({settings.digest_url.rstrip('/')}/{quote(name)}/{day.isoformat()}.md)")
    return "\n".join(lines)


def _paper_line(paper: Paper, summary: str | None = None) -> str:
    """A paper's line; one listed as a new version says which (`update_mark`), as its feed entry does; a
    summary adds its first line (the TL;DR), so a paper stays one line."""
    links = "".join(f" · [{link.kind}]({link.url})" for link in paper.code_links)
    mark = f" ({update_mark(paper.version)})" if paper_status(paper) == "updated" else ""
    tldr = f" — {neutralise(summary.strip().splitlines()[0])}" if summary and summary.strip() else ""
    return f"- [{title_text(paper.title)}](https://arxiv.org/abs/{paper.id}){mark}{links}{tldr}"


def _as_listed(plan: Plan, topic: str, day: date, papers: Sequence[Paper]) -> list[Paper]:
    """The stored records with the version and announce type the date's record lists them with (the store
    keeps only the latest version), so a message marks the updates its digest shows."""
    record = read_day_record(day_record_path(plan.output_dir, topic, day))
    if record is None:
        return list(papers)
    listed = {paper.id: paper for paper in record.papers}
    return [
        paper.model_copy(update={"version": listed[paper.id].version, "announce_type": listed[paper.id].announce_type})
        if paper.id in listed
        else paper
        for paper in papers
    ]


def notify_days(
    plan: Plan,
    days: Iterable[DayResult],
    store: Store,
    *,
    now: datetime,
    renotify: bool = False,
    send: Sender | None = None,
) -> Delivery:
    """Queue the messages of `days` (each date's listed ids, read back from the store), then deliver every
    queued one."""
    for day in days:
        kept = {topic: _as_listed(plan, topic, day.date, store.load_papers(ids)) for topic, ids in day.kept.items()}
        summaries = store.load_summaries((paper_id for ids in day.kept.values() for paper_id in ids), plan.llm)
        for message in compose_messages(day.date, kept, plan, summaries):
            stored = store.load_notification(message.day, target_key(message.target))
            if stored is not None and stored[0] == message.body_hash and not renotify:
                continue  # the same message, sent or still queued
            if stored is not None and stored[1] and stored[0] != message.body_hash and any(day.before.values()):
                before = {topic: store.load_papers(ids) for topic, ids in day.before.items()}
                message = replace(message, title=f"{message.title} (corrected)")
                body = compose_correction(message, kept, before, plan)
            else:
                body = message.body
            store.save_notification(
                message.day, target_key(message.target), message.body_hash, message.title, body, queued_at=now
            )
    return _deliver(plan, store, now=now, send=send or send_apprise)


TEST_TITLE = "arXiv digest: test message"


def send_test(targets: Sequence[str], *, now: datetime, send: Sender) -> dict[str, str | None]:
    """`digest notify --test`: one message to each target; what each answered (None: accepted)."""
    body = f"A test from arxiv-digest at {now:%Y-%m-%d %H:%M} UTC: this target will get each date's papers."
    return {target: send(target, TEST_TITLE, body) for target in targets}


def _deliver(plan: Plan, store: Store, *, now: datetime, send: Sender) -> Delivery:
    targets = {target_key(url): url for planned in plan.every_topic.values() for url in planned.rules.notify}
    delivery = Delivery()
    failed: set[str] = set()
    for day, key, title, body in store.load_unsent(targets):
        if key in failed:
            continue  # one refusal a run is enough: its later messages wait with it
        problem = send(targets[key], title, body)
        if problem is None:
            store.mark_sent(day, key, now)
            delivery.sent += 1
            log.info("notified %s of %s", mask_target(targets[key]), day.isoformat())
        else:
            failed.add(key)
            delivery.failures.append(NotifyError(problem, target=mask_target(targets[key])))
    return delivery


def send_apprise(target: str, title: str, body: str) -> str | None:
    """Send through Apprise; its log lines, captured and kept from ours (at debug level they carry the target's
    full URL), say why a target refused."""
    from apprise import LogCapture, NotifyFormat

    notifier = load_target(target)
    if notifier is None:
        return "not a notification URL Apprise knows"
    apprise_log = logging.getLogger("apprise")
    apprise_log.propagate = False
    try:
        with LogCapture(level=logging.DEBUG, fmt="%(levelname)s %(message)s") as captured:  # type: ignore[no-untyped-call]
            accepted = notifier.notify(title=title, body=body, body_format=NotifyFormat.MARKDOWN)
    finally:
        apprise_log.propagate = True
    return None if accepted else refusal_cause(captured.getvalue())


_NETWORK_CAUSES = (
    (re.compile(r"Failed to resolve '(?P<host>[^']+)'"), "cannot resolve {host} (no network, or a mistyped URL)"),
    (
        re.compile(r"host='(?P<host>[^']+)', port=(?P<port>\d+)\).*Connection refused"),
        "{host}:{port} refused the connection",
    ),
    (re.compile(r"host='(?P<host>[^']+)'.*timed out"), "{host} did not answer in time"),
    (re.compile(r"host='(?P<host>[^']+)'.*SSL"), "TLS failed with {host}"),
)
"""What a requests exception in Apprise's `Socket Exception:` line means, said without its URL (the path can
hold the target's tokens)."""


def refusal_cause(captured: str) -> str:
    """Why Apprise refused, from its captured `LEVEL message` lines: its last warning, and the network cause."""
    lines = [line.strip() for line in captured.splitlines() if line.strip()]
    warnings = [line.partition(" ")[2] for line in lines if line.startswith(("WARNING ", "ERROR "))]
    reason = redact(warnings[-1]).rstrip(".") if warnings else "the service did not accept the message"
    for line in (line for line in lines if "Socket Exception:" in line):
        for pattern, cause in _NETWORK_CAUSES:
            found = pattern.search(line)
            if found:
                return f"{reason}: {cause.format(**found.groupdict())}"
    return reason
