"""Print the table of model parameters (``Parameters.describe()``) as Markdown.

Usage::

    PYTHONPATH=src python scripts/params_table.py              # print the table
    PYTHONPATH=src python scripts/params_table.py --update docs/SCENARIOS.md

With ``--update`` the table replaces the text between the markers
``<!-- params-table:start -->`` and ``<!-- params-table:end -->`` in that file,
so the documentation is regenerated, never edited by hand.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from plazasim.model.params import Parameters

START = "<!-- params-table:start -->"
END = "<!-- params-table:end -->"


def fmt(value: Any) -> str:
    """Format a number for people: integers with separators, others in 6 significant digits."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e12:
        return f"{int(value):,}"
    return f"{value:.6g}"


def cell(text: str) -> str:
    """Escape a Markdown table cell."""
    return " ".join(str(text).split()).replace("|", "\\|")


def accepted(name: str) -> str:
    """Describe the hard validation bounds of a parameter (what a scenario may set)."""
    lo = hi = None
    for bound in Parameters.model_fields[name].metadata:
        lo = getattr(bound, "ge", getattr(bound, "gt", lo))
        hi = getattr(bound, "le", getattr(bound, "lt", hi))
    if lo is not None and hi is not None:
        return f"{fmt(lo)} – {fmt(hi)}"
    if lo is not None:
        return f"≥ {fmt(lo)}"
    return f"≤ {fmt(hi)}" if hi is not None else "any"


def table() -> str:
    """Return the Markdown table, one row per parameter in declaration order."""
    lines = [
        "| name | default | units | range | accepted | source |",
        "|---|---:|---|---|---|---|",
    ]
    for row in Parameters.describe():
        lo, hi = row["range"] or ("", "")
        lines.append(
            f"| `{row['name']}` | {fmt(row['default'])} | {cell(row['units'])} | "
            f"{fmt(lo)} – {fmt(hi)} | {accepted(row['name'])} | {cell(row['source'])} |"
        )
    return "\n".join(lines)


def update(path: Path) -> None:
    """Replace the marked block of ``path`` with the current table."""
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        sys.exit(f"error: {path}: markers {START} / {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table()}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", type=Path, help="rewrite the marked table in this file")
    args = parser.parse_args()
    if args.update:
        update(args.update)
    else:
        print(table())


if __name__ == "__main__":
    main()
