"""Rendering details beyond the golden days: the zero digest, author cut, `<` neutralisation."""

from __future__ import annotations

from datetime import date

import pytest

from digest.core.config import Topic
from digest.outputs.render import author_line, neutralise, render_digest, render_digests
from tests.support.papers import paper

TOPIC = Topic(keywords=["VLM", ["LLM", "Reasoning"]], filters=["2D"])


def test_a_topic_that_keeps_no_paper_gets_a_papers_0_digest() -> None:
    assert render_digest("MLLM", TOPIC, date(2025, 10, 4), []) == (
        "# 🔍 MLLM Papers · 2025-10-04\n\n"
        "[![Total Papers](https://img.shields.io/badge/Papers-0-2688EB)]()\n"
        "[![Last Updated](https://img.shields.io/badge/dynamic/json?url=https://api.github.com/repos/tavish9/"
        "awesome-daily-AI-arxiv/commits/main&query=%24.commit.author.date&label=updated&color=orange)]()\n\n"
        "---\n\n"
        "## 📌 Filter by Category\n"
        "**Keywords**: `VLM` `LLM,Reasoning`  \n"
        "**Filter**: `2D`\n\n"
        "---\n\n"
        "## 📚 Paper List\n\n"
    )


def test_an_entry_links_the_versionless_abstract_page_and_lists_categories() -> None:
    text = render_digest("MLLM", TOPIC, date(2025, 10, 4), [paper(version=3, categories=["cs.RO", "cs.LG"])])
    assert "(https://arxiv.org/abs/2510.00001)**  `arXiv:2510.00001`  `cs.RO` `cs.LG`  \n" in text
    assert text.endswith("  Text.\n  </details>\n")


def test_no_filters_are_shown_as_none() -> None:
    text = render_digest("MLLM", Topic(keywords=["VLM"]), date(2025, 10, 4), [])
    assert "**Filter**: `None`\n" in text


def test_entries_are_separated_by_one_blank_line() -> None:
    text = render_digest("MLLM", TOPIC, date(2025, 10, 4), [paper("2510.00002"), paper()])
    assert "  </details>\n\n- **[A paper](https://arxiv.org/abs/2510.00001)" in text


def test_a_date_s_digests_share_each_entry_and_read_as_each_topic_s_own() -> None:
    shared, other = paper("2510.00002", title="Shared"), paper(title="Own", categories=["cs.RO", "cs.LG"])
    topics = {"MLLM": (TOPIC, [shared, other]), "Robots": (Topic(keywords=["robot"]), [shared]), "None": (TOPIC, [])}
    summaries = {"2510.00002": "A line.\nAnother."}
    day = date(2025, 10, 4)
    digests = render_digests(day, topics, code_links=True, summaries=summaries)
    assert digests == {
        name: render_digest(name, topic, day, papers, code_links=True, summaries=summaries).encode("utf-8")
        for name, (topic, papers) in topics.items()
    }
    assert (
        b"  <details open><summary>TL;DR</summary>\n  A line.  \n  Another.\n  </details>\n\n- **[Own]"
        in digests["MLLM"]
    )


def test_authors_are_cut_to_six_plus_et_al() -> None:
    assert author_line([f"A{n}" for n in range(7)]) == "A0, A1, A2, A3, A4, A5, et al."
    assert author_line([f"A{n}" for n in range(6)]) == "A0, A1, A2, A3, A4, A5"


def test_a_less_than_sign_that_would_open_a_tag_is_neutralised() -> None:
    assert (
        neutralise("the <ACT> token, </s>, <!-- x -->, <?php") == "the &lt;ACT> token, &lt;/s>, &lt;!-- x -->, &lt;?php"
    )


def test_other_less_than_signs_and_ampersands_are_printed_as_given() -> None:
    assert neutralise("x < 3, a<=b, <5%, R&D") == "x < 3, a<=b, <5%, R&D"


