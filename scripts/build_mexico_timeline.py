"""Build the bundled Mexico scenarios and their historical timeline from ``shared/data``.

Usage::

    .venv/bin/python scripts/build_mexico_timeline.py [--data DIR] [--out DIR]

Writes ``mexico-2006.toml`` and ``mexico-2006-deal.toml`` into
``src/plazasim/scenarios`` by default: the hand-written parts (header, ``[scenario]``,
``[world]``, ``[parameters]``, the policy timeline, the US signal and, for the deal
variant, the immunity deal) come from the template below; the historical events come
from ``cartels_2006_2012/dto_events.csv``, ``timeline/kingpin_events_2007_2012.csv`` and
``timeline/military_operations_valle.csv`` by rules T1-T10 of docs/DATA.md ("Historical
timeline"). The same input gives byte-identical files. Edit this script, not the TOMLs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from string import Template
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _timeline_rules as rules
from _timeline_events import Timeline, build_timeline

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
DEFAULT_OUT = REPO_ROOT / "src" / "plazasim" / "scenarios"
BASE_NAME = "mexico-2006"
#: The adopted calibration's posterior draws (and ``.json`` provenance) beside the scenarios.
POSTERIOR_NAME = "mexico-2006.posterior.parquet"
BASE_DESCRIPTION = (
    "Mexico 2006-2012 under the signaling policy, with the historical timeline: federal "
    "operations, leader captures and killings, cartel splits, alliances and wars, the 2007-09 "
    "supply shortage, Merida capacity, arms flow, and the US signal on Ciudad Juárez in Apr 2010"
)
DEAL_DESCRIPTION = (
    "Mexico 2006-2012 as in mexico-2006, plus an immunity-for-intelligence deal with Sinaloa "
    "from Dec 2006: tests the seed article's claim that Sinaloa's leaders were shielded from US "
    "prosecution in return for information on rival cartels"
)

#: The [calibration] table of both scenarios: the uncertain parameters and their priors.
#: ``None`` is a uniform prior over the parameter's declared range (docs/SCENARIOS.md,
#: "Parameters"); a dict is a [calibration.priors] entry, e.g.
#: ``{"distribution": "loguniform", "low": 0.005, "high": 0.2}``. Edit, then `make data`.
CALIBRATION: dict[str, dict[str, Any] | None] = {
    # The parameters the calibration's summaries respond to most. A screen over the
    # wider set (scripts/screen_parameters.py; docs/CALIBRATION.md, "Which
    # parameters") finds these seven with a rank correlation of 0.4 or more with
    # some summary; the others keep their documented defaults, since fitting them
    # would spread the sampler's weights over dimensions the data barely inform.
    # War: how much a front is worth and how deadly it is.
    "war_spending_share": {"distribution": "loguniform", "low": 0.2, "high": 3.0},
    "war_execution_rate": {"distribution": "loguniform", "low": 0.01, "high": 0.15},
    "attack_bias": {"distribution": "uniform", "low": -8.0, "high": -4.0},
    # Members (Prieto-Curiel et al. 2023).
    "recruit_rate": {"distribution": "uniform", "low": 0.0015, "high": 0.004},
    "routine_arrests_per_week": {"distribution": "uniform", "low": 50.0, "high": 250.0},
    # Violence in peacetime plazas and outside the drug war (INEGI 2000-06 rates).
    # Log-uniform over two decades up to the declared top, 2e-3.
    "execution_rate": {"distribution": "loguniform", "low": 0.00002, "high": 0.002},
    # Its scale down to the declared floor 0.35: press counts put 60-70% or less of
    # INEGI's pre-war homicides outside the cartels (Molzahn, Rios & Shirk 2012).
    "baseline_scale": {"distribution": "uniform", "low": 0.35, "high": 0.95},
    # Ordinary homicide that follows the cartels' killings (model.baseline): the only
    # link from the war to INEGI's non-cartel homicides, so the national series
    # decide it; its declared range as a uniform prior.
    "spillover_per_killing": {"distribution": "uniform", "low": 0.0, "high": 1.0},
    # How much of that spill-over travels beyond the war's state (Osorio 2015; the
    # record's non-attributed homicides rose in 24 of 32 states); its declared range.
    "spillover_national_share": {"distribution": "uniform", "low": 0.0, "high": 1.0},
    # The national trend of that pre-war violence per resident: INEGI 2000-2006 gives
    # -1.5%/yr, the longer 1994-2007 decline (15,737 to 8,837 homicides a year) about
    # -5.5%/yr; its declared range.
    "baseline_trend_per_year": {"distribution": "uniform", "low": -0.1, "high": 0.05},
    # When a cartel gives up a front it cannot win (model.war): the screen's next
    # candidate (rank correlation 0.46 with Juarez in 2010); its declared range.
    "retreat_share": {"distribution": "uniform", "low": 0.02, "high": 0.5},
    # How long the spill-over lasts (model.baseline): with the killing rising every
    # year, a longer memory holds INEGI's non-attributed count back early in the war
    # and lets it catch up later, so the national series inform it. Calderon et al.
    # (2015) measured six months after a removal; its declared range, 1 month to 2 years.
    "spillover_memory_weeks": {"distribution": "uniform", "low": 4.0, "high": 104.0},
}

#: The hand-written part of both files ($-placeholders; the TOML itself uses braces).
TEMPLATE = Template("""\
# The managed drug war in Mexico, December 2006 - December 2012 (the Calderón term).
#
# Sources (see shared/data/PROVENANCE.md): the world is built from the real data
# shipped with the package (INEGI municipalities and homicides, CONAPO population,
# ports of entry and border crossings, the 2006 cartel map). Dates of federal
# operations come from timeline/military_operations_valle.csv (diegovalle/
# Homicide-MX-Drug-War, citing SSP reports). The US signal is the one described
# in the seed article (Stratfor emails of 15 and 19 April 2010, via Narco News).
# Every model parameter not listed under [parameters] takes its documented default
# (docs/SCENARIOS.md lists them with units, ranges and sources).
#
# Generated by scripts/build_mexico_timeline.py (`make data`): edit the script, not
# this file. The events after the US signal are the historical timeline: splits,
# alliances, wars and absorptions (cartels_2006_2012/dto_events.csv), leader
# captures and killings (that file and timeline/kingpin_events_2007_2012.csv),
# federal operations, and the supply, arms and budget periods. docs/DATA.md
# ("Historical timeline", rules T1-T10) gives the rules; each note names its source row.
$variant
[scenario]
name = $name
start = 2006-12-01          # Calderón took office on 1 December 2006
end = 2012-12-31            # end of his term (30 Nov 2012) plus one month
step = "week"
seed = 42
description = $description

