"""The numbers of a fit report: bands over runs, annual and state totals, headline checks.

Everything here works on two plain inputs, so it can be tested on a hand-made
frame: the long predictive frame of :func:`~plazasim.calibration.predictive.
posterior_predictive` (``draw, seed, block, label, value``) and the record as
``{block: Series}`` indexed by the same labels (``YYYY-MM`` for monthly blocks,
``state:year`` for state blocks). Counts are persons per month or per year.

A band is taken over runs (posterior draws x seeds) *after* any sum: an annual
total's median is the median of the runs' annual totals, not the sum of monthly
medians, so the band is that of a quantity one run produces.

The headline checks are the ones the project tracks for a Mexico fit:

- INEGI national homicides: simulated median within +-10% of the observed, each
  whole observed year (2007-2010);
- Presidencia organised-crime deaths against simulated related killings: within
  +-20%, each whole observed year;
- Spearman rank correlation of state totals 2008-2010, observed against the
  simulated median: >= 0.8 for homicides (INEGI), >= 0.7 for related (Presidencia);
- the rise of the plaza's (Ciudad Juárez's) homicides from the first to the last
  whole observed year (2007 -> 2010): simulated rise (ratio of the two years'
  medians) over the observed rise within a factor of 2.

A check without the data it needs (a world with a one-year record has no rise)
is ``no data``, neither passed nor failed.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "BAND",
    "MEXICO_SOURCES",
    "NATIONAL_TOLERANCE",
    "PLAZA_RISE_FACTOR",
    "SPEARMAN_MIN",
    "STATE_YEARS",
    "Check",
    "annual_totals",
    "bands",
    "headline_checks",
    "relative_error",
    "run_matrix",
    "spearman",
    "state_totals",
    "state_years",
]

#: Percentiles of the simulated band (a 90% band) around the median.
BAND = (5.0, 95.0)
#: Monthly national block -> largest relative error of the annual median that passes.
NATIONAL_TOLERANCE = {"national_homicides": 0.10, "national_related": 0.20}
#: Years whose state totals are ranked (the years of the war's spread).
STATE_YEARS = (2008, 2009, 2010)
#: State block -> smallest Spearman correlation (observed vs simulated median) that passes.
SPEARMAN_MIN = {"state_homicides": 0.8, "state_related": 0.7}
#: The plaza's simulated rise over its observed rise must lie within this factor.
PLAZA_RISE_FACTOR = 2.0


def run_matrix(frame: pd.DataFrame, block: str) -> pd.DataFrame:
    """One block of the predictive frame as runs x labels (rows ``(draw, seed)``).

    Columns keep the frame's label order (months and years in time order).
    """
    rows = frame[frame["block"] == block]
    if rows.empty:
        raise KeyError(f"the predictive frame has no block {block!r}")
    order = pd.unique(rows["label"])
    matrix = rows.pivot(index=["draw", "seed"], columns="label", values="value")
    return matrix.reindex(columns=order)


def bands(matrix: pd.DataFrame) -> pd.DataFrame:
    """Median and :data:`BAND` percentiles of each column over the runs (rows).

    Returns one row per column of ``matrix`` with ``median``, ``q05`` and ``q95``.
    """
    values = matrix.to_numpy(dtype=np.float64)
    lo, med, hi = np.percentile(values, [BAND[0], 50.0, BAND[1]], axis=0)
    return pd.DataFrame({"median": med, "q05": lo, "q95": hi}, index=matrix.columns)


def _year_of(label: str) -> int:
    return int(label.split(":")[-1][:4]) if ":" in label else int(label[:4])


def annual_totals(monthly: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Sum ``YYYY-MM`` columns (a runs x months matrix) or index (a series) by calendar year.

    Only years with all twelve months present are kept: a year with a month
    missing would look like a fall. The result is indexed (or has columns) by
    year as ``int``.
    """
    labels = monthly.index if isinstance(monthly, pd.Series) else monthly.columns
    years = pd.Series([_year_of(str(m)) for m in labels], index=labels)
    whole = [y for y, n in years.value_counts().sort_index().items() if n == 12]
    if isinstance(monthly, pd.Series):
        sums = monthly.groupby(years.to_numpy()).sum()
        return sums.loc[whole].astype(np.float64)
    sums = monthly.T.groupby(years.to_numpy()).sum().T
    return sums.loc[:, whole].astype(np.float64)


