"""Coverage of a prior predictive check: observed yearly counts against the draws.

A prior predictive check (Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
2013, §6.3; Gabry et al. 2019, *JRSS A* 182(2):389-402) asks whether the model,
with its parameters drawn from their priors, can produce data like the observed:
before calibration, an observed year outside the 5-95% band of the draws means
the priors, or the mechanisms, cannot reach it. The functions here work on the
``prior.parquet`` table (one row per draw, ``<stem>_<year>`` columns) and the
world's observed series ``{series: {year: value}}``, so they can be tested on a
hand-made frame.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "BAND",
    "COMPARED",
    "FULL_YEAR_WEEKS",
    "coverage",
    "coverage_report",
    "coverage_years",
    "full_years",
    "rising_share",
]

#: Percentiles of the band an observed value should fall in (a 90% band).
BAND = (5.0, 95.0)
#: A simulated year counts as whole when this many of its weeks were simulated.
FULL_YEAR_WEEKS = 52
#: Observed series -> (simulated column stem, short name, label). Persons per year.
COMPARED: dict[str, tuple[str, str, str]] = {
    "presidencia_org_crime_deaths": (
        "related",
        "Presidencia",
        "Presidencia organised-crime deaths",
    ),
    "inegi_homicides_occurrence": (
        "homicides",
        "INEGI occ.",
        "INEGI homicides, year of occurrence",
    ),
    "inegi_homicides_registration": (
        "homicides",
        "INEGI reg.",
        "INEGI homicides, year of registration",
    ),
    "juarez_homicides_occurrence": (
        "juarez_homicides",
        "INEGI Juárez",
        "INEGI homicides in Ciudad Juárez, year of occurrence",
    ),
}
#: The observed series whose escalation :func:`rising_share` is compared with.
RISING_SERIES = "presidencia_org_crime_deaths"
COLUMNS = ("series", "label", "simulated", "year", "observed", "lo", "median", "hi", "inside")


def full_years(weeks_per_year: Mapping[int, int]) -> list[int]:
    """Years with at least :data:`FULL_YEAR_WEEKS` simulated weeks, in order."""
    return sorted(y for y, weeks in weeks_per_year.items() if weeks >= FULL_YEAR_WEEKS)


def coverage_years(
    weeks_per_year: Mapping[int, int], observed: Mapping[str, Mapping[int, float]]
) -> list[int]:
    """Whole simulated years that at least one compared observed series has."""
    seen = {y for key in COMPARED for y in observed.get(key, {})}
    return [y for y in full_years(weeks_per_year) if y in seen]


def coverage(
    frame: pd.DataFrame, observed: Mapping[str, Mapping[int, float]], years: Sequence[int]
) -> pd.DataFrame:
    """One row per (observed series, year): the observed count and the draws' band.

    Columns :data:`COLUMNS`: ``lo``, ``median``, ``hi`` are the 5th, 50th and
    95th percentiles over draws of ``<simulated>_<year>`` (numpy's linear
    interpolation); ``inside`` is ``lo <= observed <= hi``. Series the world does
    not have, or columns the frame does not have (no Juárez), are left out.
    """
    rows: list[dict[str, Any]] = []
    for key, (stem, _, label) in COMPARED.items():
        series = observed.get(key, {})
        for year in years:
            column = f"{stem}_{year}"
            if year not in series or column not in frame.columns:
                continue
            lo, med, hi = np.percentile(
                frame[column].to_numpy(dtype=float), [BAND[0], 50.0, BAND[1]]
            )
            value = float(series[year])
            rows.append(
                {
                    "series": key,
                    "label": label,
                    "simulated": stem,
                    "year": int(year),
                    "observed": value,
                    "lo": float(lo),
                    "median": float(med),
                    "hi": float(hi),
                    "inside": bool(lo <= value <= hi),
                }
            )
    return pd.DataFrame(rows, columns=list(COLUMNS))


def rising_share(frame: pd.DataFrame, years: Sequence[int], stem: str = "related") -> float | None:
    """Share of draws whose ``<stem>_<year>`` rises strictly from each year to the next.

    The observed organised-crime deaths rose every year 2007-2010 (2,826, 6,837,
    9,614, 15,273); this says how often the draws reproduce that escalation.
    None with fewer than two years.
    """
    if len(years) < 2:
        return None
    values = frame[[f"{stem}_{y}" for y in years]].to_numpy(dtype=float)
    return float(np.all(np.diff(values, axis=1) > 0, axis=1).mean())


def _observed_rises(series: Mapping[int, float], years: Sequence[int]) -> bool | None:
    """Whether ``series`` rises strictly over ``years``; None if it lacks one of them."""
    if len(years) < 2 or any(y not in series for y in years):
        return None
    return bool(np.all(np.diff([series[y] for y in years]) > 0))


def coverage_report(
    frame: pd.DataFrame,
    observed: Mapping[str, Mapping[int, float]],
    weeks_per_year: Mapping[int, int],
) -> dict[str, Any]:
    """The content of ``coverage.json``: the coverage rows and the escalation share."""
    years = coverage_years(weeks_per_year, observed)
    rows = coverage(frame, observed, years)
    return {
        "band_percentiles": list(BAND),
        "years": years,
        "draws": len(frame),
        "rows": rows.to_dict(orient="records"),
        "inside": int(rows["inside"].sum()),
        "compared": len(rows),
        "related_rises_every_year": {
            "years": years,
            "share": rising_share(frame, years),
            "observed": _observed_rises(observed.get(RISING_SERIES, {}), years),
        },
    }
