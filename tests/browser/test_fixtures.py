"""The browser fixtures themselves: an off-machine request is caught, a local page is not."""

from __future__ import annotations

import pytest

from .offsite import is_offsite

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(
    ("url", "offsite"),
    [
        ("http://127.0.0.1:8050/_dash-layout", False),
        ("http://localhost/x.js", False),
        ("file:///tmp/report.html", False),
        ("data:image/png;base64,AAAA", False),
        ("blob:http://127.0.0.1/abc", False),
        ("https://cdn.plot.ly/plotly-2.js", True),
        ("http://127.0.0.2/", True),
        ("https://fonts.googleapis.com/css", True),
    ],
)
def test_is_offsite(url: str, offsite: bool) -> None:
    assert is_offsite(url) is offsite


def test_local_file_page_renders(browser_page, tmp_path, artifacts_dir) -> None:
    html = tmp_path / "page.html"
    html.write_text("<html><body><h1 id='t'>plazasim</h1></body></html>", encoding="utf-8")
    browser_page.goto(html.as_uri())
    assert browser_page.inner_text("#t") == "plazasim"
    assert artifacts_dir.is_dir() and artifacts_dir.name == "test-artifacts"
