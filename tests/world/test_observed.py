"""Tests of the shipped observed series (observed_mexico.parquet) and of its build script."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from plazasim.errors import PlazasimError
from plazasim.world import observed
from plazasim.world.observed import annual, load_observed, monthly, states

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_observed.py"
SHARED_DATA = REPO.parent / "shared" / "data"
STATES = [f"{i:02d}" for i in range(1, 33)]

#: Published figures (shared/data/PROVENANCE.md, "Key sanity check").
PRESIDENCIA_NATIONAL = {2007: 2826, 2008: 6837, 2009: 9614, 2010: 15273}
INEGI_NATIONAL = {2006: 10395, 2007: 8837, 2008: 14229, 2009: 19800, 2010: 26046}
INEGI_JUAREZ = {2007: 200, 2008: 1620, 2009: 2399, 2010: 3747}


def _months(first: str, last: str) -> list[str]:
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_observed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return load_observed()


def test_columns_and_dtypes(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == ["series", "geo", "year", "month", "value"]
    assert pd.api.types.is_string_dtype(frame.series)
    assert pd.api.types.is_string_dtype(frame.geo)
    assert frame.year.dtype == "int16"
    assert frame.month.dtype == "int8"
    assert frame.value.dtype == "float64"
    schema = pq.read_schema(observed.OBSERVED_FILE.open("rb"))
    assert schema.types == [pa.string(), pa.string(), pa.int16(), pa.int8(), pa.float64()]


def test_keys_are_unique_and_values_are_counts(frame: pd.DataFrame) -> None:
    assert not frame.duplicated(["series", "geo", "year", "month"]).any()
    assert set(frame.series) == set(observed.SERIES)
    assert frame.month.between(0, 12).all()
    assert (frame.value >= 0).all() and (frame.value % 1 == 0).all()
    assert frame.notna().all().all()


def test_nothing_after_2010(frame: pd.DataFrame) -> None:
    assert observed.LAST_OBSERVED_YEAR == 2010
    assert frame.year.max() == 2010
    assert frame.year.min() == 2006


def test_presidencia_published_figures(frame: pd.DataFrame) -> None:
    nat = frame[(frame.series == "presidencia_deaths") & (frame.geo == "national")]
    assert nat[nat.month > 0].value.sum() == 34612
    assert nat[nat.month == 0].set_index("year").value.to_dict() == PRESIDENCIA_NATIONAL
    assert annual("presidencia_deaths", "national", [2007, 2008, 2009, 2010]).tolist() == [
        2826.0,
        6837.0,
        9614.0,
        15273.0,
    ]
    # December 2006 is the only month of 2006 and has no annual row.
    assert monthly("presidencia_deaths", "national", "2006-12", "2006-12").tolist() == [62.0]


def test_inegi_published_figures() -> None:
    years = list(INEGI_NATIONAL)
    assert annual("inegi_homicides", "national", years).to_dict() == INEGI_NATIONAL
    assert annual("inegi_homicides", "08037", list(INEGI_JUAREZ)).to_dict() == INEGI_JUAREZ


def test_non_attributed_homicides_rose_in_most_states() -> None:
    """The figures docs/MODEL.md gives for spill-over beyond the war states."""
    years = [2007, 2010]
    rose = []
    for geo in STATES:
        rest = annual("inegi_homicides", geo, years) - annual("presidencia_deaths", geo, years)
        rose.append(rest.iloc[1] > rest.iloc[0])
    assert sum(rose) == 24
    city = annual("inegi_homicides", "09", years) - annual("presidencia_deaths", "09", years)
    assert list(city) == [667, 914]
    assert list(annual("presidencia_deaths", "09", years)) == [182, 191]


def test_coverage(frame: pd.DataFrame) -> None:
    assert states() == STATES
    expected = {
        "presidencia_deaths": ([*STATES, "national"], "2006-12", range(2007, 2011)),
        "inegi_homicides": ([*STATES, "national", "08037"], "2006-01", range(2006, 2011)),
    }
    for series, (geos, first, years) in expected.items():
        rows = frame[frame.series == series]
        assert sorted(rows.geo.unique()) == sorted(geos), series
        for geo, group in rows.groupby("geo"):
            months = group[group.month > 0]
            keys = [f"{y}-{m:02d}" for y, m in zip(months.year, months.month, strict=True)]
            assert keys == _months(first, "2010-12"), (series, geo)
            assert group[group.month == 0].year.tolist() == list(years), (series, geo)


def test_states_add_up_to_national(frame: pd.DataFrame) -> None:
    for series in observed.SERIES:
        rows = frame[frame.series == series].set_index(["year", "month"])
        by_state = rows[rows.geo.isin(STATES)].groupby(["year", "month"]).value.sum()
        national = rows[rows.geo == "national"].value.sort_index()
        pd.testing.assert_series_equal(by_state.sort_index(), national, check_names=False)


def test_months_add_up_to_annual(frame: pd.DataFrame) -> None:
    # Presidencia annual rows are sums of months by construction. For INEGI the published
    # annual total could exceed the months (deaths with an unknown month); in this
    # release they agree exactly (docs/DATA.md), which this test pins down.
    months = frame[frame.month > 0].groupby(["series", "geo", "year"]).value.sum()
    years = frame[frame.month == 0].set_index(["series", "geo", "year"]).value
    pd.testing.assert_series_equal(months.loc[years.index], years, check_names=False)
    for series in observed.SERIES:
        nat = monthly(series, "national", "2007-01", "2010-12")
        by_year = nat.groupby(nat.index.str[:4].astype(int)).sum()
        assert by_year.tolist() == annual(series, "national", range(2007, 2011)).tolist()


def test_monthly_and_annual_shape() -> None:
    ser = monthly("inegi_homicides", "08037", "2009-11", "2010-02")
    assert ser.index.tolist() == ["2009-11", "2009-12", "2010-01", "2010-02"]
    assert ser.index.name == "month" and ser.dtype == "float64"
    years = annual("presidencia_deaths", "08", [2010, 2008])
    assert years.index.tolist() == [2010, 2008] and years.dtype == "float64"


def test_load_observed_returns_a_copy() -> None:
    first = load_observed()
    first.loc[:, "value"] = -1.0
    assert (load_observed().value >= 0).all()


BAD_CALLS: list[tuple[Callable[[], object], str, str]] = [
    (lambda: monthly("deaths", "national", "2008-01", "2008-02"), "series", "'deaths'"),
    (lambda: annual("deaths", "national", [2008]), "series", "'deaths'"),
    (lambda: monthly("inegi_homicides", "33", "2008-01", "2008-02"), "geo", "'33'"),
    (lambda: monthly("presidencia_deaths", "08037", "2008-01", "2008-02"), "geo", "'08037'"),
    (lambda: annual("inegi_homicides", "Chihuahua", [2008]), "geo", "'Chihuahua'"),
    (lambda: monthly("inegi_homicides", "national", "2008-1", "2008-02"), "start", "'2008-1'"),
    (lambda: monthly("inegi_homicides", "national", "2008-01", "2008-13"), "end", "'2008-13'"),
    (lambda: monthly("inegi_homicides", "national", "2008-05", "2008-02"), "end", "'2008-02'"),
    (lambda: monthly("presidencia_deaths", "09", "2006-11", "2007-02"), "start", "2006-11"),
    (lambda: monthly("inegi_homicides", "national", "2010-11", "2011-01"), "end", "2011-01"),
    (lambda: annual("presidencia_deaths", "national", [2006, 2007]), "years", "2006"),
    (lambda: annual("inegi_homicides", "national", [2010, 2011]), "years", "2011"),
    (lambda: annual("inegi_homicides", "national", ["2010"]), "years", "'2010'"),
]


@pytest.mark.parametrize(("call", "field", "value"), BAD_CALLS)
def test_errors_name_the_argument(call: Callable[[], object], field: str, value: str) -> None:
    with pytest.raises(PlazasimError) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{field}: ")
    assert value in message


@pytest.fixture
def fake_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "observed_mexico.parquet"
    monkeypatch.setattr(observed, "OBSERVED_FILE", path)
    observed._frame.cache_clear()
    yield path
    observed._frame.cache_clear()


def test_loader_refuses_years_after_2010(fake_file: Path) -> None:
    table = pq.read_table(REPO / "src" / "plazasim" / "world" / "data" / fake_file.name)
    frame = table.to_pandas()
    frame.loc[0, "year"] = 2011
    pq.write_table(
        pa.Table.from_pandas(frame, schema=table.schema, preserve_index=False), fake_file
    )
    with pytest.raises(ValueError, match="2011"):
        load_observed()


def test_loader_refuses_wrong_columns(fake_file: Path) -> None:
    pq.write_table(pa.table({"series": ["x"], "value": [1.0]}), fake_file)
    with pytest.raises(ValueError, match="columns"):
        load_observed()


def test_build_matches_shipped_file() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"raw data not available at {SHARED_DATA}")
    script = _script()
    rebuilt = script.build_observed(SHARED_DATA)
    pd.testing.assert_frame_equal(
        rebuilt,
        load_observed(),
        check_exact=True,
        obj="shipped observed_mexico.parquet is stale: run make data",
    )
    table = script.build_table(SHARED_DATA)
    assert script.parquet_bytes(table) == script.parquet_bytes(script.build_table(SHARED_DATA))
