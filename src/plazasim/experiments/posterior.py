"""Posterior draws: run a scenario on parameter sets from its calibrated posterior.

**Why.** A calibration does not give one parameter set but a *posterior sample*:
many sets, each compatible with the observed series. A result computed with one
of them (or with the hand-set defaults) hides how much the answer depends on
which one; a policy comparison is only honest if it carries the uncertainty of
the fit. This module reads the sample a scenario names in ``[calibration]
posterior = "file.parquet"`` and applies its draws, so that ``plazasim run``,
``compare`` and ``validate`` can run on them.

**The file** (docs/SCENARIOS.md, "Posterior sample"): Parquet, one row per
equally weighted draw; a column ``draw`` (integers 0..n-1 in row order) and one
column per calibrated parameter, named as the parameter and in the parameter's
own units (docs/SCENARIOS.md, "Parameters": weeks, US dollars, tons, shares).
Integer parameters may be stored as floats holding whole numbers. Columns that
name no parameter (``distance``, ``weight``, ...) are ignored. The file is read
when a draw is first needed, checked in full (every calibrated parameter has a
column, every value is one the parameter accepts) and cached per process,
keyed by its path, modification time and size.

**Pairing.** A posterior experiment with ``n`` draws and seeds ``s_1..s_S`` runs
draw *i* with simulation seed *s* for every ``i < n`` and every seed: the first
``n`` rows of the file (:func:`posterior_draws`), the same (draw, seed) pairs for
every variant. Differences between variants are paired by (draw, seed), so
they compare like with like twice over: same parameters, same random numbers.
Their spread mixes parameter uncertainty (between draws) and run-to-run noise
(between seeds); :func:`between_draws_share` separates the two.

Example::

    from plazasim.scenario import load_scenario
    from plazasim.experiments.posterior import posterior_draws, with_posterior_draw

    sc = load_scenario("my-calibrated.toml")
    runs = [with_posterior_draw(sc, k, seed=s) for k in posterior_draws(sc, 10)
            for s in (1, 2, 3)]
"""

from __future__ import annotations

import difflib
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from plazasim.errors import ScenarioError, from_validation_error
from plazasim.experiments.priors import apply_draw
from plazasim.model.params import Parameters
from plazasim.scenario import Scenario

__all__ = [
    "DRAW_COLUMN",
    "FIELD",
    "Posterior",
    "between_draws_share",
    "load_posterior",
    "posterior_draws",
    "posterior_path",
    "posterior_record",
    "posterior_size",
    "read_posterior",
    "with_posterior_draw",
]

#: Column numbering the draws, 0..n-1 in row order.
DRAW_COLUMN = "draw"
#: The scenario field that names the posterior file; errors about its contents name it.
FIELD = "calibration.posterior"
_HOW = (
    "make one with `plazasim calibrate` and name it in [calibration] "
    'posterior = "file.parquet" (docs/SCENARIOS.md)'
)


@dataclass(frozen=True)
class Posterior:
    """A checked posterior sample.

    Attributes:
        path: the file, absolute.
        sha256: hex SHA-256 of the file's bytes (what the manifests record).
        frame: column ``draw`` then the parameter columns, in ``Parameters`` order;
            integer parameters as ``int64``, the others ``float64``.

    """

    path: Path
    sha256: str
    frame: pd.DataFrame

    @property
    def parameters(self) -> list[str]:
        """The calibrated parameters the draws set, in ``Parameters`` order."""
        return [c for c in self.frame.columns if c != DRAW_COLUMN]

    @property
    def size(self) -> int:
        """Number of draws."""
        return len(self.frame)

    def values(self, k: int) -> dict[str, float | int]:
        """Draw ``k``'s parameter values (``int`` for integer parameters)."""
        row = self.frame.iloc[k]
        return {
            name: (int(row[name]) if _is_integer(name) else float(row[name]))
            for name in self.parameters
        }


def _is_integer(name: str) -> bool:
    return Parameters.model_fields[name].annotation is int


def _fail(problem: str) -> ScenarioError:
    return ScenarioError.at(FIELD, problem)


def posterior_path(scenario: Scenario, *, option: str = "posterior") -> Path:
    """The absolute path of ``scenario``'s posterior file, or a one-line error.

    ``option`` names the error (``posterior``, ``posterior-draw``) when the
    scenario has no posterior; the message says how to get one.
    """
    calibration = scenario.calibration
    if calibration is None or calibration.posterior is None:
        raise ScenarioError.at(
            option, f"scenario {scenario.scenario.name} has no posterior; " + _HOW
        )
    return Path(calibration.posterior).absolute()


