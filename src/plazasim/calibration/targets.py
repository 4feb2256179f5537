"""The record a Mexico calibration is fitted to: December 2006 to December 2010.

Built from the observed series shipped with the package
(:mod:`plazasim.world.observed`), so a calibration needs no raw data. Nothing
after 2010 enters: the observed files stop there, and 2011-2012 stay a forecast.

- ``national_related``: Presidencia organised-crime deaths per month,
  2006-12 to 2010-12 (49 months).
- ``national_homicides``: INEGI homicides by month of occurrence, same months.
- ``state_related``: Presidencia deaths per state and year, 2007-2010.
- ``state_homicides``: INEGI homicides per state and year of occurrence, 2007-2010.
- ``plaza_homicides``: INEGI homicides per month in Ciudad Juárez (08037).
- ``members``: :data:`~plazasim.calibration.summaries.MEMBERS_TARGET` at the end
  of 2010 (a soft target).
"""

from __future__ import annotations

import numpy as np

from plazasim.calibration.summaries import MEMBERS_TARGET, SummarySpec, month_labels
from plazasim.world import World

__all__ = [
    "FIRST_MONTH",
    "JUAREZ",
    "LAST_MONTH",
    "YEARS",
    "mexico_spec",
    "observed_summaries",
    "targets_for",
]

FIRST_MONTH = "2006-12"
LAST_MONTH = "2010-12"
YEARS = (2007, 2008, 2009, 2010)
#: Ciudad Juárez, Chihuahua: the plaza whose monthly homicides are fitted.
JUAREZ = "08037"


def mexico_spec() -> SummarySpec:
    """The summaries of a Mexico calibration (see the module docstring)."""
    from plazasim.world.observed import states

    return SummarySpec(
        months=tuple(month_labels(FIRST_MONTH, LAST_MONTH)),
        years=YEARS,
        states=tuple(states()),
        plaza=JUAREZ,
        members_year=YEARS[-1],
    )


def observed_summaries(spec: SummarySpec) -> dict[str, np.ndarray]:
    """The record in the shape of :func:`~plazasim.calibration.summaries.simulated_summaries`."""
    from plazasim.world.observed import annual, monthly

    first, last = spec.months[0], spec.months[-1]
    out = {
        "national_related": monthly("presidencia_deaths", "national", first, last),
        "national_homicides": monthly("inegi_homicides", "national", first, last),
        "state_related": np.concatenate(
            [annual("presidencia_deaths", s, spec.years) for s in spec.states]
        ),
        "state_homicides": np.concatenate(
            [annual("inegi_homicides", s, spec.years) for s in spec.states]
        ),
    }
    if spec.plaza is not None:
        out["plaza_homicides"] = monthly("inegi_homicides", spec.plaza, first, last)
    if spec.members_year is not None:
        out["members"] = np.array([MEMBERS_TARGET])
    return {k: np.asarray(v, dtype=np.float64) for k, v in out.items()}


def targets_for(world: World) -> tuple[SummarySpec, dict[str, np.ndarray]]:
    """The summaries and the record for ``world``; only the Mexico world has a record."""
    from plazasim.errors import PlazasimError

    if world.name != "mexico":
        raise PlazasimError(
            f"world: {world.name!r} has no observed record to calibrate "
            "against (only the mexico world has one)"
        )
    spec = mexico_spec()
    return spec, observed_summaries(spec)
