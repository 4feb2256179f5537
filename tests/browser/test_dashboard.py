"""The dashboard in a real browser: run from the page, see data, click a plaza, upload, compare.

One server (on a free 127.0.0.1 port) for the module; each test opens its own page.
The figures are read back from Plotly's own objects in the page (``gd.data``), so the
tests check that the map and the series hold the run's numbers, not only that a page
loaded. Screenshots go to ``test-artifacts/``.
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.figures.palette import NO_CONTROL
from plazasim.results.store import read_run

from .dashserver import serve_dashboard

pytestmark = pytest.mark.browser

#: 2007-01-01 to 2007-03-31: 13 weekly steps of synthetic-small.
UNTIL = "2007-03-31"
WEEKS = 13
PLAZAS = 200  # synthetic-small's world
MALFORMED = b'[scenario\nname = "broken"\n'


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    runs = tmp_path_factory.mktemp("dashboard-runs")
    with serve_dashboard(runs) as url:
        yield url, runs


def _figure(page: Any, graph_id: str) -> dict[str, Any]:
    """The traces (decoded arrays) and title of a dcc.Graph, as Plotly holds them in the page."""
    return page.evaluate(
        """id => { const gd = document.querySelector(`#${id} .js-plotly-plot`);
                   return {data: gd._fullData.map(t => ({name: t.name,
                                                         x: Array.from(t.x || []),
                                                         y: Array.from(t.y || []),
                                                         custom: Array.from(t.customdata
                                                                            || [])})),
                           title: (gd.layout.title || {}).text || ""}; }""",
        graph_id,
    )


def _run_from_page(page: Any, url: str, other_policy: str | None = None) -> str:
    page.goto(url)
    page.wait_for_selector("#timeline td")  # the form is filled from the scenario
    page.fill("#until", UNTIL)
    if other_policy is not None:
        page.click("#compare-policy")
        page.get_by_role("option", name=other_policy).click()
    page.click("#run-button")
    message = page.wait_for_selector("#form-message .ok:has-text('wrote')", timeout=60_000)
    return message.inner_text()


def test_run_map_series_and_plaza_history(dashboard, browser_page, artifacts_dir) -> None:
    url, runs = dashboard
    page = browser_page
    text = _run_from_page(page, url)
    name = text.removeprefix("wrote ").strip()
    assert (runs / name / "manifest.json").is_file()
    run = read_run(runs / name)  # an ordinary run folder, with the numbers the page shows
    assert len(run.national) == WEEKS
    page.wait_for_function("document.querySelector('#progress').value === 1")
    assert f"{WEEKS} of {WEEKS} weeks" in page.inner_text("#progress-text")

    page.wait_for_function("document.querySelector('#map .js-plotly-plot')?.data?.length > 1")
    chart = _figure(page, "map")
    control = next(t for t in chart["data"] if t["name"] == "control")
    assert len(control["x"]) == PLAZAS
    last = run.plazas[run.plazas["date"] == run.plazas["date"].max()]
    held = last["controller"].astype(str).replace("", NO_CONTROL).value_counts()
    assert pd.Series(control["custom"]).value_counts().to_dict() == held.to_dict()
    assert f"week of {run.national['date'].max().date()}" in chart["title"]
    assert len(held) >= 3  # several cartels hold plazas: the map has something to tell apart

    # The week slider moves the map: its first week.
    page.focus("#week [role=slider]")
    page.keyboard.press("Home")
    first = str(run.national["date"].min().date())
    page.wait_for_function(
        f"document.querySelector('#map .js-plotly-plot').layout.title.text"
        f".includes('week of {first}')"
    )
    assert page.inner_text("#week-label").startswith(f"week 1 of {WEEKS}: {first}")

    series = _figure(page, "series")
    baseline = next(t for t in series["data"] if t["name"] == "non-cartel (baseline)")
    assert baseline["y"] == pytest.approx(run.national["homicides_baseline"].tolist())
    assert sum(baseline["y"]) > 0
    cartels = {t["name"] for t in series["data"]} & set(run.cartels["cartel"].astype(str))
    assert len(cartels) >= 2

    point = page.locator("#map path.point").nth(3)
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function(
        "(document.querySelector('#history .js-plotly-plot')?.layout?.title"
        "?.text || '').startsWith('History of')"
    )
    history = _figure(page, "history")
    plaza = history["title"].split("(")[1].split(",")[0]
    rows = run.plazas[run.plazas["plaza_id"].astype(str) == plaza]
    total = next(t for t in history["data"] if t["name"] == "cartel vs cartel")
    assert total["y"] == pytest.approx(rows["homicides_cartel"].astype(float).tolist())
    control = [
        t
        for t in history["data"]
        if t["name"]
        not in ("cartel vs cartel", "state vs cartel", "bystanders", "non-cartel (baseline)")
    ]
    assert sum(len(t["x"]) for t in control) == WEEKS

    page.locator("h1").click()  # away from the slider, whose tooltip would hide the label
    page.screenshot(path=str(artifacts_dir / "dashboard-run.png"), full_page=True)


def test_malformed_upload_shows_the_cli_line(
    dashboard, browser_page, artifacts_dir, tmp_path
) -> None:
    url, _ = dashboard
    page = browser_page
    page.goto(url)
    page.wait_for_selector("#timeline td")
    page.set_input_files(
        "#upload input[type=file]",
        files=[{"name": "broken.toml", "mimeType": "text/plain", "buffer": MALFORMED}],
    )
    shown = page.wait_for_selector("#upload-message .error").inner_text()

    (tmp_path / "broken.toml").write_bytes(MALFORMED)
    stderr = io.StringIO()
    cwd = Path.cwd()
    os.chdir(tmp_path)
    try:
        with contextlib.redirect_stderr(stderr):
            assert main(["run", "broken.toml", "--quiet"]) == 2
    finally:
        os.chdir(cwd)
    assert shown.strip() == stderr.getvalue().strip()
    assert shown.startswith("error: scenario: malformed TOML at line 1")
    page.screenshot(path=str(artifacts_dir / "dashboard-upload-error.png"), full_page=False)

    # The server carries on: a good file is accepted next, and fills the form.
    good = Path(__file__).parents[2] / "src/plazasim/scenarios/synthetic-small.toml"
    text = good.read_bytes().replace(b'name = "synthetic-small"', b'name = "my-upload"')
    page.set_input_files(
        "#upload input[type=file]",
        files=[{"name": "mine.toml", "mimeType": "text/plain", "buffer": text}],
    )
    page.wait_for_selector("#upload-message .ok:has-text('loaded mine.toml: my-upload')")
    assert page.input_value("#until") == "2008-12-31"


def test_compare_two_policies(dashboard, browser_page, artifacts_dir) -> None:
    url, runs = dashboard
    page = browser_page
    text = _run_from_page(page, url, other_policy="laissez_faire")
    names = text.removeprefix("wrote ").strip().split(", ")
    assert (
        len(names) == 2 and names[1].endswith(tuple(f"laissez_faire{s}" for s in ("",)))
    ) or "laissez_faire" in names[1]
    page.wait_for_function(
        "document.querySelector('#compare-series .js-plotly-plot')?.data?.length === 4"
    )
    series = _figure(page, "compare-series")
    weekly = series["data"][0::2]
    assert [t["name"].split(":")[0] for t in weekly] == ["left", "right"]
    for trace, name in zip(weekly, names, strict=True):
        run = read_run(runs / name)
        related = run.national[["homicides_cartel", "homicides_state", "homicides_bystander"]].sum(
            axis=1
        )
        assert trace["y"] == pytest.approx(related.tolist())
    assert "crackdown" in weekly[0]["name"] and "laissez_faire" in weekly[1]["name"]
    for graph in ("compare-map-a", "compare-map-b"):
        chart = _figure(page, graph)
        assert len(next(t for t in chart["data"] if t["name"] == "control")["x"]) == PLAZAS
    page.locator("#compare-panel").screenshot(path=str(artifacts_dir / "dashboard-compare.png"))

    # Past runs: a click on a row opens that run above.
    page.locator("#runs-table td", has_text=names[1]).click()
    page.wait_for_function(
        f"document.querySelector('#run-picker').innerText.includes('{names[1]}')"
    )
    page.wait_for_function(
        "(document.querySelector('#map .js-plotly-plot')?.data || [])"
        ".some(t => t.name === 'control')"
    )


def _edit_cell(page: Any, column: str, row: int, text: str) -> None:
    cell = page.locator(f'#timeline td[data-dash-column="{column}"]').nth(row)
    cell.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_edit_the_timeline_of_an_upload_and_run_it(dashboard, browser_page) -> None:
    url, runs = dashboard
    page = browser_page
    page.goto(url)
    page.wait_for_selector("#timeline td")
    good = Path(__file__).parents[2] / "src/plazasim/scenarios/synthetic-small.toml"
    text = good.read_bytes().replace(b'name = "synthetic-small"', b'name = "edited"')
    page.set_input_files(
        "#upload input[type=file]",
        files=[{"name": "edited.toml", "mimeType": "text/plain", "buffer": text}],
    )
    page.wait_for_selector("#upload-message .ok")
    page.fill("#until", UNTIL)
    page.click("#add-policy")
    page.wait_for_selector('#timeline tr:nth-child(3) td[data-dash-column="from"]')

    _edit_cell(page, "from", 1, "2007-13-01")  # a mistake first: the CLI's line, no run
    page.click("#run-button")
    shown = page.wait_for_selector("#form-message .error").inner_text()
    assert shown.startswith("error: policy[1].from: invalid date '2007-13-01'")

    _edit_cell(page, "from", 1, "2007-02-05")
    page.click("#run-button")
    name = (
        page.wait_for_selector("#form-message .ok:has-text('wrote')", timeout=60_000)
        .inner_text()
        .removeprefix("wrote ")
        .strip()
    )
    manifest = read_run(runs / name).manifest
    assert [(p["from"], p["name"]) for p in manifest["scenario"]["policy"]] == [
        ("2007-01-01", "crackdown"),
        ("2007-02-05", "laissez_faire"),
    ]
    assert manifest["scenario"]["scenario"]["name"] == "edited"
    assert manifest["invocation"]["args"]["scenario"] == "upload:edited.toml"
