"""The plazasim dashboard (``plazasim dashboard``): run scenarios from a browser and explore them.

Modules, one job each: :mod:`~plazasim.dashboard.layout` (the page),
:mod:`~plazasim.dashboard.callbacks_form` and :mod:`~plazasim.dashboard.callbacks_view`
(what the page does), :mod:`~plazasim.dashboard.edits` (form and upload to a
validated scenario), :mod:`~plazasim.dashboard.runner` (background runs),
:mod:`~plazasim.dashboard.runstore` (the run folders), :mod:`~plazasim.dashboard.plazamap`
and :mod:`~plazasim.dashboard.figures` (the figures) and :mod:`~plazasim.dashboard.safety`
(what the server accepts). docs/DASHBOARD.md describes it.
"""

from __future__ import annotations

from plazasim.dashboard.app import create_app

__all__ = ["create_app"]
