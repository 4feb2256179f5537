"""Observed outcome series of Mexico's drug war, shipped with the package for calibration.

The calibration fits the model to these series and must run on a fresh clone, without the
raw data folder ``shared/data``. So ``scripts/build_observed.py`` reduces the raw files to
``data/observed_mexico.parquet`` (a few kB) and this module only reads that file, through
:mod:`importlib.resources` (docs/DATA.md, "Observed outcome series").

The file is long, one row per (``series``, ``geo``, ``year``, ``month``): ``geo`` is
``"national"``, a 2-digit INEGI state code (``"01"``..``"32"``) or ``"08037"`` (Ciudad
Juárez); ``month`` is 1-12 for a month and 0 for the published annual total. ``value`` is
a count of persons (deaths) in that month or year. Observed series stop at the end of
2010 on purpose (``LAST_OBSERVED_YEAR``); anything the model says about later years is a
forecast, so the loader refuses a file that holds a later year.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from functools import lru_cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from numbers import Integral

import pandas as pd
import pyarrow.parquet as pq

from plazasim.errors import PlazasimError

__all__ = [
    "LAST_OBSERVED_YEAR",
    "OBSERVED_FILE",
    "SERIES",
    "annual",
    "load_observed",
    "monthly",
    "states",
]

#: The shipped file (built by ``scripts/build_observed.py``; rebuild with ``make data``).
OBSERVED_FILE: Traversable = files("plazasim.world").joinpath("data", "observed_mexico.parquet")

#: Series name -> what it counts (persons) and where it comes from.
SERIES: dict[str, str] = {
    "presidencia_deaths": (
        "deaths by presumed criminal rivalry (executions + aggressions + shootouts), "
        "Presidencia 'fallecimientos por presunta rivalidad delincuencial', 2006-12..2010-12"
    ),
    "inegi_homicides": (
        "homicides by year and month of occurrence, INEGI death certificates "
        "(Gargiulo, Aburto & Floridi microdata), 2006-01..2010-12"
    ),
}

#: The last year with observed outcomes; later years are forecasts.
LAST_OBSERVED_YEAR = 2010

#: Columns of the file, in order, with the dtype kind each must have.
_COLUMNS = {
    "series": "string",
    "geo": "string",
    "year": "int16",
    "month": "int8",
    "value": "float64",
}
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


@lru_cache(maxsize=1)
def _frame() -> pd.DataFrame:
    """Read and check the shipped file once (callers get copies, never this frame).

    A wrong file is a packaging bug, not a user error, so it raises :class:`ValueError`.
    """
    table = pq.read_table(io.BytesIO(OBSERVED_FILE.read_bytes()))
    frame = table.to_pandas()
    if list(frame.columns) != list(_COLUMNS):
        raise ValueError(
            f"{OBSERVED_FILE.name}: columns {list(frame.columns)}, expected {list(_COLUMNS)}"
        )
    for name, kind in _COLUMNS.items():
        ok = (
            pd.api.types.is_string_dtype(frame[name])
            if kind == "string"
            else str(frame[name].dtype) == kind
        )
        if not ok:
            raise ValueError(
                f"{OBSERVED_FILE.name}: column {name} has dtype "
                f"{frame[name].dtype}, expected {kind}"
            )
    late = frame.year[frame.year > LAST_OBSERVED_YEAR]
    if len(late):
        raise ValueError(
            f"{OBSERVED_FILE.name}: holds year {int(late.max())}, after the "
            f"last observed year {LAST_OBSERVED_YEAR}"
        )
    return frame


def load_observed() -> pd.DataFrame:
    """Return every observed row (a copy): series, geo, year, month (0 = annual), value.

    ``value`` is persons (deaths) in the month, or in the year when ``month`` is 0.
    """
    return _frame().copy()


def states() -> list[str]:
    """Return the 2-digit INEGI state codes present in the file, sorted ("01".."32")."""
    geos = _frame().geo.unique()
    return sorted(str(g) for g in geos if len(g) == 2 and g.isdigit())


def _known_geos(geos: Sequence[str]) -> str:
    """Describe a list of geo codes compactly for an error message."""
    st = [g for g in geos if len(g) == 2]
    other = [g for g in geos if len(g) != 2]
    parts = [g for g in other if g == "national"]
    if st:
        parts.append(f"{min(st)}..{max(st)}")
    parts.extend(g for g in other if g != "national")
    return ", ".join(parts)


def _rows(series: str, geo: str) -> pd.DataFrame:
    """Return the rows of one (series, geo), or raise naming the unknown argument."""
    frame = _frame()
    if not isinstance(series, str) or series not in SERIES:
        raise PlazasimError(f"series: unknown series {series!r} (known: {', '.join(SERIES)})")
    rows = frame[frame.series == series]
    geos = sorted(str(g) for g in rows.geo.unique())
    if not isinstance(geo, str) or geo not in geos:
        raise PlazasimError(
            f"geo: unknown geo {geo!r} for series {series!r} (known: {_known_geos(geos)})"
        )
    return rows[rows.geo == geo]


def _parse_month(name: str, text: str) -> pd.Period:
    """Parse a "YYYY-MM" argument called ``name`` into a monthly Period."""
    match = _MONTH.match(text) if isinstance(text, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise PlazasimError(f"{name}: {text!r} is not a month written YYYY-MM")
    return pd.Period(year=int(match.group(1)), month=int(match.group(2)), freq="M")


def monthly(series: str, geo: str, start: str, end: str) -> pd.Series:
    """Return ``series`` in ``geo`` for each month from ``start`` to ``end`` ("YYYY-MM", inclusive).

    The index holds "YYYY-MM" strings (name ``month``), in order; values are persons per
    month (float). Raises :class:`PlazasimError` naming the argument if the series or geo
    is unknown, a bound is malformed or reversed, or a month in the range has no value.
    """
    rows = _rows(series, geo)
    first, last = _parse_month("start", start), _parse_month("end", end)
    if last < first:
        raise PlazasimError(f"end: {end!r} is before start {start!r}")
    rows = rows[rows.month > 0]
    keys = [f"{y:04d}-{m:02d}" for y, m in zip(rows.year, rows.month, strict=True)]
    values = pd.Series(rows.value.to_numpy(), index=keys)
    wanted = [str(p) for p in pd.period_range(first, last, freq="M")]
    missing = [k for k in wanted if k not in values.index]
    if missing:
        lo, hi = min(values.index), max(values.index)  # "YYYY-MM" sorts like the months
        arg = "start" if missing[0] < lo else "end" if missing[-1] > hi else "start..end"
        raise PlazasimError(
            f"{arg}: {series} {geo} has no value for {missing[0]} (covers {lo}..{hi})"
        )
    out = values.loc[wanted].astype("float64")
    out.index.name = "month"
    out.name = f"{series}/{geo}"
    return out


def annual(series: str, geo: str, years: Sequence[int]) -> pd.Series:
    """Return the published annual totals (month-0 rows) of ``series`` in ``geo`` for ``years``.

    The index holds the years as ints (name ``year``), in the order given; values are
    persons per year (float). Raises :class:`PlazasimError` naming the argument if the
    series or geo is unknown or a year is not an integer or has no annual value.
    """
    rows = _rows(series, geo)
    rows = rows[rows.month == 0]
    values = pd.Series(rows.value.to_numpy(), index=rows.year.astype(int).to_numpy())
    if isinstance(years, str):
        raise PlazasimError(f"years: {years!r} is not a sequence of integer years")
    for year in years:
        if isinstance(year, bool) or not isinstance(year, Integral):
            raise PlazasimError(f"years: {year!r} is not an integer year")
        if int(year) not in values.index:
            covered = f"{values.index.min()}..{values.index.max()}"
            raise PlazasimError(
                f"years: {series} {geo} has no annual value for {year} (covers {covered})"
            )
    out = values.loc[[int(y) for y in years]].astype("float64")
    out.index = pd.Index([int(y) for y in years], dtype="int64", name="year")
    out.name = f"{series}/{geo}"
    return out