[world]
kind = "mexico"

$parameters
$calibration
# Policy timeline: each entry applies from its date until the next one.
[[policy]]
# Before the war: no federal operations against the cartels (the counterfactual baseline).
from = 2006-12-01
name = "laissez_faire"

[[policy]]
# 2006-12-11: Operativo Conjunto Michoacán, the first federal joint operation
# (military_operations_valle.csv, row 1, "ssp.gob.mx report p.21"). From then on
# the state enforces by the signaling rules the CISEN officer "MX1" described
# (seed article, Stratfor email of 19 April 2010).
from = 2006-12-11
name = "signaling"
params = { wait_weeks = 4 }

[[events]]
# The seed: in April 2010 the US announced, echoed by several federal spokespersons,
# that Sinaloa controlled Ciudad Juárez (INEGI 08037), read by the cartels as an
# ultimatum to the Juárez organisation (Stratfor email of 15 April 2010).
date = 2010-04-15
kind = "us_signal"
cartel = "Sinaloa"
plaza = "08037"
$deal
# ---------------------------------------------------------------------------------
# The historical timeline (generated; rules T1-T10 of docs/DATA.md), in date order.
$events""")

DEAL_VARIANT = """\
#
# Variant with an immunity-for-intelligence deal: Sinaloa is protected from the
# first day and informs on its rivals (rule T9). Everything else equals mexico-2006.
"""

#: Rule T9: the deal (paraphrasing the seed article; no sentence of it is copied).
DEAL_EVENT = """
[[events]]
# The seed article's hypothesis, taken as a scenario: protection for the dominant
# cartel in exchange for intelligence on its rivals, from the start of the war.
date = 2006-12-01
kind = "immunity_deal"
cartel = "Sinaloa"
note = "Seed article, citing Narco News: in US court filings Jesus Vicente Zambada Niebla \
claimed that Sinaloa's leadership, through a US informant, had obtained protection from US \
prosecution in exchange for information that US agencies could use against rival cartels. The US \
government denies any such arrangement; this variant tests the claim (rule T9)."
"""


def toml_value(value: Any) -> str:
    """Format one TOML value (bool, date, number, string or list of them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(float(value)) if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {value!r}")


def events_toml(events: list[dict[str, Any]]) -> str:
    """Format the events as ``[[events]]`` tables, one blank line apart."""
    blocks = [
        "[[events]]\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in ev.items()) for ev in events
    ]
    return "\n".join(blocks)


def default_ops_per_week() -> float:
    """Return the model's default ``operation_ops_per_week`` (rule T7 scales it)."""
    from plazasim.model.params import Parameters

    return float(Parameters.model_fields["operation_ops_per_week"].default)


def calibration_toml(priors: dict[str, dict[str, Any] | None], posterior: str | None = None) -> str:
    """Format :data:`CALIBRATION` as a ``[calibration]`` table (and its priors, if any)."""
    short = [name for name, prior in priors.items() if prior is None]
    lines = [
        "[calibration]",
        "# Uncertain parameters, searched by `plazasim prior-predictive` and calibration",
        "# (docs/CALIBRATION.md).",
    ]
    if short:
        lines += [
            "# Those in `parameters` take a uniform prior over their declared range",
            '# (docs/SCENARIOS.md, "Parameters"); [calibration.priors] gives others.',
        ]
    if posterior is not None:
        lines += [
            "# The adopted posterior sample: `--posterior-draw K`, `--posterior N`.",
            f"posterior = {toml_value(posterior)}",
        ]
    if short:
        lines += ["parameters = ["] + [f"    {toml_value(name)}," for name in short] + ["]"]
    full = {name: prior for name, prior in priors.items() if prior is not None}
    if full:
        lines.append("[calibration.priors]")
        lines += [
            f"{name} = {{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in prior.items()) + " }"
            for name, prior in full.items()
        ]
    return "\n".join(lines) + "\n"