def relative_error(simulated: float, observed: float) -> float:
    """``(simulated - observed) / observed``; NaN when the observed is missing or 0."""
    if observed is None or not math.isfinite(observed) or observed == 0:
        return math.nan
    return (simulated - observed) / observed


def state_years(
    observed: Mapping[str, pd.Series], predictive: pd.DataFrame, block: str
) -> list[int]:
    """Years of ``block`` to total: :data:`STATE_YEARS` where both sides have them.

    A record without any of those years (a synthetic fit) uses every year the
    record and the runs share.
    """
    seen = {_year_of(str(label)) for label in observed[block].index}
    ran = {
        _year_of(str(label))
        for label in pd.unique(predictive.loc[predictive["block"] == block, "label"])
    }
    both = seen & ran
    wanted = [y for y in STATE_YEARS if y in both]
    return wanted or sorted(both)


def state_totals(
    predictive: pd.DataFrame, observed: Mapping[str, pd.Series], block: str, years: Sequence[int]
) -> pd.DataFrame:
    """Per state: observed total over ``years`` and the runs' median and band of it.

    Returns one row per state (index: state code, in the record's order) with
    ``observed``, ``median``, ``q05``, ``q95`` (persons over the years).
    """
    wanted = {int(y) for y in years}
    matrix = run_matrix(predictive, block)
    keep = [c for c in matrix.columns if _year_of(str(c)) in wanted]
    state_of = [str(c).split(":")[0] for c in keep]
    per_state = matrix[keep].T.groupby(state_of, sort=False).sum().T
    obs = observed[block]
    obs = obs[[_year_of(str(label)) in wanted for label in obs.index]]
    obs_state = obs.groupby([str(label).split(":")[0] for label in obs.index], sort=False).sum()
    out = bands(per_state)
    out.insert(0, "observed", obs_state.reindex(out.index).to_numpy(dtype=np.float64))
    out.index.name = "state"
    return out


def spearman(a: Sequence[float] | np.ndarray, b: Sequence[float] | np.ndarray) -> float:
    """Spearman rank correlation of ``a`` and ``b`` (ties share their mean rank).

    NaN when fewer than two pairs are complete or either side is constant.
    """
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 2:
        return math.nan
    rx, ry = pd.Series(x[ok]).rank().to_numpy(), pd.Series(y[ok]).rank().to_numpy()
    if rx.std() == 0 or ry.std() == 0:
        return math.nan
    return float(np.corrcoef(rx, ry)[0, 1])


@dataclass(frozen=True)
class Check:
    """One headline check: what is measured, the criterion, and whether it holds.

    ``kind`` says how ``measured`` reads: ``relative_error`` (a fraction, +0.05
    = 5% too high), ``spearman`` (a correlation) or ``ratio`` (simulated rise
    over observed rise). ``passed`` is None when the data to check are missing.
    """

    key: str
    description: str
    kind: str
    measured: float
    criterion: str
    passed: bool | None

    @property
    def result(self) -> str:
        """``pass``, ``fail`` or ``no data`` (the record lacks what the check needs)."""
        return "no data" if self.passed is None else ("pass" if self.passed else "fail")

    def measured_text(self) -> str:
        """The measured value as a reader wants it (``+5.3%``, ``0.82``, ``1.35x``)."""
        if not math.isfinite(self.measured):
            return "-"
        if self.kind == "relative_error":
            return f"{self.measured:+.1%}"
        if self.kind == "ratio":
            return f"{self.measured:.2f}x"
        return f"{self.measured:.2f}"


#: Who counted the observed series of the Mexico record: related killings, homicides.
MEXICO_SOURCES = {"related": "Presidencia", "homicides": "INEGI"}


