"""Rendering: papers to markdown, in the awesome-daily-AI-arxiv format, byte for byte.

Pure: templates in, text out; the writer decides where text goes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

import jinja2

from digest.core.config import Keyword, Topic, keyword_text
from digest.core.models import INDEX_MARKER, FeedPaper, IndexEntry, Paper, made_once_per_record

__all__ = [
    "OverviewEntry",
    "author_line",
    "neutralise",
    "read_digest_entries",
    "read_digest_ids",
    "render_digest",
    "render_digests",
    "render_indexes",
    "render_overview",
    "render_topic_index",
    "title_text",
]

MAX_AUTHORS = 6


# `<` before a letter, `/`, `!` or `?` would open an HTML tag or comment when the markdown is rendered.
_TAG_OPENING = re.compile(r"<(?=[A-Za-z/!?])")
# A line break would start a heading or end the abstract's block: a space. Other control characters
# (NUL, BEL, ESC, DEL, C1) print nothing, or drive a terminal: dropped.
_LINE_BREAK = re.compile("[\n\v\f\r\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
_UNPRINTABLE = re.compile("[\x00-\x08\n-\x1f\x7f-\x9f\u2028\u2029]")
"""Either of the two above: one scan of a text that holds neither, as nearly every abstract. Each of them is
unprintable to `str.isprintable`, a scan twice as fast that rules most texts out first; in an ASCII text
(most abstracts) the bytes of control characters are looked for instead, twice as fast again."""
_CONTROL_BYTES = bytes(range(0x20)) + b"\x7f"
# A link's target (`](…` inline, `]: …` as a definition) up to its end; checked once decoded.
_LINK_TARGET = re.compile(r"(?<!\\)\](?P<opening>\s*[(:])(?P<target>[^)]{0,200})")
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")


def neutralise(text: str) -> str:
    """Text safe to print in a digest, the one place every printed text passes: control characters dropped
    (a line break becomes a space), `<` written as `&lt;` where it would start a tag (so `<ACT> token` stays
    visible), and a link to a script (`javascript:`, `vbscript:`, `data:`) broken into plain text."""
    if not _printable(text) and _UNPRINTABLE.search(text):
        text = _CONTROL.sub("", _LINE_BREAK.sub(" ", text))
    if "]" in text and ("](" in text or "]:" in text or "] " in text):  # one character is found by memchr
        text = _LINK_TARGET.sub(_script_link_broken, text)
    return _TAG_OPENING.sub("&lt;", text) if "<" in text else text


def _printable(text: str) -> bool:
    if text.isascii():  # known without a scan: the string's own flag
        data = text.encode("ascii")
        return len(data.translate(None, _CONTROL_BYTES)) == len(data)
    return text.isprintable()


def _script_link_broken(match: re.Match[str]) -> str:
    """`](javascript:…)` as `]\\(javascript:…)`: an escaped opening is no link, and the words stay readable.
    The target is read as a browser would: entities decoded, backslash escapes and whitespace ignored."""
    target = re.sub(r"[\s\\]", "", html.unescape(match["target"])).lower()
    if not target.startswith(_SCRIPT_SCHEMES):
        return match[0]
    opening = match["opening"]
    return f"]{opening[:-1]}\\{opening[-1]}{match['target']}"


_MARKDOWN_IN_TITLE = re.compile(r"([`\[\]])")


def title_text(title: str) -> str:
    """A title as the entry's link text: `<` neutralised, and `` ` ``, `[`, `]` escaped with a backslash.

    A backtick (LaTeX-style quotes: `From `May' to `Is'`) would open a code span that swallows the link
    and its bold; brackets would nest a live link (`[x](javascript:…)`) inside ours. Nothing else changes.
    """
    if "`" in title or "[" in title or "]" in title:
        title = _MARKDOWN_IN_TITLE.sub(r"\\\1", title)
    return neutralise(title)


def author_line(authors: Sequence[str]) -> str:
    """The first six authors, then `et al.` when there are more."""
    shown = list(authors[:MAX_AUTHORS])
    if len(authors) > MAX_AUTHORS:
        shown.append("et al.")
    return ", ".join(shown)


def _terms(terms: Sequence[Keyword]) -> str:
    return _codes(keyword_text(term) for term in terms)


def _codes(words: Iterable[str]) -> str:
    return " ".join(f"`{word}`" for word in words)


_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("digest.outputs", "templates"),
    autoescape=False,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_ENVIRONMENT.filters.update(
    neutralise=neutralise,
    title_text=title_text,
    author_line=author_line,
    terms=_terms,
    codes=_codes,
    urlpath=lambda name: quote(name),
)


def render_digest(
    topic_name: str,
    topic: Topic,
    day: date,
    papers: Sequence[Paper],
    *,
    code_links: bool = False,
    summaries: Mapping[str, str] | None = None,
) -> str:
    """One topic's digest for one date; `papers` are already selected and ordered.

    `code_links` adds each paper's code and project pages after its `arXiv:` badge, `summaries` (id -> the
    model's summary, with `summaries_in_digest`) a TL;DR block after its abstract; without either, the
    digest is the source's format byte for byte.
    """
    digests = render_digests(day, {topic_name: (topic, papers)}, code_links=code_links, summaries=summaries)
    return digests[topic_name].decode("utf-8")


_ENTRIES = "\0entries\0"
"""Where a digest's entries go in its rendered head; the template prints them last, after any text of the
topic's own, so the last occurrence is theirs."""


def render_digests(
    day: date,
    topics: Mapping[str, tuple[Topic, Sequence[Paper]]],
    *,
    code_links: bool = False,
    summaries: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """The digests of one date (topic name -> its topic and papers, as `render_digest` takes them), encoded
    as the files hold them: a paper that several topics keep is rendered and encoded once, its entry shared
    by every digest listing it.

    Joined as bytes, not as text: the head's emoji would make each digest's text four bytes a character
    (a re-render of all of arXiv joins 1.2 GB of entries), to be encoded again to be written."""
    head = _ENVIRONMENT.get_template("digest.md.j2")
    summaries = summaries or {}

    @made_once_per_record
    def entry_of(paper: Paper) -> bytes:
        return _paper_entry(paper, code_links=code_links, summary=summaries.get(paper.id)).encode("utf-8")

    digests = {}
    for name, (topic, papers) in topics.items():
        rendered = head.render(
            topic=name,
            date=day.isoformat(),
            keywords=topic.keywords,
            filters=topic.filters,
            count=len(papers),
            entries=_ENTRIES,
        )
        before, _, after = rendered.rpartition(_ENTRIES)
        digests[name] = b"".join(
            (before.encode("utf-8"), b"\n".join([entry_of(p) for p in papers]), after.encode("utf-8"))
        )
    return digests


def _paper_entry(paper: Paper, *, code_links: bool = False, summary: str | None = None) -> str:
    """One paper's entry in a digest: its linked title and badges, authors, abstract and, once made, its
    summary. Formatted here rather than by a template: a re-render of all of arXiv writes a million entries,
    and a template's context costs more than the text."""
    links = "".join(f" [`{link.kind}`]({link.url})" for link in paper.code_links) if code_links else ""
    entry = (
        f"- **[{title_text(paper.title)}](https://arxiv.org/abs/{paper.id})**  `arXiv:{paper.id}`{links}  "
        f"{_codes(paper.categories)}  \n"
        f"  _{neutralise(author_line(paper.authors))}_\n"
        f"  <details open><summary>Abstract</summary>\n  {neutralise(paper.abstract)}\n  </details>\n"
    )
    if summary:
        entry += f"\n  <details open><summary>TL;DR</summary>\n  {_summary_lines(summary)}\n  </details>\n"
    return entry


def _summary_lines(text: str) -> str:
    """A summary's lines, each neutralised, as one markdown paragraph broken at each line."""
    return "  \n  ".join(neutralise(line) for line in text.splitlines() if line.strip())


_ENTRY_HEAD = re.compile(
    r"^- \*\*\[(?P<title>.*)\]\(https://arxiv\.org/abs/(?P<id>[^)\s]+)\)\*\*  `arXiv:(?P=id)`(?P<rest>.*?)\s*$"
)
_LINK = re.compile(r"\[`(?P<kind>\w+)`\]\((?P<url>[^)\s]+)\)")
_CATEGORY = re.compile(r"(?<![\[\w])`(?P<code>[\w.-]+)`")
_TITLE_ESCAPE = re.compile(r"\\([`\[\]])")


_LISTED_ID = re.compile(r"\)\*\*  `arXiv:([^`\s]+)`")
"""The `arXiv:` badge that follows each entry's linked title."""


def read_digest_ids(text: str) -> list[str]:
    """The arXiv ids a rendered digest lists, in its order."""
    return _LISTED_ID.findall(text)


def read_digest_entries(text: str) -> list[FeedPaper]:
    """The papers a rendered digest lists, read back from its markdown: the inverse of `render_digest`.

    What the digest does not show stays lost: authors after the sixth, the comment. Feeds use it only for
    a paper the store no longer holds.
    """
    lines = text.splitlines()
    entries = []
    for number, line in enumerate(lines):
        head = _ENTRY_HEAD.match(line)
        if head is None or number + 3 >= len(lines):
            continue
        authors = lines[number + 1].strip().removeprefix("_").removesuffix("_")
        entries.append(
            FeedPaper(
                id=head["id"],
                title=_unneutralise(_TITLE_ESCAPE.sub(r"\1", head["title"])),
                authors=[name for name in _unneutralise(authors).split(", ") if name != "et al."],
                abstract=_unneutralise(lines[number + 3].strip()),
                categories=[found["code"] for found in _CATEGORY.finditer(_LINK.sub("", head["rest"]))],
                links=[(found["kind"], found["url"]) for found in _LINK.finditer(head["rest"])],
            )
        )
    return entries


def _unneutralise(text: str) -> str:
    return text.replace("&lt;", "<")


@dataclass(frozen=True)
class OverviewEntry:
    """A topic's latest digest, as listed in the overview."""

    topic: str
    date: date
    count: int
    digests: int


def render_indexes(archive: Mapping[str, Sequence[IndexEntry]], *, feeds: bool = False) -> dict[str, str]:
    """The index pages of an archive (topic -> its digests): `README.md` and `<Topic>/README.md` -> text.

    With `feeds`, the overview links each topic's `feed.xml`.
    """
    pages = {f"{topic}/README.md": render_topic_index(topic, entries) for topic, entries in archive.items()}
    latest = {topic: max(entries, key=lambda entry: entry.date) for topic, entries in archive.items()}
    overview = [OverviewEntry(topic, entry.date, entry.count, len(archive[topic])) for topic, entry in latest.items()]
    return {"README.md": render_overview(overview, feeds=feeds), **pages}


def render_topic_index(topic_name: str, entries: Sequence[IndexEntry]) -> str:
    """A topic's archive page, newest first."""
    newest_first = sorted(entries, key=lambda entry: entry.date, reverse=True)
    return _ENVIRONMENT.get_template("topic_index.md.j2").render(
        marker=INDEX_MARKER, topic=topic_name, entries=newest_first
    )


def render_overview(entries: Sequence[OverviewEntry], *, feeds: bool = False) -> str:
    """The overview of every topic, the busiest latest digest first, like the source's "Hot Topic" list."""
    ordered = sorted(entries, key=lambda entry: (-entry.count, entry.topic))
    return _ENVIRONMENT.get_template("overview.md.j2").render(marker=INDEX_MARKER, entries=ordered, feeds=feeds)
