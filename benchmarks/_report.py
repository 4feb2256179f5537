"""Targets, console tables and the markdown summary, all built from the result dict.

The targets are the issue's; they are reported (``met``: true, false, or null when
not measured), never asserted: a slow or busy machine is not a bug.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

Rows = tuple[list[str], list[list[str]]]


def _target(
    text: str,
    threshold: float,
    measured: float | None,
    higher_is_better: bool,
    unit: str,
    detail: str = "",
) -> dict[str, Any]:
    """One target; ``met`` is None when it was not measured."""
    met = (
        None
        if measured is None
        else (measured >= threshold if higher_is_better else measured <= threshold)
    )
    return {
        "target": text,
        "threshold": threshold,
        "measured": measured,
        "unit": unit,
        "met": met,
        "detail": detail,
    }


def targets(res: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The four targets of the issue with their measured values."""
    mexico = (res.get("speedup_vs_mesa") or {}).get("mexico") or {}
    mx, mem, sc = res.get("mexico") or {}, res.get("memory") or {}, res.get("scaling") or {}
    weeks = mexico.get("weeks")
    return {
        "speedup_vs_mesa_mexico": _target(
            ">= 50x faster than the Mesa model, Mexico default",
            50.0,
            mexico.get("ratio"),
            True,
            "x",
            f"{weeks} weeks, no events, Mesa 1 run, plazasim median of "
            f"{mexico.get('plazasim_repeats')}"
            if mexico.get("ratio") is not None
            else res.get("mesa", {}).get("skipped", ""),
        ),
        "mexico_full_run_s": _target(
            "full mexico-2006 run <= 2 s on one core",
            2.0,
            res.get("mexico_full_run_s"),
            False,
            "s",
            f"simulate, {mx.get('weeks')} weeks x {mx.get('plazas', 0):,} plazas, events "
            f"included, median of {mx.get('repeats')}"
            if mx
            else "",
        ),
        "peak_rss_mb": _target(
            "peak memory of a run <= 300 MB",
            300.0,
            res.get("peak_rss_mb"),
            False,
            "MB",
            f"one run_scenario in a fresh process; {mem.get('rss_after_imports_mb')} MB "
            "after imports"
            if mem
            else "",
        ),
        "scaling_ratio_10000_vs_2500": _target(
            "per-step time, 10,000 vs 2,500 plazas <= 5x",
            5.0,
            sc.get("ratio_10000_vs_2500"),
            False,
            "x",
            "4x is linear",
        ),
    }


def _yes(met: bool | None) -> str:
    return "not measured" if met is None else "yes" if met else "no"


def _x(ratio: float) -> str:
    return f"{ratio:,.1f}x" if ratio < 100 else f"{ratio:,.0f}x"


_FORMAT = {"x": _x, "s": lambda v: f"{v:.2f} s", "MB": lambda v: f"{v:,.0f} MB"}


def target_rows(res: dict[str, Any]) -> Rows:
    rows = []
    for t in res["targets"].values():
        value = "—" if t["measured"] is None else _FORMAT[t["unit"]](t["measured"])
        rows.append(
            [t["target"], value + (f" ({t['detail']})" if t["detail"] else ""), _yes(t["met"])]
        )
    return ["Target", "Measured", "Met"], rows


def speedup_rows(res: dict[str, Any]) -> Rows:
    rows = []
    for row in (res.get("speedup_vs_mesa") or {}).values():
        mesa = row["mesa_s_per_week"]
        rows.append(
            [
                row["world"],
                f"{row['plazas']:,}",
                str(row["weeks"]),
                f"{1000 * row['plazasim_s_per_week']:.2f}",
                "—" if mesa is None else f"{1000 * mesa:,.0f}",
                "—" if row["ratio"] is None else _x(row["ratio"]),
            ]
        )
    return ["World", "Plazas", "Weeks", "plazasim ms/week", "Mesa ms/week", "Speed-up"], rows


def scaling_rows(res: dict[str, Any]) -> Rows:
    sc = res["scaling"]
    rows = []
    for key, label in (
        ("plazas", f"Plazas ({sc['plazas']['cartels']} cartels)"),
        ("cartels", f"Cartels ({sc['cartels']['plazas']:,} plazas)"),
    ):
        table = sc[key]
        rows.append([label] + [f"{r[key]:,}" for r in table["rows"]] + ["log-log slope"])
        rows.append(
            ["ms/step"]
            + [f"{r['ms_per_step']:.2f}" for r in table["rows"]]
            + [f"{table['exponent']}"]
        )
    return [], rows


def mexico_rows(res: dict[str, Any]) -> Rows:
    mx = res["mexico"]
    p, w, r = f"{mx['plazas']:,}", str(mx["weeks"]), str(mx["repeats"])
    return [
        "mexico-2006 (with events)",
        "Plazas",
        "Weeks",
        "Median s",
        "Weeks/s",
        "ms/step",
        "Repeats",
    ], [
        ["world build (cold)", p, "", f"{mx['world_build_cold_s']:.3f}", "", "", "1"],
        [
            "run_scenario (end to end)",
            p,
            w,
            f"{mx['run_scenario_s']['median']:.3f}",
            f"{mx['weeks_per_s_end_to_end']:.1f}",
            "",
            r,
        ],
        [
            "  world (cached) + checks",
            p,
            "",
            f"{mx['world_build_cached_s']['median']:.3f}",
            "",
            "",
            r,
        ],
        [
            "  simulate",
            p,
            w,
            f"{mx['simulate_s']['median']:.3f}",
            f"{mx['weeks_per_s']:.1f}",
            f"{mx['ms_per_step']:.2f}",
            r,
        ],
        ["  output tables", p, "", f"{mx['tables_s']['median']:.3f}", "", "", r],
    ]


