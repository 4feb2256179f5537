"""One-line messages for TOML that does not parse, naming the field when a date is at fault.

``tomllib`` reports where parsing stopped ("Expected newline or end of document
after a statement (at line 4, column 11)"), which for ``end = 2009-13-01`` says
nothing about dates: TOML reads an invalid date as a number followed by junk.
Users need the field, the value and the form, so a line whose value looks like a
date but is not one becomes ``scenario.end: invalid date 2009-13-01 ...``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib

from plazasim.errors import ScenarioError

__all__ = ["toml_error"]

_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_HEADER = re.compile(r"^\s*(\[\[?)\s*([A-Za-z0-9_.-]+)\s*\]\]?")
_DATE_LIKE = re.compile(r"^\s*([A-Za-z0-9_-]+)\s*=\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}[^\s,#}\]]*)")


def _field_path(lines: list[str], index: int, key: str) -> str:
    """The dotted path of ``key`` on line ``index``: its table, with ``[i]`` for arrays."""
    table, count = "", dict[str, int]()
    for line in lines[: index + 1]:
        hit = _HEADER.match(line)
        if hit:
            table = hit.group(2)
            if hit.group(1) == "[[":
                count[table] = count.get(table, -1) + 1
    if not table:
        return key
    where = f"{table}[{count[table]}]" if table in count else table
    return f"{where}.{key}"


def _date_problem(text: str, line_no: int, origin: str) -> ScenarioError | None:
    """The error for line ``line_no`` if it sets a key to something like a date that is not one."""
    lines = text.splitlines()
    if not 1 <= line_no <= len(lines):
        return None
    hit = _DATE_LIKE.match(lines[line_no - 1])
    if hit is None:
        return None
    key, value = hit.groups()
    try:
        dt.date.fromisoformat(value)
        return None  # a valid date: the error is something else on the line
    except ValueError:
        pass
    return ScenarioError.at(
        _field_path(lines, line_no - 1, key),
        f"invalid date {value} (expected YYYY-MM-DD, e.g. 2009-12-31; line {line_no} of {origin})",
    )


def toml_error(exc: tomllib.TOMLDecodeError, text: str, origin: str) -> ScenarioError:
    """Turn a ``tomllib`` error into a one-line :class:`ScenarioError` (see module doc)."""
    raw = str(exc)
    hit = _POSITION.search(raw)
    if hit:
        dated = _date_problem(text, int(hit.group(1)), origin)
        if dated is not None:
            return dated
        line, where = hit.group(1), f"column {hit.group(2)}, in {origin}"
        raw = raw[: hit.start()] + raw[hit.end() :]
    else:
        line, where = str(text.count("\n") + 1), f"end of document, in {origin}"
        raw = raw.replace("(at end of document)", "").strip()
    return ScenarioError.at("scenario", f"malformed TOML at line {line}: {raw} ({where})")
