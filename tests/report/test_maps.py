from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plazasim.report.maps import RELATED, control_map, frame_dates
from plazasim.results import read_run


def test_frame_dates_first_week_of_each_month_and_the_last() -> None:
    weeks = pd.date_range("2007-01-01", periods=20, freq="7D")
    monthly = frame_dates(weeks, "month")
    assert monthly[0] == weeks[0] and monthly[-1] == weeks[-1]
    assert len({(d.year, d.month) for d in monthly[:-1]}) == len(monthly) - 1
    assert frame_dates(weeks, "quarter") == [weeks[0], pd.Timestamp("2007-04-02"), weeks[-1]]
    assert frame_dates(weeks, "week") == list(weeks)
    with pytest.raises(ValueError, match="every"):
        frame_dates(weeks, "year")


def test_control_map_frames_follow_the_run(small_run: Path) -> None:
    run = read_run(small_run)
    fig = control_map(run)
    weeks = sorted(pd.to_datetime(run.plazas["date"]).unique())
    names = [f.name for f in fig.frames]
    assert names == [str(d.date()) for d in frame_dates(weeks)]
    n = run.plazas["plaza_id"].nunique()
    legend = list(fig.data[1].marker.colorbar.ticktext)
    total = 0.0
    for frame in fig.frames:
        control, violence = frame.data
        week = run.plazas[run.plazas["date"] == pd.Timestamp(frame.name)]
        expected = [c or "no cartel" for c in week["controller"].astype(str)]
        assert list(control.customdata) == expected
        assert [legend[z] for z in control.marker.color] == expected
        assert len(violence.marker.color) == n and min(violence.marker.color) >= 0
        total += float(np.sum(violence.marker.color))
    # the violence layer accounts for every cartel-related killing up to the last frame
    assert total == pytest.approx(
        run.plazas[list(RELATED)].to_numpy().sum(), abs=0.05 * n * len(fig.frames)
    )


def test_control_map_snaps_dates_and_accepts_a_directory(small_run: Path) -> None:
    fig = control_map(small_run, ["2007-03-03", "2007-03-04", "2030-01-01"])
    # 3 Mar 2007 (a Saturday) lies in the week of 26 Feb; the far date snaps to the last week
    assert [f.name for f in fig.frames] == ["2007-02-26", "2007-06-25"]
    json.loads(fig.to_json())  # serialisable


def test_mexico_outlines_cover_every_plaza() -> None:
    from plazasim.world.geometry import mexico_municipalities, mexico_states, state_border_lines
    from plazasim.world.mexico import load_mexico

    ids = [f["id"] for f in mexico_municipalities()["features"]]
    assert sorted(ids) == sorted(str(p) for p in load_mexico().plaza_id)
    states = mexico_states()["features"]
    assert len(states) == 32 and all(f["properties"]["name"] for f in states)
    lon, lat = state_border_lines()
    xs = [v for v in lon if v is not None]
    ys = [v for v in lat if v is not None]
    assert -118.5 < min(xs) < max(xs) < -86.5 and 14.4 < min(ys) < max(ys) < 32.8


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(dt.date(2000, 1, 1), dt.date(2030, 1, 1)),
    n=st.integers(1, 400),
    every=st.sampled_from(["week", "month", "quarter"]),
)
def test_frame_dates_are_run_weeks_in_order_one_per_period(
    start: dt.date, n: int, every: str
) -> None:
    weeks = pd.date_range(start, periods=n, freq="7D")
    picked = frame_dates(list(reversed(weeks)), every)  # any order in, weeks out in order
    assert picked == sorted(set(picked)) and set(picked) <= set(weeks)
    assert picked[0] == weeks[0] and picked[-1] == weeks[-1]
    if every == "week":
        assert picked == list(weeks)
    else:
        freq = "M" if every == "month" else "Q"
        periods = [pd.Timestamp(d).to_period(freq) for d in picked[:-1]]
        assert len(periods) == len(set(periods))  # one frame per period (and the last week)
        assert set(periods) | {weeks[-1].to_period(freq)} == set(weeks.to_period(freq))