def machine_line(res: dict[str, Any]) -> str:
    m = res["machine"]
    load = m["load_avg_1m"]
    mesa = f", mesa {m['mesa']}" if m.get("mesa") else ""
    return (
        f"{m['date'][:10]}, {m['cpu']} ({m['cores']} cores), {m['platform']}, "
        f"Python {m['python']}, numpy {m['numpy']}, scipy {m['scipy']}{mesa}; "
        f"1-min load average {load['start']} at start, {load.get('end', '?')} at end"
    )


def notes(res: dict[str, Any]) -> list[str]:
    out = []
    m = res["machine"]
    busiest = max(v for v in m["load_avg_1m"].values())
    if m["cores"] and busiest > 0.75 * m["cores"]:
        out.append(
            f"Busy machine: 1-min load average up to {busiest} on {m['cores']} cores, "
            "so the timings are inflated and noisy"
        )
    if res.get("mesa", {}).get("skipped"):
        out.append(f"Mesa side skipped: {res['mesa']['skipped']}")
    out += [
        f"{row['world']}: {row['note']}"
        for row in (res.get("speedup_vs_mesa") or {}).values()
        if row["note"]
    ]
    prof = res.get("profile")
    if prof and "phase_share" in prof:
        top = list(prof["phase_share"].items())[:5]
        out.append(
            "Profile of one full run (pyinstrument), share of simulate: "
            + ", ".join(f"{k} {100 * v:.0f}%" for k, v in top)
        )
    best = res["scaling"].get("ratio_10000_vs_2500_best")
    if best is not None:
        out.append(
            f"Per-step ratio 10,000 vs 2,500 plazas from the fastest repeat of each: "
            f"{best}x (the target uses the medians)"
        )
    floor = res.get("per_week_floor")
    if floor:
        budget = floor["budget_ms_per_week_at_50x"]
        out.append(
            f"Per-week floor (Mexico, {floor['weeks']} weeks): scipy's Dijkstra "
            f"{floor['dijkstra_ms_per_week']} ms/week ({floor['dijkstra_calls']} calls), "
            f"{floor['python_calls_per_week']:,} Python function calls and "
            f"{floor['c_calls_per_week']:,} calls into C functions a week"
            + (f"; 50x the Mesa model leaves {budget} ms/week" if budget is not None else "")
        )
    out.append(f"Harness process peak RSS at the end: {res['harness_peak_rss_mb']} MB")
    return out


def _rich(title: str, rows: Rows, console: Console) -> None:
    headers, body = rows
    table = Table(title=title or None)
    for i, h in enumerate(headers):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in body:
        table.add_row(*row)
    console.print(table)


def print_all(res: dict[str, Any], console: Console) -> None:
    if res.get("mexico"):
        _rich("mexico-2006, the real default", mexico_rows(res), console)
    _rich(
        "plazasim vs the Mesa model (same world, scenario, seed, weeks)", speedup_rows(res), console
    )
    sc = scaling_rows(res)[1]
    for i in range(0, len(sc), 2):
        _rich(
            "Scaling (synthetic, signaling from week 0)" if i == 0 else "",
            (sc[i], sc[i + 1 : i + 2]),
            console,
        )
    _rich("Targets (reported, not asserted)", target_rows(res), console)
    for line in [*notes(res), machine_line(res)]:
        console.print(line)


def _md(rows: Rows) -> list[str]:
    headers, body = rows
    if not headers:
        headers, body = body[0], body[1:]
    return [
        "| " + " | ".join(headers) + " |",
        "|" + "---|" * len(headers),
        *["| " + " | ".join(r) + " |" for r in body],
        "",
    ]


def markdown(res: dict[str, Any]) -> str:
    """The short summary the README quotes: targets, speed-ups, scaling, machine."""
    lines = [
        f"plazasim benchmarks{' (--quick)' if res['quick'] else ''}: {machine_line(res)}",
        "",
        *_md(target_rows(res)),
        *_md(speedup_rows(res)),
    ]
    sc = scaling_rows(res)[1]
    for i in range(0, len(sc), 2):
        lines += _md(([], sc[i : i + 2]))
    mx = res.get("mexico")
    if mx:
        lines.append(
            f"- mexico-2006 `run_scenario` end to end: {mx['run_scenario_s']['median']:.2f} s "
            f"(simulate {mx['simulate_s']['median']:.2f} s, output tables "
            f"{mx['tables_s']['median']:.2f} s); simulate CPU/wall {mx['cpu_per_wall']}"
        )
    lines += [f"- {n}" for n in notes(res)]
    return "\n".join(lines) + "\n"
