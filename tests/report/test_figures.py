from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plazasim.cli import main
from plazasim.figures.compare import compare_figure, compare_title, metric_scale
from plazasim.figures.maps import control_map_figure, default_map_dates
from plazasim.figures.outputs import RUN_FIGURES
from plazasim.figures.palette import NO_CONTROL_COLOR, QUALITATIVE, cartel_colors, human_scale
from plazasim.figures.series import flows_figure, homicides_figure
from plazasim.figures.validate import validation_figure
from plazasim.results import read_run

PNG = b"\x89PNG\r\n\x1a\n"


def test_run_writes_its_figures_and_no_figures_skips_them(small_run: Path, tmp_path: Path) -> None:
    for name in RUN_FIGURES:
        assert (small_run / name).read_bytes()[:8] == PNG
    out = tmp_path / "bare"
    assert (
        main(
            [
                "run",
                "synthetic-small",
                "--until",
                "2007-02-28",
                "--out",
                str(out),
                "-q",
                "--no-figures",
            ]
        )
        == 0
    )
    assert sorted(p.name for p in out.iterdir()) == [
        "cartels.parquet",
        "manifest.json",
        "national.parquet",
        "plazas.parquet",
    ]


def test_bad_map_dates_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "run",
            "synthetic-small",
            "--out",
            str(tmp_path / "x"),
            "-q",
            "--map-dates",
            "2007-01-01,2007-13-01",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert err == (
        "error: --map-dates: invalid date '2007-13-01' (expected YYYY-MM-DD, comma-separated)\n"
    )
    assert not (tmp_path / "x").exists()


def test_palette_tells_cartels_apart_and_scales_read_as_people_say_them() -> None:
    colors = cartel_colors([f"c{i}" for i in range(20)])
    assert len(set(colors.values())) == 20 and NO_CONTROL_COLOR not in colors.values()
    assert cartel_colors(["b", "a", "b"]) == {"b": QUALITATIVE[0], "a": QUALITATIVE[1]}
    assert human_scale(27_600) == (1e3, "thousand")
    assert human_scale(1.1e10) == (1e9, "bn")
    assert human_scale(12.0) == (1.0, "")
    assert metric_scale("USD", 4.5e8) == (1e-6, "US$ M")
    assert metric_scale("0-1", 0.3) == (100.0, "percentage points")
    assert metric_scale("persons", 600.0) == (1.0, "persons")


def test_homicide_and_flow_figures_start_at_zero_with_units(small_run: Path) -> None:
    tables = read_run(small_run)
    fig = homicides_figure(tables)
    (ax,) = fig.axes
    assert ax.get_ylim()[0] == 0
    assert "persons" in ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert not any("INEGI" in label for label in labels)  # a synthetic world has no record
    flows = flows_figure(tables)
    ylabels = [a.get_ylabel() for a in flows.axes]
    assert ylabels[2].startswith("US$ ") and "per week" in ylabels[2]
    assert all(a.get_ylim()[0] == 0 for a in flows.axes)


def test_mexico_homicides_show_the_record(mexico_run: Path) -> None:
    fig = homicides_figure(read_run(mexico_run))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any(label.startswith("INEGI") for label in labels)
    assert any(label.startswith("Presidencia") for label in labels)


def test_control_map_figure_panels_follow_the_dates(small_run: Path, mexico_run: Path) -> None:
    tables = read_run(small_run)
    weeks = sorted(pd.to_datetime(tables.plazas["date"]).unique())
    assert default_map_dates(weeks)[0] == weeks[0] and default_map_dates(weeks)[-1] == weeks[-1]
    fig = control_map_figure(tables, ["2007-03-01", "2007-05-01"])
    titles = [a.get_title() for a in fig.axes if a.get_visible()]
    assert [t.split(":")[0] for t in titles] == ["week of 2007-02-26", "week of 2007-04-30"]
    assert "synthetic world" in fig._suptitle.get_text()
    mexico = control_map_figure(read_run(mexico_run), ["2007-01-15"])
    (ax,) = [a for a in mexico.axes if a.get_visible()]
    assert len(ax.collections[0].get_paths()) == 2454  # one outline per plaza


def _compare_frame() -> tuple[pd.DataFrame, dict]:
    rows = []
    rng = np.random.default_rng(0)
    base = {"homicides_total": 27_000.0, "laundered_usd": 1.1e10, "cartels_alive": 10.0}
    runs = {}
    for v, shift in (("signaling", 0.0), ("crackdown", 0.02)):
        for seed in range(5):
            for m, level in base.items():
                value = level * (1 + shift + 0.005 * rng.standard_normal())
                runs[(v, seed, m)] = value
                rows.append(
                    {
                        "row": "seed",
                        "policy": v,
                        "metric": m,
                        "draw": pd.NA,
                        "seed": seed,
                        "value": value,
                    }
                )
    summary = []
    for v in ("signaling", "crackdown"):
        for m in base:
            vals = np.array([runs[(v, s, m)] for s in range(5)])
            diff = vals - np.array([runs[("signaling", s, m)] for s in range(5)])
            lo, med, hi = np.percentile(vals, [5, 50, 95])
            dlo, dmed, dhi = np.percentile(diff, [5, 50, 95])
            summary.append(
                {
                    "row": "summary",
                    "policy": v,
                    "metric": m,
                    "median": med,
                    "lo": lo,
                    "hi": hi,
                    "diff_median": dmed,
                    "diff_lo": dlo,
                    "diff_hi": dhi,
                }
            )
    frame = pd.concat([pd.DataFrame(summary), pd.DataFrame(rows)], ignore_index=True)
    manifest = {
        "variants": ["signaling", "crackdown"],
        "seeds": [42, 43, 44, 45, 46],
        "draws": [],
        "scenarios": {
            v: {"scenario": {"name": "mexico-2006", "start": "2006-12-01", "end": "2012-12-31"}}
            for v in ("signaling", "crackdown")
        },
        "metrics": {
            "laundered_usd": {"unit": "USD", "meaning": "laundered"},
            "cartels_alive": {"unit": "cartels", "meaning": "alive"},
            "homicides_total": {"unit": "persons", "meaning": "all homicides"},
        },
        "interval_percentiles": [5.0, 95.0],
    }
    return frame, manifest


