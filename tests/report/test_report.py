from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.report.html import build_report

#: The report of the default run (``plazasim run mexico-2006``) must stay below this.
MAX_BYTES = 15_000_000


def _own_text(html: str) -> str:
    """The page without the inlined plotly.js bundle (which names its own URLs)."""
    return re.sub(
        r"<script>/\*\*\s*\n\* plotly\.js.*?</script>",
        "<script></script>",
        html,
        count=1,
        flags=re.S,
    )


def _figures(html: str) -> list[dict]:
    return [
        json.loads(m.replace("<\\/", "</"))
        for m in re.findall(r"plazasimPlot\('fig\d+', (.*?)\);</script>", html)
    ]


def _check_offline(html: str) -> None:
    assert "<script src" not in html.lower()
    own = _own_text(html)
    assert len(own) < len(html) - 1_000_000  # the bundle was found and cut out
    assert "http://" not in own and "https://" not in own  # no CDN, no tiles, no fonts


def test_report_of_a_run_is_one_offline_page(
    small_run: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", str(small_run)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {small_run / 'report.html'} (")
    html = (small_run / "report.html").read_text(encoding="utf-8")
    _check_offline(html)
    figs = _figures(html)
    assert len(figs) == 3  # map, homicides, flows
    map_fig = figs[0]
    assert len(map_fig["frames"]) == 7  # first week of Jan..Jun 2007, and the last week
    assert all(len(t["x"]) for t in figs[1]["data"])
    # a second report replaces the first, and says so
    assert main(["report", str(small_run), "--every", "quarter"]) == 0
    assert "note: replacing" in capsys.readouterr().err
    assert len(_figures((small_run / "report.html").read_text())[0]["frames"]) == 3


def test_mexico_report_shares_one_outline_set_and_fits_the_size_budget(
    mexico_run: Path, tmp_path: Path
) -> None:
    html = build_report(mexico_run)
    _check_offline(html)
    assert html.count('"type":"FeatureCollection"') == 1  # both layers use one copy
    figs = _figures(html)
    control, violence = figs[0]["data"][1:3]
    assert control["geojson"] == violence["geojson"] == "__plazasim_geojson__0"
    assert len(control["locations"]) == 2454
    # no base map (it would need plotly's topojson from its CDN); borders drawn first, so
    # plotly.js never asks for it; no mapbox or tile layer
    assert figs[0]["layout"]["geo"]["visible"] is False
    assert figs[0]["data"][0]["type"] == "scattergeo"
    assert "mapbox" not in _own_text(html) and "tiles" not in _own_text(html)
    # the default run has 74 monthly frames; this one fewer: extrapolate from the largest
    frames = figs[0]["frames"]
    per_frame = max(len(json.dumps(f, separators=(",", ":"))) for f in frames)
    full = len(html.encode("utf-8")) + per_frame * (74 - len(frames))
    assert full < MAX_BYTES, f"the default run's report would be {full / 1e6:.1f} MB"


def test_compare_folder_report(small_compare: Path) -> None:
    out = small_compare
    assert main(["report", str(out)]) == 0
    html = (out / "report.html").read_text()
    _check_offline(html)
    assert _own_text(html).count('src="data:image/png;base64,') == 1
    assert "Paired differences against crackdown" in html
    assert "homicides_total" in html and "e+0" not in _own_text(html).split("<table")[1]


def test_validation_and_sweep_folder_reports(tmp_path: Path) -> None:
    val = tmp_path / "val"
    val.mkdir()
    pd.DataFrame(
        {
            "fact": ["f"],
            "measured": [0.3],
            "lo": [0.1],
            "hi": [0.5],
            "published": ["about +30%"],
            "source": ["Paper 2020"],
            "holds": [True],
            "criterion": ["the 90% interval lies above 0"],
            "published_value": [0.3],
            "statement": ["x rises"],
            "experiment": ["e"],
            "n_seeds": [3],
            "n_draws": pd.array([pd.NA], dtype="Int64"),
        }
    ).to_parquet(val / "validation.parquet")
    (val / "manifest.json").write_text(json.dumps({"seeds": [1, 2, 3], "draws": []}))
    assert main(["report", str(val)]) == 0
    html = (val / "report.html").read_text()
    _check_offline(html)
    assert "Paper 2020" in html and "+30% [+10%, +50%]" in html

    sweep = tmp_path / "sweep"
    (sweep / "runs").mkdir(parents=True)
    (sweep / "series").mkdir()
    (sweep / "sweep.json").write_text(
        json.dumps({"outputs": {"homicides_total": {"unit": "persons", "meaning": "all"}}})
    )
    pd.DataFrame({"point_id": [0, 1], "lethality": [0.1, 0.2]}).to_parquet(sweep / "points.parquet")
    for i in range(2):
        pd.DataFrame(
            [{"run_id": i, "point_id": i, "lethality": 0.1 * (i + 1), "homicides_total": 100.0 + i}]
        ).to_parquet(sweep / "runs" / f"run-{i:08d}.parquet")
        pd.DataFrame(
            {
                "date": pd.date_range("2007-01-01", periods=3, freq="7D"),
                "homicides_total": np.arange(3.0),
            }
        ).to_parquet(sweep / "series" / f"run-{i:08d}.parquet")
    assert main(["report", str(sweep)]) == 0
    figs = _figures((sweep / "report.html").read_text())
    assert len(figs) == 2 and len(figs[1]["data"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "{tmp}/nowhere"], "error: DIR: {tmp}/nowhere is not a folder"),
        (["report", "{tmp}"], "error: DIR: {tmp} is not a plazasim results folder"),
        (
            ["report", "{run}", "--every", "year"],
            "error: --every: 'year' is not one of week, month, quarter",
        ),
        (["report", "{run}", "--out", "{tmp}"], "error: --out: {tmp} is a folder"),
    ],
)
def test_bad_report_input_is_one_line(
    args: list[str],
    message: str,
    tmp_path: Path,
    small_run: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fill = {"tmp": str(tmp_path), "run": str(small_run)}
    code = main([a.format(**fill) for a in args])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith(message.format(**fill)) and err.count("\n") == 1
