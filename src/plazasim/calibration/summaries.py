"""Summary statistics: what a calibration compares between a run and the record.

A simulation produces weekly counts per plaza; the record has monthly national
series, annual state totals and a monthly series for one city. The summaries put
both on the same footing, so that :mod:`plazasim.calibration.distance` can
compare them element by element. Each block answers a question the fit must get
right (docs/CALIBRATION.md gives the reasons):

``national_related``
    Cartel + state + bystander killings per month, against Presidencia's
    organised-crime deaths: the timing and size of the escalation.
``national_homicides``
    All homicides per month (the non-cartel baseline included), against INEGI
    homicides by month of occurrence: the same escalation in the count every
    study uses, which Presidencia's classification does not bias.
``state_related`` / ``state_homicides``
    Annual totals per state (state-major, then year), against Presidencia and
    INEGI: where the war was.
``plaza_homicides``
    All homicides per month in one plaza, against INEGI (Ciudad Juárez in the
    Mexico fit): the single worst war, which a national fit can miss entirely.
``members``
    Armed members of all cartels at the end of the last year, against a soft
    target (Prieto-Curiel et al. 2023; see :data:`MEMBERS_TARGET`).

Counts are persons per month or per year; ``members`` is persons.

Weeks do not line up with months: a week's count is shared among the months its
seven days fall in, in proportion to the days (:func:`month_weights`), so a
monthly total is the expected count under a constant rate within the week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from plazasim.errors import PlazasimError
from plazasim.model.recorder import Recorder
from plazasim.world import World

__all__ = [
    "BLOCKS",
    "MEMBERS_TARGET",
    "RELATED_KINDS",
    "SummarySpec",
    "month_labels",
    "month_weights",
    "simulated_summaries",
    "year_weights",
]

#: Homicide kinds that make up cartel-related killings (Presidencia's concept).
RELATED_KINDS = ("cartel", "state", "bystander")
#: Summary blocks, in the order a summary dict holds them.
BLOCKS = (
    "national_related",
    "national_homicides",
    "state_related",
    "state_homicides",
    "plaza_homicides",
    "members",
)

#: Prieto-Curiel, Campedelli & Hope (2023, *Science* 381:1312) estimate about 115,000
#: cartel members in 2012 and 175,000 in 2022. Backcast at their average growth
#: (4.3% a year) to the end of 2010: about 106,000 members. Their estimate is a model
#: output, not a count, so it is a soft target: :mod:`~plazasim.calibration.distance`
#: penalises only what lies outside a factor of its tolerance.
MEMBERS_2012 = 115_000.0
MEMBERS_2022 = 175_000.0
MEMBERS_TARGET = MEMBERS_2012 * (MEMBERS_2022 / MEMBERS_2012) ** (-2 / 10)


def month_labels(first: str, last: str) -> list[str]:
    """``"YYYY-MM"`` labels from ``first`` to ``last`` inclusive."""
    y, m = _parse_month(first, "first")
    y_end, m_end = _parse_month(last, "last")
    if (y, m) > (y_end, m_end):
        raise PlazasimError(f"months: {first} is after {last}")
    out = []
    while (y, m) <= (y_end, m_end):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _parse_month(label: str, name: str) -> tuple[int, int]:
    try:
        year, month = (int(part) for part in label.split("-"))
        dt.date(year, month, 1)
    except ValueError:
        raise PlazasimError(f"{name}: {label!r} is not a month (expected YYYY-MM)") from None
    return year, month


def month_weights(dates: Sequence[dt.date], months: Sequence[str]) -> np.ndarray:
    """``(weeks, months)`` share of each week's seven days that falls in each month.

    A row sums to 1 when the whole week lies inside ``months``, to less when it
    runs past either end, so ``weekly @ weights`` gives monthly totals.
    """
    return _day_shares(dates, list(months), lambda d: f"{d.year:04d}-{d.month:02d}")


def year_weights(dates: Sequence[dt.date], years: Sequence[int]) -> np.ndarray:
    """``(weeks, years)`` share of each week's days in each calendar year (as months)."""
    return _day_shares(dates, list(years), lambda d: d.year)


def _day_shares(dates: Sequence[dt.date], labels: list, label_of: Any) -> np.ndarray:
    index = {label: j for j, label in enumerate(labels)}
    weights = np.zeros((len(dates), len(labels)))
    for i, first in enumerate(dates):
        for day in range(7):
            j = index.get(label_of(first + dt.timedelta(days=day)))
            if j is not None:
                weights[i, j] += 1.0 / 7.0
    return weights