def _noun(block: str) -> tuple[str, str]:
    """(what the block counts, the key of its source)."""
    return (
        ("related killings", "related") if block.endswith("related") else ("homicides", "homicides")
    )


def _national_checks(
    predictive: pd.DataFrame, observed: Mapping[str, pd.Series], sources: Mapping[str, str]
) -> list[Check]:
    checks = []
    for block, tolerance in NATIONAL_TOLERANCE.items():
        if block not in observed:
            continue
        obs = annual_totals(observed[block])
        sim = bands(annual_totals(run_matrix(predictive, block)))
        noun, key = _noun(block)
        for year, value in obs.items():
            median = float(sim["median"].get(year, math.nan))
            error = relative_error(median, float(value))
            passed = None if math.isnan(error) else bool(abs(error) <= tolerance + 1e-12)
            checks.append(
                Check(
                    key=f"{block}_{year}",
                    kind="relative_error",
                    measured=error,
                    description=f"national {noun} {year}: simulated median vs {sources[key]}",
                    criterion=f"within ±{tolerance:.0%}",
                    passed=passed,
                )
            )
    return checks


def _state_checks(
    predictive: pd.DataFrame, observed: Mapping[str, pd.Series], sources: Mapping[str, str]
) -> list[Check]:
    checks = []
    for block in ("state_homicides", "state_related"):
        if block not in observed:
            continue
        years = state_years(observed, predictive, block)
        rho = math.nan
        if years:
            totals = state_totals(predictive, observed, block, years)
            rho = spearman(totals["observed"], totals["median"])
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else (str(years[0]) if years else "-")
        noun, key = _noun(block)
        minimum = SPEARMAN_MIN[block]
        checks.append(
            Check(
                key=f"{block}_spearman",
                kind="spearman",
                measured=rho,
                description=f"state {noun} {span}: Spearman, {sources[key]} vs simulated median",
                criterion=f">= {minimum}",
                passed=None if math.isnan(rho) else bool(rho >= minimum - 1e-12),
            )
        )
    return checks


def _plaza_check(
    predictive: pd.DataFrame, observed: Mapping[str, pd.Series], plaza_name: str
) -> list[Check]:
    if "plaza_homicides" not in observed:
        return []
    obs = annual_totals(observed["plaza_homicides"])
    sim = bands(annual_totals(run_matrix(predictive, "plaza_homicides")))["median"]
    ratio, first, last = math.nan, None, None
    if len(obs) >= 2:
        first, last = int(obs.index[0]), int(obs.index[-1])
        observed_rise = float(obs[last]) / float(obs[first]) if obs[first] > 0 else math.nan
        sim_first, sim_last = float(sim.get(first, math.nan)), float(sim.get(last, math.nan))
        simulated_rise = sim_last / sim_first if sim_first > 0 else math.nan
        if observed_rise > 0:
            ratio = simulated_rise / observed_rise
    span = f"{first}->{last}" if first is not None else "first->last observed year"
    factor = PLAZA_RISE_FACTOR
    passed = None if math.isnan(ratio) else bool(1 / factor <= ratio <= factor)
    return [
        Check(
            key="plaza_rise",
            kind="ratio",
            measured=ratio,
            description=f"{plaza_name} homicides, rise {span}: simulated / observed",
            criterion=f"within a factor of {factor:g}",
            passed=passed,
        )
    ]


def headline_checks(
    predictive: pd.DataFrame,
    observed: Mapping[str, pd.Series],
    plaza_name: str = "plaza",
    sources: Mapping[str, str] = MEXICO_SOURCES,
) -> list[Check]:
    """The checks of the module docstring, for the blocks the record holds, in that order.

    ``sources`` names who counted the observed ``related`` and ``homicides``
    series, for the descriptions only.
    """
    return (
        _national_checks(predictive, observed, sources)
        + _state_checks(predictive, observed, sources)
        + _plaza_check(predictive, observed, plaza_name)
    )
