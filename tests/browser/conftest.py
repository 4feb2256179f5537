"""Fixtures for browser tests: a headless Debian chromium driven by Playwright.

Playwright's own browser download is not used (there is no network at test time); the
tests drive the ``chromium`` of the system package. Every request the page makes to a
host other than 127.0.0.1/localhost fails the test: reports and the dashboard must work
offline, with all their JavaScript and CSS inlined or served locally.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from .offsite import is_offsite

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu"]


def _chromium_path() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.skip("Debian chromium not installed (make test installs it with apt)")
    return path


@pytest.fixture(scope="session")
def _browser() -> Iterator[object]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright not installed (pip install -e '.[test]')")
    executable = _chromium_path()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(_browser) -> Iterator[object]:
    """A fresh Playwright sync Page; the test fails if the page asks for any off-machine URL."""
    context = _browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    offsite: list[str] = []
    page.on(
        "request", lambda request: offsite.append(request.url) if is_offsite(request.url) else None
    )
    # A request to another host is answered locally with an error, never sent.
    context.route(lambda url: is_offsite(url), lambda route: route.abort())
    page.set_default_timeout(30_000)
    yield page
    context.close()
    if offsite:
        pytest.fail("the page requested hosts other than 127.0.0.1: " + ", ".join(offsite[:10]))


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """``test-artifacts/`` at the repository root, where screenshots go (git-ignored)."""
    path = REPO_ROOT / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path