@dataclass(frozen=True)
class SummarySpec:
    """Which summaries a calibration computes: months, years, states and the plaza.

    Attributes:
        months: ``"YYYY-MM"`` labels of the monthly national (and plaza) series.
        years: calendar years of the annual state totals.
        states: state codes, in the order of the ``state_*`` blocks (none: no such blocks).
        plaza: id of the plaza with a monthly series (``None``: no such block).
        members_year: the year whose last simulated week gives ``members``
            (``None``: no members block).

    """

    months: tuple[str, ...]
    years: tuple[int, ...]
    states: tuple[str, ...]
    plaza: str | None = None
    members_year: int | None = None

    @property
    def end(self) -> dt.date:
        """Last day a run must cover: the end of the last month and of the last year."""
        y, m = _parse_month(self.months[-1], "months")
        last_month = dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)
        return max(last_month, dt.date(max(self.years), 12, 31))

    def sizes(self) -> dict[str, int]:
        """Number of values in each block."""
        n_state = len(self.states) * len(self.years)
        sizes = {"national_related": len(self.months), "national_homicides": len(self.months)}
        if n_state:
            sizes.update(state_related=n_state, state_homicides=n_state)
        if self.plaza is not None:
            sizes["plaza_homicides"] = len(self.months)
        if self.members_year is not None:
            sizes["members"] = 1
        return sizes

    def labels(self, block: str) -> list[str]:
        """What each value of ``block`` is: a month, ``state:year``, or the year."""
        if block in ("national_related", "national_homicides", "plaza_homicides"):
            return list(self.months)
        if block in ("state_related", "state_homicides"):
            return [f"{s}:{y}" for s in self.states for y in self.years]
        if block == "members":
            return [str(self.members_year)]
        raise KeyError(block)


def simulated_summaries(
    recorder: Recorder, dates: Sequence[dt.date], world: World, spec: SummarySpec
) -> dict[str, np.ndarray]:
    """The summaries of one run (float64 arrays, see :data:`BLOCKS`).

    Needs the per-plaza homicides (``simulate(..., record_plazas=True)``).
    Days outside ``spec``'s months or years count nowhere; a week's count is
    shared among months and years by its days.
    """
    if not recorder.record_plazas:
        raise ValueError("summaries need per-plaza homicides: simulate with record_plazas=True")
    by_kind = {k: np.asarray(v, dtype=np.float64) for k, v in recorder.homicides_by_type.items()}
    related = np.zeros_like(by_kind["baseline"])
    for kind in RELATED_KINDS:
        related = related + by_kind[kind]
    total = related + by_kind["baseline"]
    to_month = month_weights(dates, spec.months)
    nat_related = related.sum(axis=1)
    nat_total = total.sum(axis=1)
    out = {"national_related": nat_related @ to_month, "national_homicides": nat_total @ to_month}

    if "state_related" in spec.sizes():
        in_year = year_weights(dates, spec.years)
        state_of = _state_matrix(world, spec.states)  # (plazas, states)
        for name, weekly in (("state_related", related), ("state_homicides", total)):
            per_state_year = state_of.T @ weekly.T @ in_year  # (states, years)
            out[name] = per_state_year.ravel()
    if spec.plaza is not None:
        p = _plaza_index(world, spec.plaza)
        out["plaza_homicides"] = total[:, p] @ to_month
    if spec.members_year is not None:
        weeks = np.flatnonzero(np.array([d.year for d in dates]) == spec.members_year)
        if weeks.size == 0:
            raise ValueError(f"members_year {spec.members_year} was not simulated")
        members = np.asarray(recorder.national["members"], dtype=np.float64)
        out["members"] = members[weeks[-1:]]
    return out


def _state_matrix(world: World, states: Sequence[str]) -> np.ndarray:
    index = {code: j for j, code in enumerate(states)}
    missing = sorted(set(states) - set(world.state.tolist()))
    if missing:
        raise PlazasimError(f"states: {missing[0]!r} is not a state of world {world.name!r}")
    m = np.zeros((world.n_plazas, len(states)))
    for p, code in enumerate(world.state.tolist()):
        j = index.get(code)
        if j is not None:
            m[p, j] = 1.0
    return m


def _plaza_index(world: World, plaza: str) -> int:
    try:
        return world.plaza_index(plaza)
    except KeyError:
        raise PlazasimError(f"plaza: {plaza!r} is not a plaza of world {world.name!r}") from None


def as_vector(summaries: Mapping[str, np.ndarray], spec: SummarySpec) -> np.ndarray:
    """All blocks of ``summaries`` in :data:`BLOCKS` order, as one float64 vector."""
    return np.concatenate(
        [np.asarray(summaries[b], dtype=np.float64) for b in BLOCKS if b in spec.sizes()]
    )
