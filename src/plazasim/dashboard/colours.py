"""Cartel colours of the dashboard: those of the report's figures, so a cartel looks the same.

The colours are :func:`plazasim.figures.palette.cartel_colors`, handed out in the
order of the run's ``cartels`` table, exactly as the control map does.
"""

from __future__ import annotations

from plazasim.figures.palette import NO_CONTROL, NO_CONTROL_COLOR, cartel_colors

__all__ = ["NO_CONTROL", "cartel_colours"]


def cartel_colours(cartels: list[str]) -> dict[str, str]:
    """A colour for each cartel (in ``cartels`` order) and for :data:`NO_CONTROL`."""
    colours = cartel_colors(cartels)
    colours[NO_CONTROL] = NO_CONTROL_COLOR
    return colours
