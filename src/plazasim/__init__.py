"""plazasim: a simulation laboratory for the "managed" drug war.

Cartels compete for plazas (municipalities and trafficking corridors), a
government enforces according to a policy, the US sends public signals, and
the proceeds flow into the financial system. See the README for a quickstart.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("plazasim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
