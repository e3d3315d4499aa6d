"""Code links: repositories and project pages found in abstracts and comments, as arXiv prints them."""

from __future__ import annotations

from digest.core.links import CodeLink, find_code_links
from tests.support.golden import DAYS, golden_papers


def urls(*texts: str | None) -> list[str]:
    return [link.url for link in find_code_links(*texts)]


def test_a_github_repository_at_the_end_of_a_sentence_loses_the_full_stop() -> None:
    abstract = "Code and models are available at https://github.com/OpenGVLab/InternVL."
    assert find_code_links(abstract) == [CodeLink("https://github.com/OpenGVLab/InternVL", "code")]


def test_a_scheme_less_host_as_arxiv_listings_print_it_is_found() -> None:
    # A real golden abstract (2507.18429): the listing keeps `//github.com/...` once the `https:` is cut.
    assert urls("Our code is available at //github.com/MahdiGhafoorian/NLML_HPE.") == [
        "https://github.com/MahdiGhafoorian/NLML_HPE"
    ]


def test_dot_git_fragments_and_a_closing_parenthesis_are_trimmed() -> None:
    comment = "Accepted at CVPR 2025 (code: https://gitlab.com/lab/tool.git#readme)."
    assert urls(comment) == ["https://gitlab.com/lab/tool"]


def test_a_parenthesis_inside_the_url_stays() -> None:
    assert urls("see https://github.com/a/b_(c) for details") == ["https://github.com/a/b_(c)"]


def test_hugging_face_models_datasets_and_spaces_are_code_links() -> None:
    abstract = (
        "Weights: https://huggingface.co/Qwen/Qwen2-VL-7B, data: https://huggingface.co/datasets/lmms-lab/MMMU, "
        "demo: https://huggingface.co/spaces/org/demo."
    )
    assert urls(abstract) == [
        "https://huggingface.co/Qwen/Qwen2-VL-7B",
        "https://huggingface.co/datasets/lmms-lab/MMMU",
        "https://huggingface.co/spaces/org/demo",
    ]


def test_codeberg_and_bitbucket_repositories_are_code_links() -> None:
    assert urls("Code: https://codeberg.org/a/b; mirror https://bitbucket.org/c/d") == [
        "https://codeberg.org/a/b",
        "https://bitbucket.org/c/d",
    ]


def test_a_github_io_page_is_a_project_page_not_code() -> None:
    assert find_code_links("Project page: https://vlm-lab.github.io/omni/.") == [
        CodeLink("https://vlm-lab.github.io/omni", "project")
    ]


def test_a_url_introduced_as_a_project_page_is_one() -> None:
    comment = "15 pages. Project website: https://example.org/omni-bench"
    assert find_code_links(comment) == [CodeLink("https://example.org/omni-bench", "project")]


def test_a_url_not_introduced_as_code_is_not_a_code_link() -> None:
    abstract = "We evaluate on data from https://zenodo.org/records/123 and report results at https://eval.ai/x."
    assert urls(abstract) == []


def test_site_pages_of_code_hosts_are_not_repositories() -> None:
    abstract = (
        "Compare https://github.com/topics/vlm, https://huggingface.co/papers/2501.00001 and https://github.com/org."
    )
    assert urls(abstract) == []


def test_the_same_repository_in_abstract_and_comment_is_listed_once() -> None:
    assert urls("Code: https://github.com/a/Repo.", "Code at https://github.com/a/repo.git") == [
        "https://github.com/a/Repo"
    ]


def test_a_paper_carries_the_links_of_its_abstract_and_comment() -> None:
    paper = golden_papers(DAYS[0])[0].model_copy(update={"comment": "Code: https://github.com/a/b"})
    assert paper.code_links == [CodeLink("https://github.com/a/b", "code")]


def test_the_golden_days_have_few_code_links_because_their_listings_cut_urls() -> None:
    # The golden candidates come from arXiv's HTML listing, which prints most URLs as "this https URL":
    # only the abstracts that spelled a host out keep one (counted by reading them; see docs/design.md).
    found = {paper.id for day in DAYS for paper in golden_papers(day) if paper.code_links}
    assert found == {"2412.03515", "2507.18429", "2607.08085"}
