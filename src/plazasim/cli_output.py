"""Output folders of the command line: default names, and never replacing another command's results.

A result folder is evidence: ``runs/mexico-2006-42`` holding the signaling run
must not quietly become the kingpin run because ``--policy`` was not part of the
default name. So default folders are named after everything that changes the
numbers (scenario, seed(s), policy, ``--until``, posterior draws), and every
result records the command that made it (:class:`Invocation`, the manifest's
``invocation``). Before simulating, :func:`prepare_out` allows a folder only if it
is new, empty, or holds the results of the same command (re-running it replaces
them, as ``make`` would); results of another command are replaced only with
``--force``. Folders that are not plazasim results are never replaced.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from plazasim.errors import PlazasimError
from plazasim.results.store import MANIFEST

__all__ = [
    "InterruptError",
    "Invocation",
    "default_dir",
    "interrupt_note",
    "prepare_out",
    "scenario_source",
    "seed_range",
]

#: Longest default folder name; longer ones keep a prefix and a hash of the rest.
MAX_NAME = 120


@dataclass(frozen=True)
class Invocation:
    """What a command was asked to compute: its name and the arguments that change the numbers.

    ``args`` holds only options that change the results (not ``--workers``,
    ``--quiet`` or ``--out``), with defaults resolved where they are (the seed), so
    ``plazasim run`` and ``plazasim run --seed 42`` are the same command. It is
    kept JSON-native, so it compares equal to the copy read back from a manifest.
    """

    command: str
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "args", json.loads(json.dumps(self.args, default=str)))

    def line(self) -> str:
        """The command line that gives these results, e.g. ``plazasim run x --seed 3``."""
        words = ["plazasim", self.command]
        for key, value in self.args.items():
            if value is None:
                continue
            if key == "set":  # name -> TOML value: one --set per name
                words += [w for k, v in value.items() for w in ("--set", shlex.quote(f"{k}={v}"))]
                continue
            text = ",".join(map(str, value)) if isinstance(value, list) else str(value)
            words += [text] if key == "scenario" else [f"--{key.replace('_', '-')}", text]
        return " ".join(words)

    def record(self) -> dict[str, Any]:
        """The manifest's ``invocation``: command, arguments and the command line."""
        return {"command": self.command, "args": self.args, "line": self.line()}


def scenario_source(token: str) -> str:
    """Name the scenario a command read: a file's absolute path, or a bundled name.

    Two files with the same ``[scenario] name`` in different folders are different
    scenarios, so the path, not the name, identifies the command.
    """
    path = Path(token)
    return str(path.resolve()) if path.is_file() else token


def default_dir(prefix: str | None, *parts: object) -> Path:
    """``runs/<prefix>-<part>-...``: the parts that are given, made safe for a file name.

    Characters other than letters, digits, ``.``, ``_`` and ``-`` become ``-`` (a
    mix ``mix:signaling=0.7+kingpin=0.3`` becomes ``mix-signaling-0.7-kingpin-0.3``).
    """
    words = [re.sub(r"[^A-Za-z0-9._-]+", "-", str(p)).strip("-") for p in (prefix, *parts) if p]
    name = "-".join(w for w in words if w)
    if len(name) > MAX_NAME:
        digest = hashlib.sha256(name.encode()).hexdigest()[:8]
        name = f"{name[: MAX_NAME - 9]}-{digest}"
    return Path("runs") / name


def seed_range(first: int, n: int) -> str:
    """``seeds1-20`` (or ``seed1``): the seeds part of a default folder name."""
    return f"seed{first}" if n == 1 else f"seeds{first}-{first + n - 1}"


def _recorded(folder: Path) -> dict[str, Any] | None:
    """The ``invocation`` a result folder's manifest records, if it records one."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    found = manifest.get("invocation") if isinstance(manifest, dict) else None
    return found if isinstance(found, dict) else None


def prepare_out(
    target: Path, invocation: Invocation, *, force: bool, check: Callable[[Path], None]
) -> None:
    """Refuse ``target`` unless the command may write there; call before simulating.

    ``check`` is the writer's own check (a folder of another kind, or not plazasim
    results at all, is refused even with ``force``). Then a folder holding results
    is replaced only if they came from the same command, or with ``force``; either
    way a one-line note on stderr says so, so a replacement is never silent.
    """
    check(target)
    if not (target / MANIFEST).is_file():
        return
    earlier = _recorded(target)
    same = earlier is not None and (earlier.get("command"), earlier.get("args")) == (
        invocation.command,
        invocation.args,
    )
    if not same and not force:
        who = earlier.get("line") if earlier else None
        by = f"another command ({who})" if who else "a command it does not record"
        raise PlazasimError(
            f"--out: {target} already holds the results of {by}; give another "
            "folder with --out DIR, or add --force to replace them"
        )
    what = "this same command" if same else "another command (--force)"
    sys.stderr.write(f"note: replacing the results of {what} in {target}\n")
    sys.stderr.flush()


class InterruptError(PlazasimError):
    """Ctrl-C stopped a command; the message says what its output folder holds (exit 130)."""


@contextmanager
def interrupt_note(target: Path) -> Iterator[None]:
    """Turn a Ctrl-C in the block into :class:`InterruptError`, saying what ``target`` holds.

    Results are written whole or not at all, so an interrupted command leaves the
    folder as it was: ``interrupted; nothing written to DIR``, or ``interrupted;
    DIR keeps its earlier results``. The command line prints it as its one line.
    """
    try:
        yield
    except KeyboardInterrupt:
        held = (target / MANIFEST).is_file()
        raise InterruptError(
            f"interrupted; {target} keeps its earlier results"
            if held
            else f"interrupted; nothing written to {target}"
        ) from None
