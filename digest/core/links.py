"""Code links: the repositories and project pages a paper's abstract and comment point to.

Pure text in, links out. A link counts when its host is a code host (GitHub, GitLab, Hugging Face,
Codeberg, Bitbucket) and it names a repository, or when the words just before it introduce it as code or a
project page ("Code: …", "project page at …"). Anything else (a dataset mirror, a DOI, a leaderboard) is
not a code link, however often abstracts print them. See docs/design.md, "Code links".
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

__all__ = ["CodeLink", "find_code_links", "web_address"]

LinkKind = Literal["code", "project"]


@dataclass(frozen=True)
class CodeLink:
    """A normalised link and what it is: a repository (`code`) or a project page (`project`)."""

    url: str
    kind: LinkKind


# A URL with a scheme, or a bare code host (`github.com/a/b`, `//github.com/a/b`), up to whitespace or a
# closing brace/angle (LaTeX `\url{…}`, `<…>`).
_URL = re.compile(
    r"(?:https?://|(?<![\w.@/-])(?://)?(?=(?:www\.)?(?:github\.com|gitlab\.com|huggingface\.co|codeberg\.org|"
    r"bitbucket\.org)/))[^\s<>{}\"'\\]+",
    re.IGNORECASE,
)
_CODE_HOSTS = (
    "github.com",
    "GitHub.com",
    "Github.com",
    "gitlab.com",
    "huggingface.co",
    "codeberg.org",
    "bitbucket.org",
)
_TRAILING = ".,;:!?*'\""
_OPENING = {")": "(", "]": "["}
_REPOSITORY_HOSTS = {"github.com", "gitlab.com", "codeberg.org", "bitbucket.org"}
_HUGGING_FACE_KINDS = {"datasets", "spaces"}
_NOT_A_REPOSITORY = {
    # First path segments of code hosts that are pages of the site, not owners of repositories.
    "about", "blog", "orgs", "collections", "docs", "explore", "features", "login", "marketplace", "models", "papers",
    "pricing", "search", "settings", "sponsors", "tasks", "topics", "users",
}  # fmt: skip
_INTRODUCED = re.compile(
    r"\b(?:code|codes|source|implementation|repository|repo|project(?:\s+(?:page|website|site|homepage))?|"
    r"homepage|website|webpage|demo|github)\b[^.;]{0,40}$",
    re.IGNORECASE,
)
_LOOK_BACK = 60


def find_code_links(*texts: str | None) -> list[CodeLink]:
    """The code links in `texts` (abstract, comment), normalised, each once, in the order they appear."""
    links: dict[str, CodeLink] = {}
    for text in texts:
        if not text or not _may_link(text):
            continue  # most abstracts: a few substring scans instead of the URL pattern at every position
        for link in _links_in(text):
            links.setdefault(link.url.casefold(), link)
    return list(links.values())


_HOST_ENDING = re.compile(r"\.(?:co|org)")


def _may_link(text: str) -> bool:
    """A URL or a bare code host as abstracts write them (lower case, or `GitHub.com`). Every such host
    holds `.co` or `.org`: most abstracts hold neither, and are not scanned for each host. A one-character
    search (`:`) and one pattern scan (stopping at each `.`) are a third of the time of the three
    substring searches they rule out first."""
    if ":" in text and "://" in text:
        return True
    return _HOST_ENDING.search(text) is not None and any(host in text for host in _CODE_HOSTS)


def _links_in(text: str) -> Iterable[CodeLink]:
    for match in _URL.finditer(text):
        url = _trim(match.group(0))
        before = text[max(0, match.start() - _LOOK_BACK) : match.start()]
        link = _classify(url, introduced=bool(_INTRODUCED.search(before)))
        if link is not None:
            yield link


def _trim(url: str) -> str:
    """Drop what the sentence added: trailing punctuation, and a closing bracket the URL did not open."""
    while url and (url[-1] in _TRAILING or _unopened(url)):
        url = url[:-1]
    return url


def _unopened(url: str) -> bool:
    last = url[-1]
    return last in _OPENING and url.count(last) > url.count(_OPENING[last])


def _classify(url: str, *, introduced: bool) -> CodeLink | None:
    if "://" not in url:
        url = "https://" + url.lstrip("/")
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or "." not in host:
        return None
    segments = [segment for segment in parts.path.split("/") if segment]
    if host in _REPOSITORY_HOSTS or host == "huggingface.co":
        repository = _repository_path(host, segments)
        if repository is None:
            return None
        return CodeLink(f"https://{host}/{repository}", "code")
    if not (introduced or host.endswith(".github.io")):
        return None
    path = "/".join(segments)
    query = f"?{parts.query}" if parts.query else ""
    return CodeLink(f"{parts.scheme.lower()}://{host}{'/' + path if path else ''}{query}", "project")


def _repository_path(host: str, segments: list[str]) -> str | None:
    """`owner/name[/deeper]` of a repository (or a Hugging Face model, dataset or space), or None."""
    if host == "huggingface.co" and segments and segments[0] in _HUGGING_FACE_KINDS:
        kind, segments = segments[0], segments[1:]
        prefix = f"{kind}/"
    else:
        prefix = ""
    if len(segments) < 2 or segments[0].lower() in _NOT_A_REPOSITORY:
        return None
    segments = [*segments[:1], segments[1].removesuffix(".git"), *segments[2:]]
    return prefix + "/".join(segments)


def web_address(url: str) -> str:
    """`url` when it is an http(s) URL with a host (a setting such as `feed_url` or an LLM's `base_url`), else
    ValueError, which the settings' validation reports with the key."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{url!r} is not an http(s) URL")
    return url
