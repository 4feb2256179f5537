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

import os
from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

try:  # the `fast` extra
    import numba as _numba
except ImportError:  # pragma: no cover - exercised where numba is absent
    _numba = None

#: Whether Numba is importable at all (tests compare both paths only when it is).
AVAILABLE: bool = _numba is not None


def enabled() -> bool:
    """Use the compiled kernels? Numba installed and ``PLAZASIM_JIT`` not ``0``."""
    return AVAILABLE and os.environ.get("PLAZASIM_JIT", "1") != "0"


def compiled(fn: F) -> F:
    """``fn`` compiled in nopython mode with an on-disk cache; ``fn`` itself without Numba.

    Without Numba the returned function is the plain Python loop, correct but slow:
    callers choose the NumPy twin instead (:func:`enabled`).
    """
    if _numba is None:  # pragma: no cover
        return fn
    return _numba.njit(cache=True, nogil=True)(fn)  # type: ignore[no-any-return]
