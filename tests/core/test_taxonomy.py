"""Category codes are checked against arXiv's taxonomy, with the closest codes suggested."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from digest.core.taxonomy import category_problem, load_taxonomy
from tests.support.golden import golden_config_path


@pytest.mark.parametrize("code", ["cs.CL", "cs.LG", "hep-th", "physics.optics", "cond-mat.str-el", "q-bio.NC"])
def test_every_current_code_is_accepted(code: str) -> None:
    assert category_problem(code) is None


@pytest.mark.parametrize(("alias", "canonical"), [("math.IT", "cs.IT"), ("cs.SY", "eess.SY"), ("stat.TH", "math.ST")])
def test_the_aliases_arxiv_still_uses_are_accepted(alias: str, canonical: str) -> None:
    assert category_problem(alias) is None
    assert load_taxonomy()[alias].alias_of == canonical


def test_swapped_letters_are_suggested_first() -> None:
    assert category_problem("cs.LC") == "category 'cs.LC' is not an arXiv category; did you mean cs.CL or cs.LG?"


def test_a_code_in_the_wrong_case_suggests_that_code_alone() -> None:
    assert category_problem("cs.cv") == "category 'cs.cv' is not an arXiv category; did you mean cs.CV?"


def test_words_are_looked_up_in_the_names() -> None:
    assert category_problem("computer-vision") == (
        "category 'computer-vision' is not an arXiv category; did you mean cs.CV?"
    )


def test_a_code_far_from_any_points_to_the_taxonomy() -> None:
    assert category_problem("cs.XX") == (
        "category 'cs.XX' is not an arXiv category; see https://arxiv.org/category_taxonomy"
    )


def test_an_archive_is_not_a_category() -> None:
    assert (
        category_problem("cs")
        == "'cs' is an arXiv archive, not a category; name its categories (cs.AI, cs.AR, cs.CC, …)"
    )


def test_a_closed_archive_names_its_successor() -> None:
    assert category_problem("cmp-lg") == (
        "category 'cmp-lg' is an arXiv archive closed long ago; arXiv lists its papers as cs.CL"
    )


def test_check_config_refuses_a_misspelled_category_with_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "digest.yaml"
    config.write_text(golden_config_path("2025-10-13").read_text().replace("cs.CL:", "cs.LC:"))
    result = CliRunner().invoke(main, ["check-config", "--config", str(config)])
    assert result.exit_code == 2
    assert result.output == (
        f"Error: {config}: category: category 'cs.LC' is not an arXiv category; did you mean cs.CL or cs.LG?\n"
    )
