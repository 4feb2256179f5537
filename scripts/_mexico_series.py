"""Baseline homicide rates and observed series of the Mexico world (rules 5 and 9 of docs/DATA.md).

Only ``build_mexico_world.py`` imports this module.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from _mexico_common import municipal_population, read_csv

#: Pre-war years used for the baseline rate.
BASELINE_YEARS = (2000, 2006)
#: Empirical-Bayes prior strength in person-years: a municipality needs about this much
#: exposure (e.g. 30,000 residents over 7 years) before its own rate outweighs its state's.
PRIOR_PERSON_YEARS = 200_000.0


def baseline_rate(data: Path, plazas: pd.DataFrame) -> tuple[np.ndarray, dict[str, float]]:
    """Return the per-plaza baseline homicide rate (per 100k per yr) and national totals.

    rate = (H + k·r_state) / (N + k) × 1e5 with H homicides and N person-years over
    2000-2006 (Gargiulo/INEGI by occurrence; CONAPO population), k = 200,000 person-years.
    """
    y0, y1 = BASELINE_YEARS
    hom = read_csv(data, "gargiulo_inegi/muni_year_homicides_2000_2010.csv", dtype={"cvegeo": str})
    hom = hom[hom.year.between(y0, y1)]
    ids = plazas.plaza_id.tolist()
    outside = hom[~hom.cvegeo.isin(ids)]
    if outside.homicides.sum() != 0:
        raise ValueError(
            "homicides 2000-2006 in municipalities outside the 2007 set: "
            f"{sorted(outside[outside.homicides > 0].cvegeo.unique())}"
        )
    h = hom.groupby("cvegeo").homicides.sum().reindex(ids, fill_value=0).to_numpy(float)
    pop = municipal_population(data)
    pop = pop[pop.year.between(y0, y1)]
    n = pop.groupby("cvegeo").population.sum().reindex(ids).to_numpy(float)
    if np.isnan(n).any():
        raise ValueError("CONAPO population missing for some plaza in 2000-2006")
    state = plazas.state.to_numpy()
    st_h = pd.Series(h).groupby(state).sum()
    st_n = pd.Series(n).groupby(state).sum()
    r_state = (st_h / st_n).reindex(state).to_numpy()
    k = PRIOR_PERSON_YEARS
    rate = (h + k * r_state) / (n + k) * 1e5
    years = y1 - y0 + 1
    summary = {
        "first_year": float(y0),
        "last_year": float(y1),
        "homicides_per_year_2000_2006": float(h.sum() / years),
        "baseline_homicides_per_year_at_2006_population": float(
            (rate * plazas.population.to_numpy()).sum() / 1e5
        ),
    }
    return rate, summary


def observed_series(data: Path) -> tuple[dict[str, dict[int, float]], dict[str, dict[str, float]]]:
    """Return the yearly observed series and the monthly national series (rule 9)."""
    nat = read_csv(data, "combined/national_homicides_year_1990_2010.csv").set_index("year")

    def col(name: str, years: range) -> dict[int, float]:
        return {y: float(nat.loc[y, name]) for y in years}

    hom = read_csv(data, "gargiulo_inegi/muni_year_homicides_2000_2010.csv", dtype={"cvegeo": str})
    juarez = hom[hom.cvegeo == "08037"].set_index("year").homicides
    decade, war, dec2006 = range(2000, 2011), range(2007, 2011), range(2006, 2007)
    yearly = {
        # INEGI vital statistics by registration year (crimenmexico column).
        "inegi_homicides_registration": col("inegi_by_registration_crimenmexico", decade),
        # INEGI death certificates by occurrence year (Gargiulo et al. microdata).
        "inegi_homicides_occurrence": col("inegi_by_occurrence_gargiulo", decade),
        # Presidencia "presunta rivalidad delincuencial" deaths, full years only.
        "presidencia_org_crime_deaths": col("presidencia_org_crime_deaths", war),
        # The same database's 2006 value covers December 2006 only.
        "presidencia_org_crime_deaths_dec2006": col("presidencia_org_crime_deaths", dec2006),
        # Ciudad Juárez (08037), INEGI by occurrence (Gargiulo municipality file).
        "juarez_homicides_occurrence": {y: float(juarez.loc[y]) for y in war},
    }
    month = read_csv(data, "combined/national_homicides_month_1990_2010.csv")
    key = month.year * 100 + month.month
    month = month[(key >= 200612) & (key <= 201012)].sort_values(["year", "month"])
    monthly = {
        "national_month_homicides": {
            f"{y:04d}-{m:02d}": float(v)
            for y, m, v in zip(month.year, month.month, month.homicides, strict=True)
        }
    }
    return yearly, monthly
