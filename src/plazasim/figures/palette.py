"""Colours and number formats shared by every figure and the HTML report.

Cartels get qualitative colours that stay apart on screen and in print (matplotlib's
``tab10`` without its grey, then ``tab20``'s light tones and two dark ``tab20b``
tones: 20 colours); plazas nobody controls are light grey. Colours follow the order
of ``cartels.parquet`` (the world's cartels, then splinters as they appear), so the
same world gives every cartel the same colour in every figure.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["NO_CONTROL", "NO_CONTROL_COLOR", "cartel_colors", "human_scale"]

#: Label and colour of a plaza no cartel controls.
NO_CONTROL = "no cartel"
NO_CONTROL_COLOR = "#e3e3e3"

QUALITATIVE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#17becf",
    "#393b79",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#dbdb8d",
    "#9edae5",
    "#637939",
)


def cartel_colors(names: Iterable[str]) -> dict[str, str]:
    """Map each cartel name (in the given order) to a hex colour; repeats after 20 names."""
    unique = list(dict.fromkeys(str(n) for n in names if str(n)))
    return {name: QUALITATIVE[i % len(QUALITATIVE)] for i, name in enumerate(unique)}


#: (divisor, suffix) for amounts shown in human units.
_SCALES = ((1e9, "bn"), (1e6, "M"), (1e3, "thousand"))


def human_scale(max_abs: float) -> tuple[float, str]:
    """Return (divisor, word) so that ``max_abs / divisor`` reads as a few digits.

    ``human_scale(27_600) == (1e3, "thousand")``; below 1,000 the divisor is 1 and
    the word empty.
    """
    for divisor, word in _SCALES:
        if abs(max_abs) >= divisor:
            return divisor, word
    return 1.0, ""
