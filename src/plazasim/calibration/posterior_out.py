"""Turn a calibration's last generation into the files the rest of plazasim reads.

ABC-SMC ends with weighted particles. Everything downstream (``run
--posterior-draw``, ``compare --posterior``, the fit report) wants plain draws,
so the last generation is resampled to equal weights by systematic resampling
(Kitagawa 1996, *J. Comput. Graph. Stat.* 5:1), which keeps each particle about
``weight x n`` times, and shuffled with the calibration's seed: the first ``N``
rows are then a random subset, as ``compare --posterior N`` uses them.

The point estimate written into ``calibrated.toml`` is each parameter's weighted
posterior median; the comments give the 5-95% interval beside the prior's range,
so a reader sees at once which parameters the data constrain.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from plazasim.calibration.space import SearchSpace

if TYPE_CHECKING:
    from plazasim.calibration.abc_smc import Settings

__all__ = ["block_shares", "systematic_resample", "weighted_quantile", "write_posterior"]


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """The ``q`` quantile of ``values`` under ``weights`` (inverse of the weighted CDF)."""
    order = np.argsort(values, kind="stable")
    v, w = np.asarray(values, dtype=np.float64)[order], np.asarray(weights, float)[order]
    cdf = np.cumsum(w) / w.sum()
    return float(v[min(int(np.searchsorted(cdf, q, side="left")), v.size - 1)])


def systematic_resample(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` indices drawn with probability ``weights`` by one stratified comb."""
    w = np.asarray(weights, dtype=np.float64)
    cdf = np.cumsum(w / w.sum())
    cdf[-1] = 1.0
    comb = (rng.random() + np.arange(n)) / n
    return np.searchsorted(cdf, comb, side="left")


def last_generation(out_dir: Path, space: SearchSpace) -> tuple[pd.DataFrame, np.ndarray, int]:
    """The last generation's parameter values (own units), weights and its index."""
    import pyabc

    history = pyabc.History("sqlite:///" + str(out_dir / "abc.db"), _id=1)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    values = pd.DataFrame([space.values(row) for row in frame.to_dict("records")])
    distances = history.get_weighted_distances(t=history.max_t)["distance"].to_numpy()
    values["distance"] = distances if distances.size == len(values) else np.nan
    return values, np.asarray(weights, dtype=np.float64), int(history.max_t)


def block_shares(out_dir: Path, settings: Settings) -> pd.DataFrame:
    """Each distance block's weighted mean cost over the last generation, and its share.

    The distance is ``sqrt(sum(w_b cost_b) / sum(w_b))``, so a block's share of
    ``sum(w_b cost_b)`` says which comparison the sampler is trading for which:
    a block with most of the share decides where the particles go, and errors in
    a block with a small share cost it almost nothing.
    """
    import pyabc

    history = pyabc.History("sqlite:///" + str(out_dir / "abc.db"), _id=1)
    weights, stats = history.get_weighted_sum_stats(t=history.max_t)
    w = np.asarray(weights, dtype=np.float64)
    distance = settings.distance()
    observed = settings.observed_arrays()
    per_particle = [
        distance.costs({k: np.asarray(s[k]) for k in observed}, observed) for s in stats
    ]
    frame = pd.DataFrame(
        {
            "block": name,
            "weight": distance.blocks[name].weight,
            "cost": float(np.average([c[name] for c in per_particle], weights=w)),
        }
        for name in observed
    )
    weighted = frame["weight"] * frame["cost"]
    frame["share"] = (weighted / weighted.sum()).round(4) if weighted.sum() > 0 else 0.0
    return frame


def write_posterior(
    out_dir: Path, settings: Settings, space: SearchSpace
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Write the posterior draws, their summary, the distance's blocks and the scenario.

    Files: ``posterior.parquet``, ``posterior_summary.csv``, ``distance_blocks.csv``
    and ``calibrated.toml``.
    """
    values, weights, t = last_generation(out_dir, space)
    rng = np.random.default_rng([settings.seed, 0x5EED])
    picks = systematic_resample(weights, settings.particles, rng)
    picks = picks[rng.permutation(picks.size)]
    posterior = values.iloc[picks].reset_index(names="particle")
    posterior.insert(0, "draw", np.arange(len(posterior), dtype=np.int64))
    summary = pd.DataFrame(
        [
            {
                "parameter": name,
                "distribution": prior.distribution,
                "prior_low": prior.low,
                "prior_high": prior.high,
                "q05": weighted_quantile(values[name].to_numpy(), weights, 0.05),
                "median": weighted_quantile(values[name].to_numpy(), weights, 0.5),
                "q95": weighted_quantile(values[name].to_numpy(), weights, 0.95),
            }
            for name, prior in space.priors.items()
        ]
    )
    width = (summary["q95"] - summary["q05"]) / (summary["prior_high"] - summary["prior_low"])
    summary["interval_share_of_prior"] = width.round(4)
    _atomic(
        out_dir / "posterior.parquet",
        lambda p: posterior.to_parquet(p, engine="pyarrow", compression="zstd", index=False),
    )
    _atomic(out_dir / "posterior_summary.csv", lambda p: summary.to_csv(p, index=False))
    blocks = block_shares(out_dir, settings)
    _atomic(out_dir / "distance_blocks.csv", lambda p: blocks.to_csv(p, index=False))
    _atomic(
        out_dir / "calibrated.toml",
        lambda p: p.write_text(calibrated_toml(settings, summary, t), encoding="utf-8"),
    )
    return posterior, summary


def _atomic(path: Path, write: Any) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    write(tmp)
    os.replace(tmp, path)


def calibrated_toml(settings: Settings, summary: pd.DataFrame, generation: int) -> str:
    """The calibrated scenario: posterior medians as parameters, the posterior beside it."""
    import tomli_w

    scenario = settings.scenario_object()
    data: dict[str, Any] = scenario.model_dump(by_alias=True)  # dates stay dates in TOML
    if scenario.world.kind == "mexico":
        data["world"].pop("plazas", None)
        data["world"].pop("cartels", None)
    integer = {name for name, prior in _priors(settings).items() if prior.integer}
    medians = {
        row.parameter: (
            round(row.median) if row.parameter in integer else float(f"{row.median:.6g}")
        )
        for row in summary.itertuples()
    }
    data["parameters"] = {**data.get("parameters", {}), **medians}
    calibration = dict(data.get("calibration") or {})
    calibration["posterior"] = "posterior.parquet"
    data["calibration"] = {k: v for k, v in calibration.items() if v is not None}
    lines = [
        f"# Calibrated by plazasim calibrate (ABC-SMC, {settings.particles} particles, "
        f"generation {generation}, seed {settings.seed}).",
        "# [parameters] holds the weighted posterior medians; posterior.parquet holds",
        "# the equally weighted draws (plazasim run --posterior-draw K).",
        "# parameter: median [5%, 95%] (prior low - high)",
    ]
    lines += [
        f"#   {row.parameter}: {row.median:.4g} [{row.q05:.4g}, {row.q95:.4g}] "
        f"({row.prior_low:g} - {row.prior_high:g})"
        for row in summary.itertuples()
    ]
    return "\n".join(lines) + "\n\n" + tomli_w.dumps(_tomlable(data))


def _priors(settings: Settings) -> dict[str, Any]:
    from plazasim.experiments.priors import require_priors

    return require_priors(settings.scenario_object())


def _tomlable(value: Any) -> Any:
    """Drop ``None`` (TOML has no null) all the way down."""
    if isinstance(value, dict):
        return {k: _tomlable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_tomlable(v) for v in value]
    return value