def read_posterior(scenario: Scenario, *, option: str = "posterior") -> Posterior:
    """Read and check ``scenario``'s posterior sample (cached per path, mtime and size)."""
    path = posterior_path(scenario, option=option)
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise _fail(f"file not found: {path}") from None
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    if not path.is_file():
        raise _fail(f"not a file: {path}")
    assert scenario.calibration is not None  # posterior_path checked it
    calibrated = tuple(scenario.calibration.resolved())
    return _checked(str(path), stat.st_mtime_ns, stat.st_size, calibrated)


@lru_cache(maxsize=8)
def _read(path: str, mtime_ns: int, size: int) -> tuple[str, pd.DataFrame]:
    """The file's SHA-256 and its table, from one read of its bytes."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        frame = pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise _fail(f"cannot read {path} as Parquet: {first}") from None
    return hashlib.sha256(data).hexdigest(), frame


@lru_cache(maxsize=8)
def _checked(path: str, mtime_ns: int, size: int, calibrated: tuple[str, ...]) -> Posterior:
    """Check the table of ``path`` against the ``calibrated`` parameters; see :func:`_check`."""
    sha, raw = _read(path, mtime_ns, size)
    return Posterior(path=Path(path), sha256=sha, frame=_check(raw, calibrated, path))


def _check_draw_column(raw: pd.DataFrame, path: str) -> None:
    if DRAW_COLUMN not in raw.columns:
        raise _fail(
            f"{path} has no '{DRAW_COLUMN}' column (expected integers 0..n-1, one row per draw)"
        )
    if raw.empty:
        raise _fail(f"{path} has no draws (expected one row per draw)")
    draw = raw[DRAW_COLUMN]
    if not pd.api.types.is_integer_dtype(draw.dtype):
        raise _fail(f"column '{DRAW_COLUMN}' must hold integers (got {draw.dtype})")
    wrong = np.flatnonzero(draw.to_numpy() != np.arange(len(raw)))
    if wrong.size:
        i = int(wrong[0])
        raise _fail(
            f"column '{DRAW_COLUMN}' must number the rows 0..{len(raw) - 1} in order "
            f"(row {i} has {draw.iloc[i]})"
        )


def _parameter_columns(raw: pd.DataFrame, calibrated: tuple[str, ...]) -> list[str]:
    """The columns that set parameters, checked against the ``[calibration]`` list."""
    known = Parameters.model_fields
    for col in raw.columns:
        col = str(col)
        if col == DRAW_COLUMN or col in known:
            continue
        close = difflib.get_close_matches(col, list(known), n=1, cutoff=0.8)
        if close:  # a misspelt parameter would silently leave that parameter fixed
            raise _fail(f"column {col!r} is not a parameter (did you mean {close[0]!r}?)")
    present = [c for c in known if c in raw.columns]
    extra = [c for c in present if c not in calibrated]
    if extra:
        raise _fail(
            f"column {extra[0]!r} is a parameter that [calibration] does not list; "
            "list it there or drop the column"
        )
    missing = [c for c in calibrated if c not in raw.columns]
    if missing:
        raise _fail(
            f"no column for {missing[0]!r}, which [calibration] lists (a posterior "
            "of other parameters? re-run `plazasim calibrate`)"
        )
    return present


def _check_values(name: str, column: pd.Series) -> np.ndarray:
    """A parameter column as numbers of the parameter's type; NaN and fractions are errors."""
    if not (
        pd.api.types.is_numeric_dtype(column.dtype) and not pd.api.types.is_bool_dtype(column.dtype)
    ):
        raise _fail(f"column {name!r} must hold numbers (got {column.dtype})")
    values = column.to_numpy(dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(values))
    if bad.size:
        k = int(bad[0])
        raise _fail(f"parameters.{name} = {values[k]} in draw {k}: expected a finite number")
    if _is_integer(name):
        frac = np.flatnonzero(values != np.rint(values))
        if frac.size:
            k = int(frac[0])
            raise _fail(
                f"parameters.{name} = {values[k]:g} in draw {k} is not a whole number "
                "(an integer parameter)"
            )
        return values.astype(np.int64)
    return values


