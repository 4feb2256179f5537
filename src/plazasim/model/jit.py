"""Optional Numba compilation for the few loops NumPy cannot vectorise (issue 4).

Most of a week is array arithmetic, which NumPy already runs in C. What is left
are loops whose length depends on the data (tracing a route hop by hop back to
its crossing), where NumPy can only iterate in Python, one small array call per
hop. Those loops are written once as plain Python over arrays and compiled with
Numba when it is installed (the ``fast`` extra). Each has a pure-NumPy twin that
gives the same numbers, used when Numba is missing or when ``PLAZASIM_JIT=0``
is set; ``tests/model/test_jit_kernels.py`` checks that both agree.

Compiled functions are cached on disk (``cache=True``), so only the first run
after an install pays the compilation (about a second).
"""

from __future__ import annotations

import functools
import importlib.util
import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

#: Whether Numba is installed (the `fast` extra). It is imported only when a compiled
#: kernel first runs: importing it costs about 50 MB and 0.5 s, which a run with
#: ``PLAZASIM_JIT=0`` (or a process that never steps the model) need not pay.
AVAILABLE: bool = importlib.util.find_spec("numba") is not None


def enabled() -> bool:
    """Use the compiled kernels? Numba installed and ``PLAZASIM_JIT`` not ``0``."""
    return AVAILABLE and os.environ.get("PLAZASIM_JIT", "1") != "0"


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
