"""The error tree: every exception the project raises is a DigestError, and its fields are shown one way."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from digest.core import errors
from digest.core.errors import DigestError, FetchError, NotifyError, format_error


def test_every_exception_the_project_defines_is_in_the_one_tree() -> None:
    defined = [value for value in vars(errors).values() if isinstance(value, type) and issubclass(value, Exception)]
    assert defined and all(issubclass(kind, DigestError) for kind in defined)


def test_no_module_defines_an_exception_outside_the_tree() -> None:
    digest = Path(errors.__file__).parent.parent
    outside = [
        f"{path.relative_to(digest)}: {node.name}"
        for path in sorted(digest.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id in {"Exception", "BaseException"} for base in node.bases)
        and path.name != "errors.py"
    ]
    assert outside == []


@pytest.mark.parametrize("name", ["IncompleteResponse", "RetryableFetch", "UnreachableError", "ExpiredToken"])
def test_the_fetch_signals_are_fetch_errors(name: str) -> None:
    assert issubclass(getattr(errors, name), FetchError)


def test_a_url_is_shown_after_the_message_with_its_secret_masked() -> None:
    err = FetchError("arXiv API refused the request (HTTP 403)", url="https://example.org/api?token=abcdef123456")
    assert str(err) == "arXiv API refused the request (HTTP 403): https://example.org/api?token=***"
    assert err.message == "arXiv API refused the request (HTTP 403)"


def test_a_long_url_is_cut_where_it_is_shown() -> None:
    shown = format_error(FetchError("failed", url="https://export.arxiv.org/api/query?id_list=" + "2510.00001," * 40))
    assert len(shown.removeprefix("failed: ")) == 160 and shown.endswith("…")


def test_a_date_added_on_the_way_out_comes_first_and_keeps_the_kind() -> None:
    err = FetchError("arXiv API did not answer after 3 tries (HTTP 503)", url="https://export.arxiv.org/api/query")
    dated = err.on(date(2025, 10, 13), "left unfinished by an earlier run")
    assert type(dated) is FetchError and dated.day == date(2025, 10, 13)
    assert str(dated) == (
        "2025-10-13, left unfinished by an earlier run: arXiv API did not answer after 3 tries (HTTP 503): "
        "https://export.arxiv.org/api/query"
    )
    assert err.day is None


def test_a_notification_target_names_what_refused() -> None:
    err = NotifyError("HTTP 500", target="json://example.org/***")
    assert (str(err), err.target) == ("notify json://example.org/***: HTTP 500", "json://example.org/***")
