"""The report page in a real browser: the map and the series draw with data, the slider moves.

The page is opened from its file (``file://``); the ``browser_page`` fixture fails the
test if the page asks for anything off the machine, so this also proves the report
works offline. Values are read back from Plotly's objects in the page (``gd.data``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.results.store import read_run

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The report of ``plazasim run mexico-2006 --until 2007-02-28`` (13 weeks, 4 frames)."""
    out = tmp_path_factory.mktemp("report-page") / "mexico"
    assert (
        main(
            ["run", "mexico-2006", "--until", "2007-02-28", "--out", str(out), "-q", "--no-figures"]
        )
        == 0
    )
    assert main(["report", str(out)]) == 0
    return out / "report.html"


def _state(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
        const gd = document.getElementById('fig0');
        return {n: gd.data.length, locations: gd.data[1].locations.length,
                custom: Array.from(gd.data[1].customdata),
                visible: gd._fullData.map(t => t.visible),
                title: gd.layout.title.text, active: gd.layout.sliders[0].active,
                frames: gd._transitionData._frames.map(f => f.name),
                drawn: gd.querySelectorAll('path.choroplethlocation').length,
                series: [1, 2].map(i => document.getElementById('fig' + i).data
                                   .map(t => (t.x || []).length))};
    }""")


def test_report_page_draws_the_map_and_series_and_the_slider_moves(
    report_file: Path, browser_page: Any, artifacts_dir: Path
) -> None:
    page = browser_page
    page.goto(report_file.as_uri())
    page.wait_for_function(
        "() => document.querySelectorAll('#fig0 path.choroplethlocation')"
        ".length > 0 && document.getElementById('fig2').data"
    )
    run = read_run(report_file.parent)
    state = _state(page)
    assert state["n"] == 3 and state["locations"] == 2454
    assert state["drawn"] >= 2454  # every municipality is a drawn polygon
    assert state["frames"] == ["2006-12-01", "2007-01-05", "2007-02-02", "2007-02-23"]
    first = run.plazas[run.plazas["date"] == pd.Timestamp("2006-12-01")]
    assert state["custom"] == [c or "no cartel" for c in first["controller"].astype(str)]
    assert all(n > 0 for fig in state["series"] for n in fig)  # every trace has data
    page.screenshot(path=str(artifacts_dir / "report_page_first_week.png"))

    # drag the slider to its end, as a reader would
    rail = page.locator("#fig0 .slider-rail-rect").bounding_box()
    assert rail is not None
    page.mouse.click(rail["x"] + rail["width"] - 2, rail["y"] + rail["height"] / 2)
    page.wait_for_function(
        "() => document.getElementById('fig0').layout.title.text.includes('2007-02-23')"
    )
    state = _state(page)
    last = run.plazas[run.plazas["date"] == pd.Timestamp("2007-02-23")]
    assert state["custom"] == [c or "no cartel" for c in last["controller"].astype(str)]
    assert state["active"] == 3

    # switch to the violence layer
    page.locator("#fig0 .updatemenu-button").filter(has_text="Violence").click()
    page.wait_for_function("() => document.getElementById('fig0')._fullData[2].visible === true")
    assert _state(page)["visible"][1:] == [False, True]
    page.screenshot(path=str(artifacts_dir / "report_page.png"), full_page=True)
