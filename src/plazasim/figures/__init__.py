"""Figures for papers and slides (matplotlib PNGs), one module per family.

* :mod:`~plazasim.figures.series` — a run's homicides beside the observed record, members,
  cocaine and money flows, plazas held;
* :mod:`~plazasim.figures.maps` — maps of plaza control at chosen dates;
* :mod:`~plazasim.figures.compare` — paired differences of a policy comparison;
* :mod:`~plazasim.figures.validate` — stylized facts, measured vs published;
* :mod:`~plazasim.figures.outputs` — which command writes which PNG.

Colours and units shared with the HTML report are in :mod:`~plazasim.figures.palette`.
docs/FIGURES.md shows and explains each figure.
"""
