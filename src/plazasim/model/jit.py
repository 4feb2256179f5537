"""Optional Numba compilation for the few loops NumPy cannot vectorise (issue 4).

Most of a week is array arithmetic, which NumPy already runs in C. What is left
are loops whose length depends on the data (tracing a route hop by hop back to
its crossing) or that only touch a few cells of a dense array (attack
candidates, moves), where NumPy iterates in Python or over whole arrays. Those
loops are written once as plain Python over arrays and compiled with Numba. Each
has a pure-NumPy twin that gives bit-identical numbers
(``tests/model/test_jit_kernels.py``), so the choice changes speed, never results.

The compiled kernels are opt-in: ``PLAZASIM_JIT=1`` with Numba installed (the
``fast`` extra). They pay off in a process that runs many simulations (sweeps,
calibration, the benchmarks): a full Mexico run takes about 15% less time. For a
single run they do not: importing Numba and loading the compiled code costs
about 0.5 s and 100 MB of memory (``make bench`` measures both), which is why
the NumPy forms are the default. Compiled code is cached on disk, so only the
first run after an install pays the compilation (a few seconds).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from typing import Any, TypeVar

from plazasim.errors import PlazasimError

F = TypeVar("F", bound=Callable[..., Any])

#: Whether Numba is installed (the `fast` extra). It is imported only when a compiled
#: kernel first runs: importing it costs about 50 MB and 0.5 s.
AVAILABLE: bool = importlib.util.find_spec("numba") is not None

_ON = frozenset({"1", "true", "yes", "on"})
_OFF = frozenset({"", "0", "false", "no", "off"})


def enabled() -> bool:
    """Use the compiled kernels? Only when ``PLAZASIM_JIT=1`` (and Numba is installed).

    Raises:
        PlazasimError: ``PLAZASIM_JIT`` has another value, or asks for Numba where it
            is not installed.

    """
    value = os.environ.get("PLAZASIM_JIT", "").strip().lower()
    if value in _OFF:
        return False
    if value not in _ON:
        raise PlazasimError(f"PLAZASIM_JIT: expected 1 (compiled kernels) or 0, got {value!r}")
    if not AVAILABLE:
        raise PlazasimError("PLAZASIM_JIT=1: numba is not installed "
                            "(pip install 'plazasim[fast]', or unset PLAZASIM_JIT)")
    return True


def compiled(fn: F) -> F:
    """``fn`` compiled in nopython mode, with an on-disk cache, on its first call.

    The plain loop stays reachable as ``.py_func`` (as on a Numba dispatcher), so
    tests can check its logic where Numba is missing. Without Numba, calling the
    returned function runs the plain loop: correct but slow, so callers choose the
    NumPy twin instead (:func:`enabled`).
    """
    dispatcher: list[Callable[..., Any]] = []

    @functools.wraps(fn)
    def call(*args: Any) -> Any:
        if not dispatcher:
            if AVAILABLE:
                import numba

                dispatcher.append(numba.njit(cache=True, nogil=True)(fn))
            else:  # pragma: no cover - exercised where numba is absent
                dispatcher.append(fn)
        return dispatcher[0](*args)

    call.py_func = fn  # type: ignore[attr-defined]
    return call  # type: ignore[return-value]
