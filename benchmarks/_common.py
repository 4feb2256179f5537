"""Helpers shared by the benchmark modules: clocks, summaries, machine facts, memory."""

from __future__ import annotations

import datetime as dt
import os
import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (2**20 bytes).

    On Linux this is ``VmHWM``, the high-water mark of the process's own memory
    map, and not ``ru_maxrss``: a child started by fork/exec inherits its parent's
    ``ru_maxrss`` (the kernel carries the old map's peak over exec), so a fresh
    subprocess would report at least the harness's peak. Elsewhere ``ru_maxrss``
    (bytes on macOS, KiB on other Unixes).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def load_1m() -> float:
    """The 1-minute load average (how busy the machine is: 1.0 = one core's worth)."""
    return round(os.getloadavg()[0], 2)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine_info() -> dict[str, Any]:
    """What the numbers were measured on; ``load_avg_1m`` grows as sections run."""
    try:
        import mesa

        mesa_version = mesa.__version__
    except ImportError:
        mesa_version = None
    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "mesa": mesa_version,
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_avg_1m": {"start": load_1m()},
    }


def summary(runs: list[float]) -> dict[str, Any]:
    """Median and every run, in seconds."""
    return {"median": round(statistics.median(runs), 4), "runs": [round(r, 4) for r in runs]}


def timed(fn: Callable[[], Any]) -> tuple[float, float, Any]:
    """Call ``fn()``; return (wall seconds, CPU seconds of this process, its result)."""
    c0, t0 = time.process_time(), time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, time.process_time() - c0, out


def loglog_slope(xs: list[float], ys: list[float]) -> float | None:
    """Least-squares slope of log(y) on log(x): 1 is linear, 2 quadratic."""
    if len(xs) < 2:
        return None
    return round(float(np.polyfit(np.log(xs), np.log(ys), 1)[0]), 3)
