"""The matching engine: keywords, filters and followed authors compiled once, and searched in a batch's texts.

Pure functions and objects over `Paper` records; no I/O and no policy (which papers a topic keeps is
`select`'s). `BatchIndex` finds every topic's keyword clues in one Aho-Corasick pass per text. See
docs/design.md, "Selection".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

import ahocorasick_rs

from digest.core.config import SOURCE_FIELDS, CategoryRule, MatchMode, TextField, Topic
from digest.core.models import Paper
from digest.core.plan import TopicPlan
from digest.selection.terms import Term
from digest.store.papers import ClueFilter, Clues

__all__ = [
    "BatchIndex",
    "SearchedTexts",
    "TopicMatcher",
    "clue_prefilter",
    "in_subscribed_categories",
    "searched_text",
]

_CONTEXT = 40


def in_subscribed_categories(
    categories: Sequence[str], subscribed: Collection[str], rule: CategoryRule = "all", primary: str | None = None
) -> bool:
    """The category rule: by default every category of the paper must be subscribed (the source's rule).

    `primary` keeps a paper whose primary category (else its first) is subscribed; `any` one with any
    subscribed category.
    """
    if rule == "primary":
        return (primary or categories[0]) in subscribed
    if rule == "any":
        return any(category in subscribed for category in categories)
    for category in categories:  # noqa: SIM110  (a loop: `all` over a generator is three times slower)
        if category not in subscribed:
            return False
    return True


def clue_prefilter(topics: Iterable[TopicPlan]) -> ClueFilter | None:
    """The keyword clues of every topic a paper's text holds: a paper that holds none is no topic's candidate
    (`BatchIndex.candidates`), so it need not be built, and the clues found are the index's (`BatchIndex`).
    None when some topic may keep a paper without a clue: it follows authors, has a keyword without one (a
    regex, a case-sensitive term), matches by meaning, or searches the authors' names."""
    planned = list(topics)
    matchers = [TopicMatcher(topic.topic, topic.rules.match) for topic in planned]
    if any(topic.topic.similar_to is not None for topic in planned) or any(
        matcher.clues is None or "authors" in matcher.fields for matcher in matchers
    ):
        return None
    clues: dict[tuple[TextField, ...], set[str]] = {}
    for matcher in matchers:
        clues.setdefault(matcher.fields, set()).update(matcher.clues or ())
    finders = [(fields, _ClueFinder(sorted(found))) for fields, found in clues.items() if found]

    if [fields for fields, _ in finders] == [SOURCE_FIELDS]:  # as nearly always: no mapping to join from
        finder = finders[0][1]

        def clues_in_title_and_abstract(title: str, abstract: str, comment: str | None) -> Clues:
            return {SOURCE_FIELDS: finder.found_in(f"{title} {abstract}".lower())}

        return clues_in_title_and_abstract

    def clues_held(title: str, abstract: str, comment: str | None) -> Clues:
        values: dict[TextField, str] = {"title": title, "abstract": abstract, "comment": comment or ""}
        return {fields: finder.found_in(_joined(values, fields).lower()) for fields, finder in finders}

    return clues_held


class _ClueFinder:
    """An automaton finding every one of `clues` a folded text holds, built as a DFA: a few milliseconds more
    to build, and it searches a text twice as fast as the default, every paper of every batch."""

    def __init__(self, clues: list[str]) -> None:
        self.clues = clues
        self._automaton = ahocorasick_rs.AhoCorasick(clues, implementation=ahocorasick_rs.Implementation.DFA)

    def found_in(self, folded: str) -> set[str]:
        return set(self._automaton.find_matches_as_strings(folded, overlapping=True))


class SearchedTexts:
    """Each paper's searched text and its lower-case form, built once per batch and shared by every topic,
    and the keyword clues found in it once `BatchIndex` has looked."""

    def __init__(self) -> None:
        self._texts: dict[tuple[str, int | None, tuple[TextField, ...]], tuple[str, str, set[str] | None]] = {}
        self._clues: dict[tuple[str, int | None, tuple[TextField, ...]], set[str]] = {}

    def of(self, paper: Paper, fields: tuple[TextField, ...]) -> tuple[str, str, set[str] | None]:
        """The text, its lower-case form, and the clues of every keyword found in it (None when they were
        not looked for): in one look-up, as every topic deciding on the paper asks for all three."""
        key = (paper.id, paper.version, fields)
        found = self._texts.get(key)
        if found is None:
            text = searched_text(paper, fields)
            found = self._texts[key] = (text, text.lower(), self._clues.get(key))
        return found

    def hold(self, paper: Paper, fields: tuple[TextField, ...], clues: set[str]) -> None:
        """Remember the clues found in the paper's text, every keyword's clue having been looked for."""
        key = (paper.id, paper.version, fields)
        self._clues[key] = clues
        built = self._texts.get(key)
        if built is not None:
            self._texts[key] = (built[0], built[1], clues)


def searched_text(paper: Paper, fields: Iterable[TextField]) -> str:
    """The text a topic searches: by default title + " " + abstract, as the source."""
    values: dict[TextField, str] = {"title": paper.title, "abstract": paper.abstract, "comment": paper.comment or ""}
    if "authors" in fields:
        values["authors"] = ", ".join(paper.authors)
    return _joined(values, fields)


def _joined(values: Mapping[TextField, str], fields: Iterable[TextField]) -> str:
    return " ".join(values[field] for field in fields)


class TopicMatcher:
    """A topic's keywords, filters and followed authors, compiled once for a whole batch."""

    def __init__(self, topic: Topic, mode: MatchMode) -> None:
        self.fields = tuple(topic.fields)
        self.keywords = [Term.compile(keyword, mode) for keyword in topic.keywords]
        self.filters = [Term.compile(term, mode) for term in topic.filters or []]
        self.authors = {_name(author) for author in topic.authors}
        clues = [term.clue for term in self.keywords]
        self.clues = None if self.authors or None in clues else [clue for clue in clues if clue is not None]
        """Strings one of which the folded text holds whenever a keyword matches; None if some keyword has none.

        Most papers match no keyword: `BatchIndex` rules them out by these before the full search.
        """

    def keyword(self, paper: Paper, text: str, folded: str, held: set[str] | None = None) -> tuple[str, str] | None:
        """The first keyword (or followed author) that matches, with the text around the match; a keyword
        whose clue is not among those `held` in the text (when known: `SearchedTexts.of`) is not searched."""
        for term in self.keywords:
            if held is not None and term.clue is not None and term.clue not in held:
                continue
            found = term.search(text, folded)
            if found:
                return term.shown, _around(text, found)
        if self.authors:
            for author in paper.authors:
                if _name(author) in self.authors:
                    return f"author {author}", author
        return None

    def ruled_out(self, text: str, folded: str) -> str | None:
        """Why no keyword matched although one is in the text: "`VLM` unless `CLIP`", "`VLM` mentioned once,
        needs 2" (the first such), or None."""
        for term in self.keywords:
            why = term.ruled_out(text, folded)
            if why is not None:
                return f"`{term.shown}` {why}"
        return None

    def filter(self, text: str, folded: str) -> tuple[str, str] | None:
        for term in self.filters:
            found = term.search(text, folded)
            if found:
                return term.shown, _around(text, found)
        return None


class BatchIndex:
    """One batch as a set of topics searches it: which papers can pass each category rule, and which
    keyword clues each paper's text holds, found for every topic at once.

    The clues of all topics are found in one Aho-Corasick pass over each folded text, rather than an `in`
    test per clue per topic: the text is read once whatever the number of topics and keywords. Only the
    papers some topic's category rule lets through are searched at all.
    """

    def __init__(
        self,
        papers: Sequence[Paper],
        subscribed: Collection[str],
        topics: Iterable[tuple[TopicMatcher, CategoryRule]],
        known: Mapping[tuple[str, int | None], Clues] | None = None,
    ) -> None:
        """`known`: the clues already found in some papers' texts ((id, version) -> clues, as the store's
        `ClueFilter` found them while reading the batch), which are not searched again."""
        self.papers = papers
        self.texts = SearchedTexts()
        topics = list(topics)
        self._in_categories = {
            rule: [in_subscribed_categories(paper.categories, subscribed, rule, paper.primary) for paper in papers]
            for rule in {rule for _, rule in topics}
        }
        verdicts = zip(*self._in_categories.values(), strict=True)
        eligible = [position for position, passes in enumerate(verdicts) if any(passes)]
        self._holding: dict[tuple[tuple[TextField, ...], str], list[int]] = {}
        for fields in {matcher.fields for matcher, _ in topics}:
            terms = [term for matcher, _ in topics if matcher.fields == fields for term in matcher.keywords]
            clues = sorted({term.clue for term in terms if term.clue is not None})  # every term's: see `held`
            if clues:
                self._index(fields, _ClueFinder(clues), eligible, known or {})

    def _index(
        self,
        fields: tuple[TextField, ...],
        finder: _ClueFinder,
        positions: list[int],
        known: Mapping[tuple[str, int | None], Clues],
    ) -> None:
        for clue in finder.clues:
            self._holding[fields, clue] = []
        for position in positions:
            paper = self.papers[position]
            found = known.get((paper.id, paper.version), {}).get(fields)
            if found is None:
                found = finder.found_in(self.texts.of(paper, fields)[1])
            self.texts.hold(paper, fields, found)  # a known set may hold other topics' clues too: `held` is exact
            for clue in found:
                holding = self._holding.get((fields, clue))
                if holding is not None:
                    holding.append(position)

    def candidates(self, matcher: TopicMatcher, rule: CategoryRule) -> list[Paper]:
        """The papers `decide` may keep for this topic: in its categories and holding one of its clues.

        Every other paper `decide` would drop for the category rule or for "no keyword matched".
        """
        in_categories = self._in_categories[rule]
        if matcher.clues is None:
            positions: Iterable[int] = range(len(self.papers))
        else:
            positions = sorted({p for clue in matcher.clues for p in self._holding[matcher.fields, clue]})
        return [self.papers[position] for position in positions if in_categories[position]]


def _name(author: str) -> str:
    return " ".join(author.split()).casefold()


def _around(text: str, span: tuple[int, int]) -> str:
    start, end = span
    before = "…" if start > _CONTEXT else ""
    after = "…" if end + _CONTEXT < len(text) else ""
    return f"{before}{text[max(start - _CONTEXT, 0) : end + _CONTEXT]}{after}"