def posterior_medians(posterior: Path) -> dict[str, float | int]:
    """Each calibrated parameter's median over the shipped (equally weighted) draws."""
    import pandas as pd

    from plazasim.model.params import Parameters

    frame = pd.read_parquet(posterior)
    missing = [name for name in CALIBRATION if name not in frame.columns]
    if missing:
        print(
            f"warning: {posterior.name} has no draws of {', '.join(missing)} (the "
            "calibration predates the table): they keep their defaults until the next "
            "calibration is adopted",
            file=sys.stderr,
        )
    out: dict[str, float | int] = {}
    for name in (name for name in CALIBRATION if name in frame.columns):
        median = float(frame[name].median())
        integer = Parameters.model_fields[name].annotation is int
        out[name] = round(median) if integer else float(f"{median:.6g}")
    return out


def parameters_toml(posterior: Path) -> str:
    """The ``[parameters]`` table: the posterior medians if a calibration was adopted."""
    if not posterior.is_file():
        return (
            "[parameters]\n"
            "# Defaults throughout: no calibration adopted (scripts/adopt_calibration.py).\n"
        )
    import pandas as pd

    meta = json.loads(posterior.with_suffix(".json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(posterior)
    lines = [
        "[parameters]",
        f"# Calibrated: posterior medians of {len(frame)} equally weighted draws "
        f"({POSTERIOR_NAME}),",
        f"# from `{meta['command']}`",
        f"# ({meta['generations']} generation(s), {meta['simulations']:,} runs, final "
        f"epsilon {meta['final_epsilon']:.4f}, {meta['date']}; docs/CALIBRATION.md).",
        "# Each line: median, then the 5-95% range of the draws and the prior's range.",
        "# Parameters not listed take their documented defaults.",
    ]
    from plazasim.model.params import Parameters

    for name, value in posterior_medians(posterior).items():
        lo, hi = frame[name].quantile([0.05, 0.95])
        prior = CALIBRATION[name] or {}
        low, high = (
            (prior["low"], prior["high"])
            if "low" in prior
            else Parameters.model_fields[name].json_schema_extra["range"]
        )
        bounds = f"prior {low:g} to {high:g}"
        lines.append(f"{name} = {toml_value(value)}    # [{lo:.4g}, {hi:.4g}] of {bounds}")
    return "\n".join(lines) + "\n"


def render(timeline: Timeline, posterior: Path | None = None) -> dict[str, str]:
    """Return {file name: text} for both scenarios (with ``posterior``'s medians if adopted)."""
    posterior = posterior or DEFAULT_OUT / POSTERIOR_NAME
    events = "\n" + events_toml(timeline.events)
    calibration = calibration_toml(CALIBRATION, posterior.name if posterior.is_file() else None)
    parameters = parameters_toml(posterior)
    base = TEMPLATE.substitute(
        variant="",
        name=toml_value(BASE_NAME),
        description=toml_value(BASE_DESCRIPTION),
        deal="",
        parameters=parameters,
        calibration=calibration,
        events=events,
    )
    deal = TEMPLATE.substitute(
        variant=DEAL_VARIANT,
        name=toml_value(rules.DEAL_NAME),
        description=toml_value(DEAL_DESCRIPTION),
        deal=DEAL_EVENT,
        parameters=parameters,
        calibration=calibration,
        events=events,
    )
    return {f"{BASE_NAME}.toml": base, f"{rules.DEAL_NAME}.toml": deal}


def generate(data: Path, out: Path) -> Timeline:
    """Build the timeline from ``data`` and write both scenario files into ``out``."""
    timeline = build_timeline(data, default_ops_per_week())
    out.mkdir(parents=True, exist_ok=True)
    for name, text in render(timeline).items():
        (out / name).write_bytes(text.encode("utf-8"))
    return timeline


def summary(timeline: Timeline) -> str:
    """Return the printed summary: events per kind, skipped rows, rows in the initial map."""
    lines = ["events per kind:"]
    counts = Counter(ev["kind"] for ev in timeline.events)
    lines += [f"  {kind}: {n}" for kind, n in sorted(counts.items())]
    lines.append(f"skipped rows ({len(timeline.skipped)}):")
    lines += [f"  {label}: {why}" for label, why in timeline.skipped]
    lines.append(f"in the initial map ({len(timeline.initial)}):")
    lines += [f"  {label}" for label in timeline.initial]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, write both scenarios and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        type=Path,
        default=DEFAULT_DATA,
        help=f"shared data directory (default: {DEFAULT_DATA})",
    )
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help=f"output directory (default: {DEFAULT_OUT})"
    )
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"--data: no such directory: {args.data}")
    print(summary(generate(args.data.resolve(), args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
