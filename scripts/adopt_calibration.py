"""Adopt a finished calibration of mexico-2006 as the bundled scenarios' parameters.

Usage::

    .venv/bin/python scripts/adopt_calibration.py runs/cal [--data DIR]

Copies the calibration's ``posterior.parquet`` into the package as
``src/plazasim/scenarios/mexico-2006.posterior.parquet`` with a ``.json`` of its
provenance (command, generations, runs, final epsilon, date), then rebuilds
``mexico-2006.toml`` and ``mexico-2006-deal.toml`` with scripts/build_mexico_timeline.py,
which writes the posterior medians into ``[parameters]`` (the 5-95% ranges in comments)
and points ``[calibration] posterior`` at the sample. Refuses a calibration of another
scenario or of other priors than the script's ``CALIBRATION`` table.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))

import build_mexico_timeline as build

from plazasim.calibration.abc_smc import read_calibration
from plazasim.calibration.distance import DEFAULT_BLOCKS


def provenance(cal_dir: Path) -> dict[str, object]:
    """What the bundled scenario's comments say about the calibration it adopted."""
    record = read_calibration(cal_dir)
    manifest = json.loads((cal_dir / "manifest.json").read_text(encoding="utf-8"))
    pops = record.populations
    fitted = pops[pops["population"] >= 0]
    s = record.settings
    # The generations it ran, not the limit it was given: a calibration stopped
    # early and finished with `--resume --populations N` is reproduced by this.
    command = (
        f"plazasim calibrate {s.scenario['scenario']['name']} --particles {s.particles} "
        f"--populations {len(fitted)} --seed {s.seed}"
        + (f" --max-simulations {s.max_simulations}" if s.max_simulations else "")
        + (f" --transition {s.transition}" if s.transition != "normal" else "")
        + "".join(
            f" --weight {name}={block['weight']:g}"
            for name, block in s.blocks.items()
            if name in DEFAULT_BLOCKS and block["weight"] != DEFAULT_BLOCKS[name].weight
        )
    )
    return {
        "command": command,
        "generations": len(fitted),
        "simulations": int(pops["simulations"].sum()),
        "final_epsilon": float(fitted["epsilon"].iloc[-1]),
        "date": manifest["created"][:10],
        "stopped_because": manifest["stopped_because"],
        "plazasim_version": manifest["plazasim_version"],
    }


def main(argv: list[str] | None = None) -> int:
    """Check the calibration, copy its posterior into the package, rebuild the scenarios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("calibration", type=Path, help="a finished calibration directory")
    parser.add_argument(
        "--data",
        type=Path,
        default=build.DEFAULT_DATA,
        help=f"shared data directory (default: {build.DEFAULT_DATA})",
    )
    args = parser.parse_args(argv)
    record = read_calibration(args.calibration)
    name = record.settings.scenario["scenario"]["name"]
    if name != build.BASE_NAME:
        parser.error(f"calibration: of scenario {name!r}, not {build.BASE_NAME!r}")
    calibrated = set(record.summary["parameter"])
    if calibrated != set(build.CALIBRATION):
        parser.error(
            "calibration: its parameters differ from the CALIBRATION table of "
            f"build_mexico_timeline.py ({sorted(calibrated ^ set(build.CALIBRATION))})"
        )
    target = build.DEFAULT_OUT / build.POSTERIOR_NAME
    posterior = pd.read_parquet(args.calibration / "posterior.parquet")
    posterior.to_parquet(target, engine="pyarrow", compression="zstd", index=False)
    target.with_suffix(".json").write_text(
        json.dumps(provenance(args.calibration), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    build.generate(args.data.resolve(), build.DEFAULT_OUT)
    print(f"adopted {args.calibration}: {len(posterior)} draws -> {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
