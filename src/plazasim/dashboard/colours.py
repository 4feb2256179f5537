"""Cartel colours shared by every dashboard figure, so a cartel has one colour throughout.

The first seven are the Okabe-Ito palette (distinguishable with the common colour-
vision deficiencies); after them come darker hues that stay apart from those and
from the grey of "no controller". Splinter factions beyond the palette reuse it.
"""

from __future__ import annotations

__all__ = ["NO_CONTROL", "NO_CONTROL_COLOUR", "cartel_colours"]

PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442",
           "#000000", "#8C564B", "#6A3D9A", "#17BECF", "#BCBD22")
#: Label of a plaza nobody controls, and its colour.
NO_CONTROL = "no controller"
NO_CONTROL_COLOUR = "#BBBBBB"


def cartel_colours(cartels: list[str]) -> dict[str, str]:
    """A colour for each cartel, by its position in ``cartels`` (the world's order first)."""
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(cartels)}
    colours[NO_CONTROL] = NO_CONTROL_COLOUR
    return colours
