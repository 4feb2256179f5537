"""``extends``: a scenario file that inherits another and states only what it changes.

A variant of ``mexico-2006`` is a few lines instead of a copy of a generated
500-line file::

    extends = "mexico-2006"          # a bundled name, or a path relative to this file
    [scenario]
    name = "mexico-2006-slower"      # required: a variant is a scenario of its own
    [parameters]
    us_border_seizure = 0.2

The child's data are merged over its base's before validation: tables merge key
by key (``[scenario]``, ``[world]``, ``[parameters]``, ``[calibration]`` and its
``priors``), every other value, arrays included, replaces the base's (so
``[[policy]]`` or ``[[events]]`` in the child replace the whole timeline or the
whole event list), unless the child adds to them with ``[[add.events]]`` and
``[[add.policy]]``, which are appended to the inherited (or replaced) lists.
Inherited policy entries and events after the child's ``end`` are dropped, as
``--until`` drops them. A relative ``[calibration]
posterior`` stays relative to the file that states it. A base may extend another;
a cycle, or a base that does not exist, is a one-line error naming ``extends``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from pathlib import Path
from typing import Any

from plazasim.errors import ScenarioError
from plazasim.toml_errors import toml_error

__all__ = ["inherit", "merge", "read_toml"]

KEY = "extends"
#: The table of lists a child appends to its base's (``[[add.events]]``).
ADD = "add"
#: Lists that ``[[add.<name>]]`` may extend.
ADDABLE = ("events", "policy")


def read_toml(text: str, origin: str) -> dict[str, Any]:
    """Parse scenario TOML ``text``; an error is one line naming ``origin``."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, text, origin) from None
    except RecursionError:  # tomllib recurses into nested arrays and inline tables
        raise ScenarioError.at(
            "scenario", f"malformed TOML: arrays or tables nested too deeply (in {origin})"
        ) from None


def merge(base: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """``child`` over ``base``: tables merge key by key, anything else replaces."""
    out = dict(base)
    for key, value in child.items():
        mine = out.get(key)
        out[key] = (
            merge(mine, value) if isinstance(mine, dict) and isinstance(value, dict) else value
        )
    return out


def _locate(ref: Any, base_dir: Path, bundled: dict[str, Path]) -> Path:
    """The file ``extends = ref`` names: a bundled name, else a path relative to ``base_dir``."""
    if not isinstance(ref, str) or not ref.strip():
        raise ScenarioError.at(
            KEY,
            f'expected a bundled scenario name such as "mexico-2006" or '
            f"the path of a .toml file (got {ref!r})",
        )
    is_path = "/" in ref or "\\" in ref or ref.endswith(".toml")
    if not is_path:
        if ref in bundled:
            return bundled[ref]
        raise ScenarioError.at(
            KEY,
            f"unknown scenario {ref!r} (bundled: {', '.join(bundled)}; "
            "or give the path of a .toml file, relative to this one)",
        )
    path = Path(ref).expanduser()
    path = path if path.is_absolute() else base_dir / path
    if not path.is_file():
        raise ScenarioError.at(
            KEY, f"file not found: {path}" if not path.exists() else f"not a file: {path}"
        )
    return path


def _absolute_posterior(data: dict[str, Any], folder: Path) -> None:
    """Make a relative ``[calibration] posterior`` of ``data`` absolute against ``folder``."""
    calibration = data.get("calibration")
    if not isinstance(calibration, dict):
        return
    posterior = calibration.get("posterior")
    if isinstance(posterior, str) and not Path(posterior).expanduser().is_absolute():
        calibration["posterior"] = os.path.abspath(folder / Path(posterior).expanduser())


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _drop_after_end(merged: dict[str, Any], child: dict[str, Any]) -> None:
    """Drop inherited policy entries and events dated after the child's ``end``."""
    end = (
        _date((child.get("scenario") or {}).get("end"))
        if isinstance(child.get("scenario"), dict)
        else None
    )
    if end is None:
        return
    for key, field in (("policy", "from"), ("events", "date")):
        if key in child or not isinstance(merged.get(key), list):
            continue
        merged[key] = [
            item
            for item in merged[key]
            if not (
                isinstance(item, dict) and (day := _date(item.get(field))) is not None and day > end
            )
        ]


def inherit(
    data: dict[str, Any], base_dir: Path, bundled: dict[str, Path], chain: tuple[Path, ...] = ()
) -> dict[str, Any]:
    """Resolve ``data``'s ``extends`` (recursively) and return the merged data.

    ``base_dir`` is the folder a relative ``extends`` is relative to (the file's),
    ``bundled`` the bundled scenarios by name, ``chain`` the files already being
    read (to refuse a cycle). Data without ``extends`` are returned unchanged.
    """
    if KEY not in data:
        return data
    child = {k: v for k, v in data.items() if k != KEY}
    path = _locate(data[KEY], base_dir, bundled)
    here = path.resolve()
    if here in chain:
        cycle = " -> ".join(p.name for p in (*chain, here))
        raise ScenarioError.at(KEY, f"scenarios extend each other in a cycle ({cycle})")
    scenario = child.get("scenario")
    if not isinstance(scenario, dict) or "name" not in scenario:
        raise ScenarioError.at(
            "scenario.name",
            f"required in a scenario that extends another "
            f"(else it would be named like {data[KEY]!r})",
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.at(KEY, f"cannot read {path}: {reason}") from None
    base = read_toml(text, str(path))
    _absolute_posterior(base, path.parent)
    if KEY in base:
        try:
            base = inherit(base, path.parent, bundled, (*chain, here))
        except ScenarioError as exc:
            if "(in " in exc.problem or " -> " in exc.problem:  # already says where
                raise
            raise ScenarioError.at(exc.path, f"{exc.problem} (in {path})") from None
    added = child.pop(ADD, None)
    merged = merge(base, child)
    _drop_after_end(merged, child)
    _append(merged, added)
    return merged


def _append(merged: dict[str, Any], added: Any) -> None:
    """Append the lists of ``[add]`` (``[[add.events]]``, ``[[add.policy]]``) to ``merged``'s."""
    if added is None:
        return
    if not isinstance(added, dict):
        raise ScenarioError.at(
            ADD, f"expected [[add.events]] or [[add.policy]] tables (got {added!r})"
        )
    for key, items in added.items():
        if key not in ADDABLE:
            raise ScenarioError.at(f"{ADD}.{key}", f"unknown key (known: {', '.join(ADDABLE)})")
        if not isinstance(items, list):
            raise ScenarioError.at(
                f"{ADD}.{key}", f"expected [[{ADD}.{key}]] tables (got {items!r})"
            )
        before = merged.get(key, [])
        merged[key] = [*(before if isinstance(before, list) else []), *items]
