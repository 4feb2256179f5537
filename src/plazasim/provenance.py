"""What produced a result: the record every manifest carries.

A number in a manifest can only be repeated with the same code and the same
numerical libraries, so every manifest writer puts :func:`provenance` in it.
"""

from __future__ import annotations

import functools
import platform
import subprocess
from pathlib import Path

import numpy as np
import scipy

import plazasim

__all__ = ["git_commit", "provenance"]


@functools.cache
def git_commit() -> str | None:
    """The commit of the source tree plazasim runs from, if it is a git checkout.

    ``None`` for an installed package (no ``.git`` above it) or when git is not
    available; a tree with uncommitted changes gets ``+dirty``.
    """
    here = Path(__file__).resolve().parent
    if not any((folder / ".git").exists() for folder in (here, *here.parents)):
        return None
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return f"{head}+dirty" if dirty else head or None


def provenance() -> dict[str, str | None]:
    """Versions of plazasim (and its git commit, when known), Python, NumPy and SciPy."""
    return {
        "plazasim_version": plazasim.__version__,
        "git_commit": git_commit(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
    }
