"""Every test runs with a clean environment: no DIGEST_* from the developer's shell, caches under tmp_path;
the temporary folders are in RAM when the machine has a RAM filesystem."""

from __future__ import annotations

import contextlib
import functools
import getpass
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import feedparser
import pytest
from filelock import FileLock

from tests.support.arxiv_server import ArxivServer
from tests.support.receiver import Receiver
from tests.support.world import golden_world

RAM_FILESYSTEM = Path("/dev/shm")
RAM_NEEDED = 1 << 30
"""Free bytes /dev/shm needs to hold a run's folders (they peak near 200 MB): a container's is often 64 MB."""
_CHOSEN_TEMPORARY_ROOT = ("PYTEST_DEBUG_TEMPROOT", "TMPDIR", "TEMP", "TMP")
_RAM_ROOT = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    """pytest's temporary root in RAM when there is room, unless the user chose a place (`--basetemp`, or one
    of `_CHOSEN_TEMPORARY_ROOT`): the stores' commits and the atomic writes' fsyncs would wait for the disk.
    xdist's workers are given folders inside the one this process makes."""
    chosen = config.option.basetemp or any(os.environ.get(name) for name in _CHOSEN_TEMPORARY_ROOT)
    if not chosen and os.access(RAM_FILESYSTEM, os.W_OK | os.X_OK) and _free_bytes(RAM_FILESYSTEM) >= RAM_NEEDED:
        os.environ["PYTEST_DEBUG_TEMPROOT"] = str(RAM_FILESYSTEM)
        config.stash[_RAM_ROOT] = RAM_FILESYSTEM / f"pytest-of-{getpass.getuser()}"


def _free_bytes(folder: Path) -> int:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return 0


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """`-n auto` (the default, `pyproject.toml`): one worker more than the cores this process may use. The
    end-to-end tests wait on their servers and child processes, and the extra worker fills that time: on 2
    cores three workers ran the suite in 70 to 72 s where two took 74 to 77. `PYTEST_XDIST_AUTO_NUM_WORKERS`
    still chooses."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores + 1


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """After a passing run, once pytest has removed the run's folder, nothing of the suite stays in RAM:
    pytest's `pytest-current` link (dangling now) goes, and `pytest-of-<user>` too unless another run holds a
    folder there (a failing run's, kept for a look: pytest keeps the last three)."""
    root = session.config.stash.get(_RAM_ROOT, None)
    if exitstatus != 0 or root is None:
        return
    current = root / "pytest-current"
    if current.is_symlink() and not current.exists():
        current.unlink(missing_ok=True)
    with contextlib.suppress(OSError):
        root.rmdir()


@pytest.fixture(scope="session", autouse=True)
def feeds_parsed_once() -> Iterator[None]:
    """`feedparser.parse` of bytes remembered per test process (the last 8 bodies): the local arXiv serves the
    same golden feed, up to a megabyte, to every run of a module, and each parse takes 0.2 to 0.5 s.

    Faithful: it is the same function called with the same bytes and the same keyword arguments, and for bytes
    it reads no clock, network or file, so it returns an equal result; that result is only read (by
    `rss.parse_listing` and the feed tests), never changed, so one result can serve every call."""
    parse = feedparser.parse

    @functools.lru_cache(maxsize=8)
    def parsed(body: bytes, options: tuple[tuple[str, object], ...]) -> feedparser.FeedParserDict:
        return parse(body, **dict(options))

    def remembered(source: object, **options: object) -> feedparser.FeedParserDict:
        if isinstance(source, bytes):
            return parsed(source, tuple(sorted(options.items())))
        return parse(source, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(feedparser, "parse", remembered)
        yield


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("DIGEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("DIGEST_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))


@pytest.fixture(autouse=True)
def no_remembered_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no target's secrets remembered by an earlier one (`digest.core.redact`)."""
    monkeypatch.setattr("digest.core.redact._known", set())


def built_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], None]) -> Path:
    """`tmp/name`, made by `build` once for the whole run: the first xdist worker to need it builds it while
    the others wait, then every worker reads the same folder (pytest-xdist's recipe for a session fixture)."""
    shared = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        shared = shared.parent
    made = shared / name
    with FileLock(shared / f"{name}.lock"):
        if not (shared / f"{name}.built").exists():
            made.mkdir()
            build(made)
            (shared / f"{name}.built").touch()
    return made


@pytest.fixture(scope="session")
def golden_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every golden day rendered into one archive (digests, records, index pages), with feeds long enough to
    hold them all: read, never changed, by the tests of feeds, records and the site."""
    from tests.support.golden import DAYS
    from tests.support.recipes import render_golden_day

    def render_every_day(made: Path) -> None:
        for day in DAYS:
            # Each render rewrites every feed with all the days it holds: feeds long from the first render on
            # would rewrite every earlier day at each one. Made long by the last render alone, they are the same.
            feed_days = "1000" if day == DAYS[-1] else "1"
            env = {"DIGEST_FEED_DAYS": feed_days, "DIGEST_CACHE_DIR": str(made / "cache")}
            render_golden_day(made / "output", day, env)

    return built_once(tmp_path_factory, "golden-archive", render_every_day) / "output"


@pytest.fixture(scope="session")
def golden_site(golden_archive: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The golden days' site, with Pagefind's real search index: read, never changed."""
    from digest.outputs.site import build_site

    def build(made: Path) -> None:
        build_site(golden_archive, made / "site", ["MLLM"])

    return built_once(tmp_path_factory, "golden-site", build) / "site"


@pytest.fixture
def arxiv_days() -> list[str]:
    """The golden days the local arXiv serves; a module that needs others overrides this fixture."""
    return ["2025-10-13"]


@pytest.fixture
def server(arxiv_days: list[str]) -> Iterator[ArxivServer]:
    """The local arXiv on 127.0.0.1, serving the golden `arxiv_days` with the first one's mailing on its feed."""
    world = golden_world(arxiv_days)
    with ArxivServer(world) as running:
        running.current_mailing = min(world.mailings)
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A notification receiver on 127.0.0.1 that records every message posted to it."""
    with Receiver() as running:
        yield running
