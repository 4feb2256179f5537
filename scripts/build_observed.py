"""Build the shipped observed outcome series (``observed_mexico.parquet``) from ``shared/data``.

Usage::

    .venv/bin/python scripts/build_observed.py [--data DIR] [--out DIR]

Writes ``observed_mexico.parquet`` (pyarrow, zstd) into ``src/plazasim/world/data`` by
default: the observed series the calibration fits the model to, so that it works on a
clone without ``shared/data``. Long format, one row per (series, geo, year, month); see
docs/DATA.md ("Observed outcome series") and :mod:`plazasim.world.observed`. Values are
persons (deaths). Nothing after 2010 is written. The inputs are cross-checked against
each other (municipality vs state vs national files) and the script stops on any
disagreement. The same input gives byte-identical output with the same pyarrow version.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "plazasim" / "world" / "data"
OUT_NAME = "observed_mexico.parquet"

#: Observed outcome series stop at the end of this year (shared/data/PROVENANCE.md).
LAST_YEAR = 2010
#: Ciudad Juárez, Chihuahua (INEGI cvegeo).
JUAREZ = "08037"
NATIONAL = "national"
#: ``month`` of a row holding a whole year's total.
ANNUAL = 0

PRESIDENCIA_MUN = (
    "presidencia_fallecimientos/"
    "fallecimientos_rivalidad_delincuencial_mun_month_2006_12_2010_12.csv"
)
PRESIDENCIA_STATE = (
    "presidencia_fallecimientos/"
    "fallecimientos_rivalidad_delincuencial_state_month_2006_12_2010_12.csv"
)
PRESIDENCIA_NATIONAL = (
    "presidencia_fallecimientos/"
    "fallecimientos_rivalidad_delincuencial_national_month_2006_12_2010_12.csv"
)
#: Presidencia monthly rows start in Dec 2006; annual rows only for complete years.
PRESIDENCIA_FIRST_MONTH = (2006, 12)
PRESIDENCIA_YEARS = range(2007, LAST_YEAR + 1)

INEGI_STATE_MONTH = "gargiulo_inegi/mexico-state-month-homicide-rates-2000-2010.csv"
INEGI_NATIONAL_MONTH = "gargiulo_inegi/national_month_homicides_2000_2010.csv"
INEGI_STATE_YEAR = "gargiulo_inegi/state_year_homicides_2000_2010.csv"
INEGI_NATIONAL_YEAR = "gargiulo_inegi/national_year_homicides_2000_2010.csv"
INEGI_MUNI_YEAR = "gargiulo_inegi/muni_year_homicides_2000_2010.csv"
JUAREZ_MONTH = "juarez/juarez_08037_homicides_month_2000_2010_gargiulo.csv"
INEGI_YEARS = range(2006, LAST_YEAR + 1)

#: Column order and types of the file (docs/DATA.md).
SCHEMA = pa.schema(
    [
        ("series", pa.string()),
        ("geo", pa.string()),
        ("year", pa.int16()),
        ("month", pa.int8()),
        ("value", pa.float64()),
    ]
)
COLUMNS = SCHEMA.names
KEY = ["series", "geo", "year", "month"]


def read_csv(data: Path, rel: str, **kwargs: object) -> pd.DataFrame:
    """Read a CSV under the shared data directory, failing with the path if it is missing."""
    path = data / rel
    if not path.is_file():
        raise FileNotFoundError(f"input file missing: {path}")
    return pd.read_csv(path, **kwargs)  # type: ignore[call-overload]


def _check_equal(what: str, left: pd.Series, right: pd.Series) -> None:
    """Raise if two aggregates of the same quantity, indexed alike, disagree anywhere."""
    joined = pd.concat([left.rename("a"), right.rename("b")], axis=1)
    bad = joined[joined.a.isna() | joined.b.isna() | (joined.a != joined.b)]
    if len(bad):
        raise ValueError(f"{what}: {len(bad)} disagreements, first:\n{bad.head()}")


def _rows(series: str, frame: pd.DataFrame, geo: str | None = None) -> pd.DataFrame:
    """Return ``frame`` (columns geo?, year, month, value) as rows of ``series``."""
    out = frame.copy()
    if geo is not None:
        out["geo"] = geo
    out["series"] = series
    return out[COLUMNS]


def presidencia_rows(data: Path) -> pd.DataFrame:
    """Presidencia deaths by "presunta rivalidad delincuencial" (persons), by state and nation.

    Built from the municipality file: its 20 state-level rows with a blank municipality
    (unknown municipality) count in their state. Checked against the published state and
    national monthly files and the sum executions + aggressions + shootouts = total.
    """
    mun = read_csv(data, PRESIDENCIA_MUN, dtype={"cvegeo": str, "cve_ent": str, "cve_mun": str})
    parts = mun.executions + mun.aggressions + mun.shootouts
    _check_equal("presidencia total = executions + aggressions + shootouts", parts, mun.total)
    key = mun.year * 100 + mun.month
    first = PRESIDENCIA_FIRST_MONTH[0] * 100 + PRESIDENCIA_FIRST_MONTH[1]
    mun = mun[(key >= first) & (mun.year <= LAST_YEAR)]
    state = mun.groupby(["cve_ent", "year", "month"]).total.sum()
    published = read_csv(data, PRESIDENCIA_STATE, dtype={"cve_ent": str})
    _check_equal(
        "presidencia state-month: municipality sums vs state file",
        state,
        published.set_index(["cve_ent", "year", "month"]).total,
    )
    national = state.groupby(["year", "month"]).sum()
    published_nat = read_csv(data, PRESIDENCIA_NATIONAL).set_index(["year", "month"]).total
    _check_equal("presidencia national-month: state sums vs national file", national, published_nat)
    months = pd.concat(
        [
            state.rename("value").reset_index().rename(columns={"cve_ent": "geo"}),
            national.rename("value").reset_index().assign(geo=NATIONAL),
        ],
        ignore_index=True,
    )
    n_months = (LAST_YEAR - PRESIDENCIA_FIRST_MONTH[0]) * 12 + 13 - PRESIDENCIA_FIRST_MONTH[1]
    sizes = months.groupby("geo").size()
    if len(sizes) != 33 or set(sizes) != {n_months}:
        raise ValueError(f"presidencia: expected 33 geos x {n_months} months, got {sizes}")
    full_years = months[months.year.isin(PRESIDENCIA_YEARS)]
    years = full_years.groupby(["geo", "year"]).value.sum().reset_index().assign(month=ANNUAL)
    return _rows("presidencia_deaths", pd.concat([months, years], ignore_index=True))


def inegi_rows(data: Path) -> pd.DataFrame:
    """INEGI homicides by year and month of occurrence (persons; Gargiulo microdata).

    Monthly rows: state file (pipe-separated; its pop_est and homicide_rate are not used),
    the national file, and the Juárez file. Annual rows (month 0): the published national,
    state and municipality year files, each checked against the sum of its months (they
    agree exactly in this release; deaths with an unknown month are in neither).
    """
    state_month = read_csv(
        data,
        INEGI_STATE_MONTH,
        sep="|",
        dtype={"cve_ent": str},
        usecols=["cve_ent", "year", "month", "homicides"],
    )
    nat_month = read_csv(data, INEGI_NATIONAL_MONTH)
    juarez_month = read_csv(data, JUAREZ_MONTH)
    state_year = read_csv(data, INEGI_STATE_YEAR, dtype={"cve_ent": str})
    nat_year = read_csv(data, INEGI_NATIONAL_YEAR)
    muni_year = read_csv(data, INEGI_MUNI_YEAR, dtype={"cvegeo": str})
    juarez_year = muni_year[muni_year.cvegeo == JUAREZ]

    _check_equal(
        "inegi national-month: state sums vs national file",
        state_month.groupby(["year", "month"]).homicides.sum(),
        nat_month.set_index(["year", "month"]).homicides,
    )
    _check_equal(
        "inegi national-year: state-year sums vs national file",
        state_year.groupby("year").homicides.sum(),
        nat_year.set_index("year").homicides,
    )

    def span(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame.year.isin(INEGI_YEARS)]

    months = pd.concat(
        [
            span(state_month).rename(columns={"cve_ent": "geo"}),
            span(nat_month).assign(geo=NATIONAL),
            span(juarez_month).assign(geo=JUAREZ),
        ],
        ignore_index=True,
    ).rename(columns={"homicides": "value"})
    sizes = months.groupby("geo").size()
    if len(sizes) != 34 or set(sizes) != {12 * len(INEGI_YEARS)}:
        raise ValueError(f"inegi: expected 34 geos x {12 * len(INEGI_YEARS)} months, got {sizes}")
    years = (
        pd.concat(
            [
                span(state_year).rename(columns={"cve_ent": "geo"})[["geo", "year", "homicides"]],
                span(nat_year).assign(geo=NATIONAL),
                span(juarez_year).assign(geo=JUAREZ)[["geo", "year", "homicides"]],
            ],
            ignore_index=True,
        )
        .rename(columns={"homicides": "value"})
        .assign(month=ANNUAL)
    )
    _check_equal(
        "inegi annual files vs sum of months",
        years.set_index(["geo", "year"]).value.sort_index(),
        months.groupby(["geo", "year"]).value.sum(),
    )
    return _rows("inegi_homicides", pd.concat([months, years], ignore_index=True))


def build_table(data: Path) -> pa.Table:
    """Return every observed row, sorted by (series, geo, year, month), as an Arrow table."""
    rows = pd.concat([presidencia_rows(data), inegi_rows(data)], ignore_index=True)
    if rows.duplicated(KEY).any():
        raise ValueError(f"duplicate keys: {rows[rows.duplicated(KEY)].head()}")
    if (rows.year > LAST_YEAR).any():
        raise ValueError(f"rows after {LAST_YEAR}")
    if rows.value.isna().any() or (rows.value < 0).any():
        raise ValueError("missing or negative values")
    rows = rows.sort_values(KEY, kind="stable").reset_index(drop=True)
    arrays = [
        pa.array(rows.series.astype(str).tolist(), pa.string()),
        pa.array(rows.geo.astype(str).tolist(), pa.string()),
        pa.array(rows.year.to_numpy("int16")),
        pa.array(rows.month.to_numpy("int8")),
        pa.array(rows.value.to_numpy("float64")),
    ]
    return pa.Table.from_arrays(arrays, schema=SCHEMA)


def build_observed(data: Path) -> pd.DataFrame:
    """Return the frame exactly as :func:`plazasim.world.observed.load_observed` reads it."""
    return build_table(data).to_pandas()


def parquet_bytes(table: pa.Table) -> bytes:
    """Serialise ``table`` as Parquet (zstd, one row group, no pandas or time metadata)."""
    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd", row_group_size=len(table) or None)
    return buf.getvalue()


def summary(table: pa.Table) -> pd.DataFrame:
    """Return row counts per series and geo kind (national, state, municipality)."""
    frame = table.to_pandas()
    kind = frame.geo.map(lambda g: g if g == NATIONAL else ("state" if len(g) == 2 else g))
    frame["period"] = frame.month.map(lambda m: "annual" if m == ANNUAL else "monthly")
    return frame.assign(kind=kind).groupby(["series", "kind", "period"]).size().unstack()


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, build, write the file and print the row counts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"shared data directory (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data: no such directory: {args.data}")
    table = build_table(args.data.resolve())
    args.out.mkdir(parents=True, exist_ok=True)
    blob = parquet_bytes(table)
    (args.out / OUT_NAME).write_bytes(blob)
    print(f"{args.out / OUT_NAME}: {len(table)} rows, {len(blob)} bytes")
    print(summary(table).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main())
