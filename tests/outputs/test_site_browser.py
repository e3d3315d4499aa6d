"""The site in a real browser: Debian's Chromium, driven by Playwright, against the golden days' site served
from 127.0.0.1. Search leads to a paper's entry, an abstract opens, a label survives a reload, and the
export is a file `digest label --import` takes; no page logs a console error.

Without Chromium or Playwright every test here is skipped, saying which is missing: never passed.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from digest.cli.main import main
from tests.support.golden import golden_config_path
from tests.support.local_server import LocalServer

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
"""Without the background-networking flags Chromium keeps calling out of a machine that has no way out."""
DAY = "MLLM/2025-10-13.html"
KNOWN = "2510.09032"
"""Its title is the only one of the golden days with the word "Chakma"."""

# A mark, checked before any fixture: without Chromium the golden site is not built only to be skipped.
pytestmark = pytest.mark.skipif(
    not CHROMIUM.is_file(),
    reason=f"no Chromium at {CHROMIUM}: `apt-get install chromium` (done by .ci/run) runs this test",
)


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """The test's output is the browser's, not a line per request."""


@pytest.fixture(scope="module")
def server(golden_site: Path) -> Iterator[str]:
    handler = functools.partial(QuietHandler, directory=str(golden_site))
    with LocalServer(handler) as running:  # type: ignore[arg-type]
        yield f"http://127.0.0.1:{running.port}/"


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """One Chromium for the module: starting it is most of a test's time, and each test gets a context of its own."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        pytest.skip("Playwright is not installed: `pip install -e '.[test]'` runs this test")
    with sync_playwright() as playwright:
        try:
            running = playwright.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        except Error as err:
            pytest.skip(f"Chromium at {CHROMIUM} did not start: {err.message.splitlines()[0]}")
        yield running
        running.close()


@pytest.fixture
def browser(chromium: Any) -> Iterator[Any]:
    """A browser context of its own (its own storage, as a fresh profile: no labels from another test), downloads
    allowed."""
    context = chromium.new_context(accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def errors(browser: Any) -> list[str]:
    """Every console error and uncaught exception of every page the test opens."""
    seen: list[str] = []

    def watch(page: Any) -> None:
        page.on("console", lambda m: seen.append(f"{m.text} ({m.location['url']})") if m.type == "error" else None)
        page.on("pageerror", lambda error: seen.append(str(error)))

    for page in browser.pages:
        watch(page)
    browser.on("page", watch)
    return seen


def open_page(browser: Any, url: str) -> Any:
    page = browser.pages[0] if browser.pages else browser.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


def test_search_for_a_word_of_a_title_leads_to_the_papers_entry(browser: Any, server: str, errors: list[str]) -> None:
    page = open_page(browser, server)
    page.fill(".pagefind-ui__search-input", "Chakma")
    link = page.locator(f'.pagefind-ui__result-link[href$="{DAY}#{KNOWN}"]').first
    link.wait_for()
    link.click()
    page.wait_for_url(f"**/{DAY}#{KNOWN}")
    heading = page.locator(f'h2[id="{KNOWN}"]')
    assert "Chakma" in heading.inner_text()
    assert heading.is_visible()
    assert errors == []


def test_an_abstract_opens_with_a_click(browser: Any, server: str, errors: list[str]) -> None:
    page = open_page(browser, server + DAY)
    article = page.locator(f'article[data-id="{KNOWN}"]')
    abstract = article.locator("details p")
    assert not abstract.is_visible()
    article.locator("summary").click()
    assert abstract.is_visible()
    assert "Chakma" in abstract.inner_text()
    assert errors == []


def test_a_label_click_survives_a_reload_and_shows_on_every_page(browser: Any, server: str, errors: list[str]) -> None:
    page = open_page(browser, server + DAY)
    relevant = page.locator(f'article[data-id="{KNOWN}"] button[data-label="1"]')
    relevant.click()
    assert relevant.get_attribute("aria-pressed") == "true"
    page.reload()
    assert relevant.get_attribute("aria-pressed") == "true"
    assert page.locator('[data-label-count="MLLM"]').first.inner_text() == "1"
    page = open_page(browser, server + "MLLM/index.html")
    assert page.locator('[data-label-count="MLLM"]').inner_text() == "1"
    page = open_page(browser, server)
    assert page.locator('[data-label-count="MLLM"]').inner_text() == "1"
    assert errors == []


def test_a_second_click_takes_the_label_back(browser: Any, server: str, errors: list[str]) -> None:
    page = open_page(browser, server + DAY)
    relevant = page.locator(f'article[data-id="{KNOWN}"] button[data-label="1"]')
    relevant.click()
    relevant.click()
    page.reload()
    assert relevant.get_attribute("aria-pressed") == "false"
    assert errors == []


def test_the_export_downloads_labels_that_digest_label_imports(
    browser: Any, server: str, errors: list[str], tmp_path: Path
) -> None:
    page = open_page(browser, server + DAY)
    page.locator(f'article[data-id="{KNOWN}"] button[data-label="1"]').click()
    page.locator('article[data-id="2510.01795"] button[data-label="0"]').click()
    with page.expect_download() as downloading:
        page.locator('button[data-export="MLLM"]').click()
    download = downloading.value
    assert download.suggested_filename == "MLLM.csv"
    exported = tmp_path / "MLLM.csv"
    download.save_as(exported)
    assert exported.read_text(encoding="utf-8") == f"id,label,note\n2510.01795,0\n{KNOWN},1\n"
    config = tmp_path / "config.yml"
    shutil.copy(golden_config_path("2025-10-13"), config)
    result = CliRunner().invoke(main, ["label", "--topic", "MLLM", "--import", str(exported), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.output == f"{tmp_path / 'labels' / 'MLLM.csv'}: 2 added\n"
    assert errors == []


def test_keyboard_alone_reaches_a_label_button(browser: Any, server: str, errors: list[str]) -> None:
    page = open_page(browser, server + DAY)
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.getAttribute('data-label')")
        if focused == "1":
            break
    page.keyboard.press("Enter")
    assert page.locator('button[data-label="1"][aria-pressed="true"]').count() == 1
    assert errors == []