def _check(raw: pd.DataFrame, calibrated: tuple[str, ...], path: str) -> pd.DataFrame:
    """``raw`` reduced to ``draw`` and the parameter columns, every value validated.

    Each draw's values go through the validation of ``Parameters`` (what
    :func:`~plazasim.experiments.priors.apply_draw` runs), so a value a parameter
    does not accept is reported with the draw it is in.
    """
    _check_draw_column(raw, path)
    names = _parameter_columns(raw, calibrated)
    frame = pd.DataFrame({DRAW_COLUMN: raw[DRAW_COLUMN].to_numpy(dtype=np.int64)})
    for name in names:
        frame[name] = _check_values(name, raw[name])
    for k, row in enumerate(frame[names].itertuples(index=False, name=None)):
        try:
            Parameters.model_validate(dict(zip(names, row, strict=True)))
        except ValidationError as exc:
            err = from_validation_error(exc, prefix="parameters", show_input=False)
            field = err.path.removeprefix("parameters.")
            raise _fail(
                f"{err.path} = {_num(frame.at[k, field])} in draw {k}: {err.problem}"
            ) from None
    return frame


def _num(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float | np.floating) else str(value)


def load_posterior(scenario: Scenario) -> pd.DataFrame:
    """``scenario``'s posterior draws: column ``draw``, then one per calibrated parameter.

    A copy of the checked, cached table (see :func:`read_posterior`).
    """
    return read_posterior(scenario).frame.copy()


def posterior_size(scenario: Scenario) -> int:
    """Number of draws in ``scenario``'s posterior."""
    return read_posterior(scenario).size


def _check_count(value: Any, option: str, least: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
        raise ScenarioError.at(option, f"must be an integer >= {least} (got {value!r})")
    return int(value)


def posterior_draws(scenario: Scenario, n: int) -> list[int]:
    """The draws a posterior experiment of ``n`` draws uses: rows ``0..n-1``.

    The rows of an equally weighted sample are exchangeable, so the first ``n``
    are as good as any ``n``, and a larger ``n`` extends a smaller one.
    """
    n = _check_count(n, "posterior", 1)
    size = posterior_size(scenario)
    if n > size:
        raise ScenarioError.at(
            "posterior",
            f"{n} draws asked for, but the posterior has "
            f"{size} ({FIELD} = {posterior_path(scenario)})",
        )
    return list(range(n))


def _draw_in_range(post: Posterior, k: Any) -> int:
    k = _check_count(k, "posterior-draw", 0)
    if k >= post.size:
        raise ScenarioError.at(
            "posterior-draw",
            f"{k} is out of range (the posterior has {post.size} draws: 0-{post.size - 1})",
        )
    return k


def with_posterior_draw(scenario: Scenario, k: int, *, seed: int | None = None) -> Scenario:
    """``scenario`` with draw ``k``'s parameter values (and ``seed``, if given).

    Applied with :func:`~plazasim.experiments.priors.apply_draw`, so the result is
    validated like a scenario file. Errors (one line): the scenario has no
    posterior, the file is missing or malformed, ``k`` is negative or out of range.
    """
    post = read_posterior(scenario, option="posterior-draw")
    k = _draw_in_range(post, k)
    return apply_draw(scenario, post.values(k), seed=seed)


def posterior_record(
    scenario: Scenario, draws: Sequence[int], *, option: str = "posterior-draw"
) -> dict[str, Any]:
    """What a manifest records of the posterior draws a result used.

    ``path`` (absolute), ``sha256`` of the file, ``size`` (draws in the file),
    ``draws`` (the indices used) and ``parameters`` (the calibrated parameters
    the draws set). One draw also gets its ``values``. ``option`` names the error
    when the scenario has no posterior.
    """
    post = read_posterior(scenario, option=option)
    used = [_draw_in_range(post, k) for k in draws]
    record: dict[str, Any] = {
        "path": str(post.path),
        "sha256": post.sha256,
        "size": post.size,
        "draws": used,
        "parameters": post.parameters,
    }
    if len(used) == 1:
        record["values"] = post.values(used[0])
    return record


def between_draws_share(values: np.ndarray) -> float:
    """Share of the variance of ``values`` (draws x seeds) that is between draws.

    The one-way random-effects estimate (the intraclass correlation, ICC(1)):
    with ``n`` draws of ``s`` seeds each, ``MSW`` the mean square within draws and
    ``MSB`` between them, the between-draw variance is ``max(0, (MSB - MSW) / s)``
    and the share is that over itself plus ``MSW``. Near 1: the spread comes from
    the parameters (the fit); near 0: from the seeds (run-to-run noise). NaN with
    fewer than 2 draws or 2 seeds, or no variance at all.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2 or x.shape[1] < 2:
        return math.nan
    n, s = x.shape
    means = x.mean(axis=1)
    within = float(((x - means[:, None]) ** 2).sum() / (n * (s - 1)))
    between_ms = float(s * ((means - means.mean()) ** 2).sum() / (n - 1))
    between = max(0.0, (between_ms - within) / s)
    total = between + within
    return between / total if total > 0 else math.nan
