"""The distance between a run's summaries and the record: a weighted RMS log error.

For every value of every block the error is ``ln((simulated + c) / (observed + c))``:
a relative error, because the counts span three orders of magnitude (a quiet
state's handful of killings, Ciudad Juárez's 300 a month, the country's 2,000)
and a model that is 20% off should cost the same in each. The offset ``c``
(persons) keeps small counts from dominating: 2 killings against 8 is noise,
not a factor of four. A block's cost is the mean of its squared errors, so each
block has one voice however many values it holds (49 months or 128 state-years);
the distance is ``sqrt(sum(w_b * cost_b) / sum(w_b))``, roughly the typical
relative error (0.2 is about 20%).

A block with a ``tolerance`` is a soft target: errors within a factor
``tolerance`` cost nothing, beyond it only the excess counts. The members target
uses it because it is itself a model estimate (:data:`~plazasim.calibration.
summaries.MEMBERS_TARGET`).

The distance is deterministic and uses only what it is given; the calibration
gives it nothing after 2010.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

__all__ = ["DEFAULT_BLOCKS", "Block", "BlockDistance"]


@dataclass(frozen=True)
class Block:
    """How one summary block is compared.

    Attributes:
        weight: the block's share of the distance (relative to the others).
        offset: ``c``, persons added to both sides before the log ratio.
        tolerance: errors within this factor cost nothing (1: every error counts).

    """

    weight: float = 1.0
    offset: float = 10.0
    tolerance: float = 1.0

    def __post_init__(self) -> None:
        if not (self.weight >= 0 and math.isfinite(self.weight)):
            raise ValueError(f"weight: must be a finite number >= 0 (got {self.weight})")
        if not (self.offset >= 0 and math.isfinite(self.offset)):
            raise ValueError(f"offset: must be a finite number >= 0 (got {self.offset})")
        if not (self.tolerance >= 1 and math.isfinite(self.tolerance)):
            raise ValueError(f"tolerance: must be a finite factor >= 1 (got {self.tolerance})")

    def errors(self, simulated: np.ndarray, observed: np.ndarray) -> np.ndarray:
        """Log-ratio errors, shrunk by the tolerance; NaN if a side is missing or negative."""
        sim = np.asarray(simulated, dtype=np.float64)
        obs = np.asarray(observed, dtype=np.float64)
        if sim.shape != obs.shape:
            raise ValueError(f"block sizes differ: simulated {sim.shape}, observed {obs.shape}")
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.log((sim + self.offset) / (obs + self.offset))
        slack = math.log(self.tolerance)
        return np.sign(e) * np.maximum(np.abs(e) - slack, 0.0)

    def cost(self, simulated: np.ndarray, observed: np.ndarray) -> float:
        """Mean squared error of the block (``inf`` if any value cannot be compared)."""
        e = self.errors(simulated, observed)
        if e.size == 0:
            return 0.0
        cost = float(np.mean(e * e))
        return cost if math.isfinite(cost) else math.inf


#: Weight 5 for each national series, 1 for the rest: the national yearly totals
#: are the fit's first targets, and a monthly national series costs something from
#: the record's month-to-month noise alone, so at a low weight a year off by a fifth
#: is cheap beside small gains over 128 state-years. State-years are offset by 50
#: persons (about one killing a week): below that a state's count is sporadic
#: killing the 2006 map cannot place, not a plaza at war. Monthly series keep 10. The
#: members estimate is a soft target within a factor 1.5 (70,000-160,000 in 2010).
#: The reasoning, block by block: docs/CALIBRATION.md, "The distance".
DEFAULT_BLOCKS: dict[str, Block] = {
    "national_related": Block(weight=5.0),
    "national_homicides": Block(weight=5.0),
    "state_related": Block(offset=50.0),
    "state_homicides": Block(offset=50.0),
    "plaza_homicides": Block(),
    "members": Block(offset=0.0, tolerance=1.5),
}


@dataclass(frozen=True)
class BlockDistance:
    """The calibration distance over the blocks both sides have (a pyabc distance).

    Call it with two summary dicts (``{block: array}``); blocks only one side has
    are an error, not silently skipped, so a missing series cannot make a fit look
    good.
    """

    blocks: Mapping[str, Block]

    def costs(
        self, simulated: Mapping[str, np.ndarray], observed: Mapping[str, np.ndarray]
    ) -> dict[str, float]:
        """Each block's cost (mean squared log error), for reports."""
        if set(simulated) != set(observed):
            raise ValueError(
                f"summary blocks differ: simulated {sorted(simulated)}, observed {sorted(observed)}"
            )
        unknown = sorted(set(observed) - set(self.blocks))
        if unknown:
            raise ValueError(f"no distance block for {unknown[0]!r}")
        return {name: self.blocks[name].cost(simulated[name], observed[name]) for name in observed}

    def __call__(
        self, simulated: Mapping[str, np.ndarray], observed: Mapping[str, np.ndarray], *_: object
    ) -> float:
        """The distance: ``sqrt(sum(w_b cost_b) / sum(w_b))``."""
        costs = self.costs(simulated, observed)
        total_weight = sum(self.blocks[b].weight for b in costs)
        if total_weight <= 0:
            raise ValueError("blocks: the weights of the compared blocks sum to 0")
        weighted = sum(
            self.blocks[b].weight * c for b, c in costs.items() if self.blocks[b].weight > 0
        )
        return math.sqrt(weighted / total_weight)
