"""The ``laissez_faire`` policy: no enforcement at all.

The counterfactual baseline: every other policy's violence, drugs
delivered and money laundered are read against a world where the state does
nothing (a scenario may also use it for the years before a war is declared, e.g.
until December 2006).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel

from plazasim.policies.base import Observation, Operations, Policy, register
from plazasim.policies.common import PARAMS_CONFIG

__all__ = ["LaissezFaire", "LaissezFaireParams"]


class LaissezFaireParams(BaseModel):
    """No parameters: any given one is a mistake in the scenario and is rejected."""

    model_config = PARAMS_CONFIG


@register("laissez_faire")
class LaissezFaire(Policy):
    """The state orders no operations."""

    name = "laissez_faire"
    params_model = LaissezFaireParams
    #: A policy that does not enforce at all does not back US signals either
    #: (otherwise "no enforcement" would still take cartels down).
    enforces = False

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        """Return no operations, whatever is observed."""
        return Operations()
