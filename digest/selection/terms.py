"""One keyword or filter compiled: its parts, where they occur, and what keeps it from counting.

Pure. Substring mode is the source's rule; words mode joins a term's words by any separator (spaces, the
hyphen, the Unicode dashes), lets a word be split after a common prefix ("multimodal" finds "multi-modal")
or such a prefix be joined to the next word ("multi modal" finds "multimodal"), and lets it take a plural,
or drop the one it is written with. `TopicMatcher` (`match`) holds a topic's terms.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from digest.core.config import Keyword, KeywordSpec, MatchMode, keyword_text

__all__ = ["Term", "singular"]

# Words mode: spaces, the hyphen and the Unicode dashes (‐ ‑ ‒ – — ―) are one separator; a term may take a
# plural `s` or `es`; a hyphen inside a word of the term may be left out.
_SEPARATOR = r"[\s\-\u2010-\u2015]+"
_DASHES = r"[\-\u2010-\u2015]+"
_JOINED = r"[\s\-\u2010-\u2015]*"
_PREFIX = re.compile(
    r"(anti|auto|bi|co|cross|inter|intra|meta|multi|non|omni|post|pre|pseudo|re|self|semi|sub|super|uni)"
    r"(?=[^\W\d_]{3})",
    re.IGNORECASE,
)
"""A prefix that papers write both joined to its word and hyphenated ("multimodal", "multi-modal";
"pretrained", "pre-trained"), when at least three letters follow it."""


class _Part:
    """One thing to find: a plain substring, or a pattern (whole words, or a user's regex).

    Case-insensitive parts look in the text lower-cased once per paper. Whole words are a pattern without
    a lookbehind plus a check of the character before the match: a leading `(?<!\\w)` makes `re` try
    every position of the text and is some twenty times slower on a batch.
    """

    def __init__(self, needle: str | re.Pattern[str], *, folded: bool, word_start: bool = False) -> None:
        self._needle = needle
        self._folded = folded
        self._word_start = word_start

    def find(self, text: str, folded: str) -> tuple[int, int] | None:
        if isinstance(self._needle, str):  # most parts: one `str.find`, without the generator `spans` is
            start = (folded if self._folded else text).find(self._needle)
            return (start, start + len(self._needle)) if start >= 0 else None
        return next(self.spans(text, folded), None)

    def spans(self, text: str, folded: str) -> Iterator[tuple[int, int]]:
        """Where it occurs, from the start of the text, one occurrence after another."""
        haystack = folded if self._folded else text
        if isinstance(self._needle, str):
            start = haystack.find(self._needle)
            while start >= 0:
                yield start, start + len(self._needle)
                start = haystack.find(self._needle, start + max(len(self._needle), 1))
            return
        position = 0
        while match := self._needle.search(haystack, position):
            start = match.start()
            if not self._word_start or start == 0 or not _is_word_character(haystack[start - 1]):
                yield match.span()
                position = max(match.end(), start + 1)
            else:
                position = start + 1


class Term:
    """One keyword or filter, compiled once: every part must be found in the text."""

    def __init__(
        self,
        shown: str,
        parts: list[_Part],
        clue: str | None = None,
        unless: dict[str, _Part] | None = None,
        mentions: int = 1,
    ) -> None:
        self.shown = shown
        self._parts = parts
        self._unless = unless or {}
        self.mentions = mentions
        """How many times the first part must occur (`KeywordSpec.mentions`)."""
        self.clue = clue
        """A lower-case string found in the folded text whenever this term matches, or None if none is known."""
        self._alone = parts[0] if len(parts) == 1 and not self._unless and mentions == 1 else None
        """The one part to find, when nothing else counts (most keywords): `search` is its `find`."""

    @classmethod
    def compile(cls, keyword: Keyword, mode: MatchMode) -> Term:
        if isinstance(keyword, KeywordSpec):
            words = keyword.words if keyword.words is not None else mode == "words"
            unless = {other: _part(other, words, keyword.case_sensitive) for other in keyword.unless}
            if keyword.regex is not None:
                flags = 0 if keyword.case_sensitive else re.IGNORECASE
                part, clue = _Part(re.compile(keyword.regex, flags), folded=False), None
            else:
                term = keyword.term or ""
                part = _part(term, words, keyword.case_sensitive)
                clue = None if keyword.case_sensitive else _clue(term, words)
            return cls(keyword.shown, [part], clue, unless, keyword.mentions)
        parts = keyword if isinstance(keyword, list) else [keyword]
        compiled = [_part(part, mode == "words", case_sensitive=False) for part in parts]
        return cls(keyword_text(keyword), compiled, _clue(parts[0], mode == "words"))

    def search(self, text: str, folded: str) -> tuple[int, int] | None:
        """Where the first part matched, when every part matches and no `unless` term does; else None.
        `folded` is `text.lower()`."""
        if self._alone is not None:
            return self._alone.find(text, folded)
        if self._unless and self.ruled_out_by(text, folded):
            return None
        return self._found(text, folded)

    def ruled_out_by(self, text: str, folded: str) -> str | None:
        """The `unless` term found in the text, if any: the term does not count there."""
        return next((other for other, part in self._unless.items() if part.find(text, folded)), None)

    def ruled_out(self, text: str, folded: str) -> str | None:
        """Why this term does not count in a text that holds it: "unless `CLIP`", "mentioned once, needs 2"."""
        if (not self._unless and self.mentions == 1) or self._every_part(text, folded) is None:
            return None
        other = self.ruled_out_by(text, folded)
        if other is not None:
            return f"unless `{other}`"
        times = self._times(text, folded)
        return None if times >= self.mentions else f"mentioned {_count(times)}, needs {self.mentions}"

    def _found(self, text: str, folded: str) -> tuple[int, int] | None:
        first = self._every_part(text, folded)
        if first is None or (self.mentions > 1 and self._times(text, folded) < self.mentions):
            return None
        return first

    def _every_part(self, text: str, folded: str) -> tuple[int, int] | None:
        """Where the first part occurs, when every part occurs once at least; else None."""
        first = None
        for part in self._parts:
            found = part.find(text, folded)
            if found is None:
                return None
            first = first or found
        return first

    def _times(self, text: str, folded: str) -> int:
        """How often the first part occurs, counted up to `mentions`."""
        return sum(1 for _ in itertools.islice(self._parts[0].spans(text, folded), self.mentions))


def _count(times: int) -> str:
    return {1: "once", 2: "twice"}.get(times, f"{times} times")


def _clue(term: str, words: bool) -> str | None:
    """What must occur in the folded text for `term` to match: itself, or in words mode the last piece of
    its first word (`_pieces`: "modal" for "multimodal" or "multi-modal").

    None when that is empty (a term of separators alone), which rules nothing out.
    """
    folded = term.lower()
    if not words:
        return folded or None
    first_word = next(iter(_without_plural(folded.strip()).split()), "")
    pieces = _pieces(first_word)
    return pieces[-1] if pieces else None


def _part(term: str, words: bool, case_sensitive: bool) -> _Part:
    needle = term if case_sensitive else term.lower()
    if not words:
        return _Part(needle, folded=not case_sensitive)
    return _Part(re.compile(_word_pattern(_without_plural(needle))), folded=not case_sensitive, word_start=True)


def singular(word: str) -> str:
    """The word without a plural `s` or `es` (`models`, `LVLMs`, `approaches`); `class`, `corpus` and
    `analysis` are left as they are."""
    if len(word) > 4 and word.endswith("es") and word[:-2].lower().endswith(("s", "x", "z", "ch", "sh")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.lower().endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _without_plural(term: str) -> str:
    """The term with its last word in the singular: words mode lets it take the plural back, so a keyword
    written `Vision Language Models` finds "vision-language model" too."""
    head, _, last = term.rstrip().rpartition(" ")
    return f"{head} {singular(last)}" if head else singular(last)


def _word_pattern(term: str) -> str:
    """The term's words joined by any separator, an optional plural `s` or `es`, no word character after.

    A hyphen or dash inside a word of the term may also be left out (`Multi-Modal` finds "multimodal", as
    papers write both), and one may come after a common prefix (`Multimodal` finds "multi-modal"). A space
    is a hyphen's equal after a word that is such a prefix (`Multi Modal` finds "multimodal") and nowhere
    else, since "visionlanguage" is no way to write "vision language"."""
    words = [pieces for pieces in map(_pieces, term.split()) if pieces]
    pattern = _JOINED.join(re.escape(piece) for piece in words[0]) if words else _SEPARATOR
    for before, after in itertools.pairwise(words):
        prefix = _PREFIX.match(before[-1] + after[0])
        pattern += _JOINED if prefix is not None and prefix.end() == len(before[-1]) else _SEPARATOR
        pattern += _JOINED.join(re.escape(piece) for piece in after)
    return pattern + r"(?:e?s)?(?!\w)"


def _pieces(word: str) -> list[str]:
    """A word of a term cut where a hyphen may be written or left out: at its own dashes, and after a
    common prefix of a piece (`multimodal` -> multi, modal). Each piece occurs in any text the word matches."""
    pieces = []
    for piece in re.split(_DASHES, word):
        prefix = _PREFIX.match(piece)
        if prefix:
            pieces += [piece[: prefix.end()], piece[prefix.end() :]]
        elif piece:
            pieces.append(piece)
    return pieces


def _is_word_character(character: str) -> bool:
    return character.isalnum() or character == "_"