def test_compare_figure_draws_differences_from_zero_in_human_units() -> None:
    frame, manifest = _compare_frame()
    fig = compare_figure(frame, manifest)
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 3
    # panels in the table's order, each with zero inside its range
    assert [a.get_title(loc="left").split("\n")[0] for a in axes] == [
        "all homicides (homicides_total)",
        "laundered (laundered_usd)",
        "alive (cartels_alive)",
    ]
    for ax in axes:
        lo, hi = ax.get_xlim()
        assert lo < 0 < hi or lo <= 0 <= hi
        assert [t.get_text() for t in ax.get_yticklabels()] == ["crackdown"]
    assert axes[0].get_xlabel() == "difference vs signaling (persons)"
    assert axes[1].get_xlabel() == "difference vs signaling (US$ M)"
    assert "signaling: 27" in axes[0].get_title(loc="left")
    title = fig._suptitle.get_text()
    assert "mexico-2006" in title and "2006-12-01 to 2012-12-31" in title
    assert "seeds 42-46" in title and "90% interval" in title
    assert compare_title(manifest).startswith("mexico-2006, 2006-12-01 to 2012-12-31")


def test_validation_figure_one_row_per_fact_with_published_value() -> None:
    table = pd.DataFrame(
        {
            "fact": ["a", "b"],
            "measured": [0.36, -0.1],
            "lo": [0.2, -0.2],
            "hi": [0.5, 0.01],
            "published_value": [0.8, np.nan],
            "holds": [True, False],
            "statement": ["x rises", "y falls"],
            "criterion": ["the 90% interval lies above 0", "the 90% interval lies below 0"],
        }
    )
    fig = validation_figure(
        table, {"seeds": [1, 2, 3], "draws": [], "scenario": {"scenario": {"name": "mexico-2006"}}}
    )
    (ax,) = fig.axes
    assert len(ax.get_yticks()) == 2
    lo, hi = ax.get_xlim()
    assert lo < -20 and hi > 80  # every interval and the published +80% are in view
    assert "1 of 2 hold" in ax.get_title() and "seeds 1-3" in ax.get_title()


def test_compare_png_of_a_real_comparison(small_compare: Path) -> None:
    out = small_compare
    assert (out / "compare.png").read_bytes()[:8] == PNG
    manifest = json.loads((out / "manifest.json").read_text())
    fig = compare_figure(pd.read_parquet(out / "compare.parquet"), manifest)
    assert "difference vs crackdown" in fig.axes[0].get_xlabel()


def test_a_figure_that_fails_to_draw_never_costs_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import plazasim.figures.series as series

    def broken(*args: object) -> None:
        raise ValueError("boom")

    monkeypatch.delenv("PLAZASIM_DEBUG", raising=False)
    monkeypatch.setattr(series, "flows_figure", broken)
    out = tmp_path / "run"
    assert main(["run", "synthetic-small", "--until", "2007-02-28", "--out", str(out), "-q"]) == 0
    err = capsys.readouterr().err
    assert err == "note: figures not drawn (ValueError: boom); the results are complete\n"
    assert sorted(p.name for p in out.iterdir()) == [
        "cartels.parquet",
        "manifest.json",
        "national.parquet",
        "plazas.parquet",
    ]
    assert read_run(out).national["homicides_total"].sum() > 0


def test_a_one_week_run_is_drawn_whole(small_run: Path) -> None:
    from plazasim.results.store import RunTables

    tables = read_run(small_run)
    first = tables.national["date"].min()
    one = RunTables(
        national=tables.national[tables.national["date"] == first],
        plazas=tables.plazas[tables.plazas["date"] == first],
        cartels=tables.cartels[tables.cartels["date"] == first],
        manifest=tables.manifest,
    )
    ax = homicides_figure(one).axes[0]
    top = ax.collections[-1].get_paths()[0].vertices  # the baseline area, the stack's top
    assert np.ptp(top[:, 0]) == pytest.approx(7.0)  # one week wide
    assert top[:, 1].max() == pytest.approx(one.national["homicides_total"].iloc[0])
    for panel in flows_figure(one).axes[:3]:
        assert all(len(line.get_xdata()) == 2 for line in panel.get_lines())
