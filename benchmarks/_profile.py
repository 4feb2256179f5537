"""Profile one full mexico-2006 ``simulate`` with pyinstrument; share of time per phase.

The ten phases are the functions ``plazasim.model.step.step`` calls, in order.
Their share is aggregated from pyinstrument's frame tree: the time of every frame
that is one of those functions (matched by code file and name), over the time of
``simulate``. Sampling, unlike cProfile's tracing, adds little overhead to the
many small numpy calls, so the shares stay close to the unprofiled run.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from pathlib import Path
from typing import Any

from _speed import SCENARIO

from plazasim.experiments.simulate import resolve_policies, scenario_events
from plazasim.model.engine import simulate, weeks_between
from plazasim.scenario import load_scenario
from plazasim.world import build_world

#: (phase, module, function) in the order of ``step``; then the per-week work around it.
PHASES = [
    ("1 supply & routing", "plazasim.model.supply", "supply_and_route"),
    ("2 revenue", "plazasim.model.revenue", "collect_revenue"),
    ("3 money", "plazasim.model.money", "pay_and_launder"),
    ("4 members", "plazasim.model.members", "recruit_and_attrit"),
    ("5 decisions", "plazasim.model.decisions", "decide"),
    ("6 conflict", "plazasim.model.conflict", "fight"),
    ("7 enforcement", "plazasim.model.enforcement", "enforce"),
    ("8 splits", "plazasim.model.splits", "split_and_dissolve"),
    ("9 learning", "plazasim.model.learning", "learn"),
    ("10 baseline", "plazasim.model.baseline", "baseline_homicides"),
    ("recorder", "plazasim.model.recorder", "Recorder.record"),
    ("setup (context, state)", "plazasim.model.context", "build_context"),
    ("setup (context, state)", "plazasim.model.state", "initial_state"),
]


def _targets() -> tuple[dict[tuple[str, str], str], list[str]]:
    """(code file, function name) -> phase label; and the phases not found."""
    found, missing = {}, []
    for label, module, name in PHASES:
        fn: Any = importlib.import_module(module)
        for part in name.split("."):
            fn = getattr(fn, part, None)
        code = getattr(fn, "__code__", None)
        if code is None:  # renamed or moved while the model is being optimised
            missing.append(f"{module}.{name}")
            continue
        found[(str(Path(code.co_filename).resolve()), code.co_name)] = label
    return found, missing


def _walk(frame: Any, targets: dict[tuple[str, str], str], acc: dict[str, float]) -> None:
    """Add the time of each phase frame to its label; phases don't nest, so stop there."""
    key = (str(Path(frame.file_path).resolve()) if frame.file_path else "", frame.function)
    if key in targets:
        acc[targets[key]] += frame.time
        return
    for child in frame.children:
        _walk(child, targets, acc)


def _self(frame: Any, self_times: dict[str, float]) -> None:
    """Self time by function over the whole tree (numpy's C time counts in its caller)."""
    if frame.is_synthetic:
        return
    where = f"{frame.function} ({frame.file_path_short}:{frame.line_no})"
    self_times[where] += frame.total_self_time


def _subtree_self(frame: Any, self_times: dict[str, float]) -> None:
    _self(frame, self_times)
    for child in frame.children:
        _subtree_self(child, self_times)


def _find(frame: Any, function: str) -> Any:
    if frame.function == function and (frame.file_path or "").endswith("engine.py"):
        return frame
    for child in frame.children:
        hit = _find(child, function)
        if hit is not None:
            return hit
    return None


def profile_mexico(out_dir: Path, top: int = 12) -> dict[str, Any]:
    """Run one full mexico-2006 simulate under pyinstrument; write profile.txt and .html."""
    from pyinstrument import Profiler

    scenario = load_scenario(SCENARIO)
    world = build_world(scenario.world)
    meta = scenario.scenario
    weeks = weeks_between(meta.start, meta.end)
    policies, events = resolve_policies(scenario), scenario_events(scenario, world)
    profiler = Profiler(interval=0.001)
    profiler.start()
    simulate(
        world,
        scenario.parameters,
        start=meta.start,
        n_weeks=weeks,
        policies=policies,
        events=events,
        seed=meta.seed,
    )
    session = profiler.stop()
    out_dir.mkdir(parents=True, exist_ok=True)
    text, html = out_dir / "profile.txt", out_dir / "profile.html"
    text.write_text(profiler.output_text(unicode=True, color=False), encoding="utf-8")
    html.write_text(profiler.output_html(), encoding="utf-8")

    root = session.root_frame()
    sim = _find(root, "simulate") if root is not None else None
    if sim is None:
        return {"error": "no simulate frame in the profile", "text": str(text)}
    targets, missing = _targets()
    acc: dict[str, float] = defaultdict(float)
    self_times: dict[str, float] = defaultdict(float)
    for child in sim.children:
        _walk(child, targets, acc)
    _subtree_self(sim, self_times)
    total = sim.time
    acc["other (engine loop, events, streams)"] = max(total - sum(acc.values()), 0.0)
    shares = {k: round(v / total, 4) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])}
    hot = sorted(self_times.items(), key=lambda kv: -kv[1])[:top]
    return {
        "scenario": SCENARIO,
        "weeks": weeks,
        "profiled_simulate_s": round(total, 3),
        "sample_interval_s": 0.001,
        "phase_share": shares,
        "phase_s": {k: round(v, 3) for k, v in sorted(acc.items(), key=lambda kv: -kv[1])},
        "top_self_time": [
            {"function": k, "s": round(v, 3), "share": round(v / total, 4)} for k, v in hot
        ],
        "phases_not_found": missing,
        "text": str(text),
        "html": str(html),
    }