def test_title_authors_and_abstract_are_neutralised() -> None:
    text = render_digest(
        "MLLM", TOPIC, date(2025, 10, 4), [paper(title="<b>VLM", authors=["<i>Ada"], abstract="<ACT> token")]
    )
    assert "[&lt;b>VLM]" in text
    assert "_&lt;i>Ada_" in text
    assert "  &lt;ACT> token\n" in text


def entry_line(title: str) -> str:
    text = render_digest("MLLM", TOPIC, date(2025, 10, 4), [paper(title=title)])
    return next(line for line in text.splitlines() if line.startswith("- **["))


def test_backticks_in_a_title_are_escaped_so_no_code_span_swallows_the_link() -> None:
    assert entry_line("From `May' to `Is': Tense in VLMs") == (
        "- **[From \\`May' to \\`Is': Tense in VLMs](https://arxiv.org/abs/2510.00001)**  `arXiv:2510.00001`  `cs.CV`  "
    )


def test_brackets_in_a_title_cannot_nest_a_live_link() -> None:
    assert entry_line("A [x](javascript:alert(1)) VLM").startswith(
        "- **[A \\[x\\](javascript:alert(1)) VLM](https://arxiv.org/abs/2510.00001)**"
    )


def test_only_backticks_and_brackets_are_escaped_in_a_title() -> None:
    assert entry_line("A *bold* _VLM_ \\alpha <ACT>").startswith(
        "- **[A *bold* _VLM_ \\alpha &lt;ACT>](https://arxiv.org/abs/"
    )


def test_an_abstract_keeps_its_backticks_and_brackets() -> None:
    text = render_digest("MLLM", TOPIC, date(2025, 10, 4), [paper(abstract="Uses `code` and [refs].")])
    assert "  Uses `code` and [refs].\n" in text


def test_control_characters_are_dropped_from_every_printed_text() -> None:
    text = render_digest(
        "MLLM",
        TOPIC,
        date(2025, 10, 4),
        [paper(title="A \x1b[31mVLM\x07", authors=["Ada\x00 Lovelace"], abstract="About\x85 VLMs\x9b.")],
    )
    assert "[A \\[31mVLM](https://arxiv.org/abs/2510.00001)" in text
    assert "_Ada Lovelace_" in text
    assert "  About  VLMs.\n" in text
    assert not any(0 < ord(character) < 32 and character != "\n" for character in text)


def test_an_ascii_text_loses_its_control_characters_and_keeps_its_tabs() -> None:
    assert neutralise("About\x00 VLMs\r\n\tand\x7f more") == "About VLMs  \tand more"
    assert neutralise("About\tVLMs") == "About\tVLMs"


def test_a_line_break_in_a_title_cannot_start_a_heading() -> None:
    assert entry_line("A VLM\n# Pwned\r\n\nline").startswith("- **[A VLM # Pwned   line](https://arxiv.org/abs/")


SCRIPT_LINKS = {
    "javascript": "[x](javascript:alert(1))",
    "any case": "[x](JaVaScRiPt:alert(1))",
    "vbscript": "[x](vbscript:msgbox(1))",
    "data": "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "leading space": "[x]( javascript:alert(1))",
    "entity": "[x](&#106;avascript:alert(1))",
    "named entity colon": "[x](javascript&colon;alert(1))",
    "tab entity inside": "[x](java&Tab;script:alert(1))",
    "backslash escape": "[x](javascript\\:alert(1))",
    "definition": "[x]: javascript:alert(1)",
}


@pytest.mark.parametrize("link", SCRIPT_LINKS.values(), ids=SCRIPT_LINKS.keys())
def test_a_link_to_a_script_in_authors_or_abstract_is_broken(link: str) -> None:
    text = render_digest("MLLM", TOPIC, date(2025, 10, 4), [paper(authors=[f"Ada {link}"], abstract=f"See {link}.")])
    broken = link.replace("](", "]\\(").replace("]:", "]\\:")
    assert f"_Ada {broken}_" in text
    assert f"  See {broken}.\n" in text


def test_a_link_to_a_web_page_stays_a_link() -> None:
    assert neutralise("code at [repo](https://github.com/a/b) and [x]: https://e.org") == (
        "code at [repo](https://github.com/a/b) and [x]: https://e.org"
    )
