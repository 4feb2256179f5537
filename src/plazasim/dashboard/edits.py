"""From the page's form to a validated scenario: the upload, the timeline, the parameters.

Every value arrives from the browser as JSON and is treated as untrusted: an
upload is size-limited and decoded here, then parsed by the same loader as
``plazasim run FILE`` (:func:`plazasim.scenario.parse_scenario`), and the edited
form is validated by the same schema, so a mistake gives the command line's own
one-line message (``scenario: malformed TOML ...``, ``policy[1].from: ...``).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from pathlib import Path
from typing import Any, cast

from pydantic import ValidationError

from plazasim.errors import ScenarioError, from_validation_error
from plazasim.model.params import Parameters
from plazasim.scenario import (
    Scenario,
    bundled_scenarios,
    load_scenario,
    parse_scenario,
    with_overrides,
)

__all__ = [
    "MAIN_PARAMETERS",
    "MAX_UPLOAD_BYTES",
    "decode_upload",
    "edited_scenario",
    "parameter_rows",
    "timeline_rows",
]

#: Largest scenario file the page accepts (bytes); the bundled Mexico scenarios are ~24 KB.
MAX_UPLOAD_BYTES = 256 * 1024
#: The parameters the page offers to change, besides the scenario's calibrated ones:
#: those that set the scale of the trade, the violence and the state's capacity.
MAIN_PARAMETERS = (
    "cocaine_tons_per_year",
    "capacity_ops_per_week",
    "lethality",
    "attack_bias",
    "war_spending_share",
    "bystander_ratio",
    "deal_intelligence",
    "recruit_rate",
)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._ -]+")


def upload_name(filename: Any) -> str:
    """The uploaded file's name as messages show it: its last part, printable, short."""
    text = str(filename) if isinstance(filename, str) and filename else "uploaded.toml"
    return _SAFE_NAME.sub("_", Path(text.replace("\\", "/")).name)[:80] or "uploaded.toml"


def decode_upload(contents: Any) -> str:
    """The text of a ``dcc.Upload`` data URL; refuse what is not a small UTF-8 file."""
    if not isinstance(contents, str) or "," not in contents:
        raise ScenarioError.at("scenario", "the upload is not a file (expected a TOML file)")
    header, data = contents.split(",", 1)
    if not header.startswith("data:") or not header.endswith(";base64"):
        raise ScenarioError.at("scenario", "the upload is not a file (expected a TOML file)")
    too_large = ScenarioError.at(
        "scenario",
        f"file too large (at most {MAX_UPLOAD_BYTES // 1024} KB; a scenario file is a few KB)",
    )
    if len(data) > (MAX_UPLOAD_BYTES * 4) // 3 + 4:  # before decoding it
        raise too_large
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ScenarioError.at(
            "scenario", "the upload is not a file (expected a TOML file)"
        ) from None
    if len(raw) > MAX_UPLOAD_BYTES:
        raise too_large
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ScenarioError.at(
            "scenario",
            "cannot read the upload: not a UTF-8 text file (expected a TOML scenario file)",
        ) from None


def parse_upload(contents: Any, filename: Any, base_dir: Path) -> Scenario:
    """Parse an uploaded scenario file as ``plazasim run FILE`` would.

    A relative ``[calibration] posterior`` is taken against ``base_dir`` (the runs
    folder), since an upload has no folder of its own.
    """
    return parse_scenario(decode_upload(contents), origin=upload_name(filename), base_dir=base_dir)


def base_scenario(choice: Any, upload: Any, base_dir: Path) -> tuple[Scenario, str]:
    """The scenario the form starts from, and its source for the manifest.

    ``choice`` is a bundled name or ``"upload"``; ``upload`` the page's store of the
    uploaded file (``{"contents", "filename"}``), parsed again: the page is not trusted
    to have kept it unchanged.
    """
    if choice == "upload":
        if not isinstance(upload, dict):
            raise ScenarioError.at("scenario", "no uploaded scenario; upload a TOML file first")
        scenario = parse_upload(upload.get("contents"), upload.get("filename"), base_dir)
        return scenario, f"upload:{upload_name(upload.get('filename'))}"
    if not isinstance(choice, str) or choice not in bundled_scenarios():
        shown = str(choice)[:40]
        raise ScenarioError.at(
            "scenario", f"unknown scenario {shown!r} (bundled: {', '.join(bundled_scenarios())})"
        )
    return load_scenario(choice), choice


def timeline_rows(scenario: Scenario) -> list[dict[str, str]]:
    """The policy timeline as table rows: from (YYYY-MM-DD), policy, params (JSON)."""
    return [
        {
            "from": entry.from_.isoformat(),
            "policy": entry.name,
            "params": json.dumps(entry.params, sort_keys=True) if entry.params else "",
        }
        for entry in scenario.policy
    ]


def parameter_rows(scenario: Scenario) -> list[dict[str, str]]:
    """The main parameters (and the scenario's calibrated ones) with units and range."""
    names = list(MAIN_PARAMETERS)
    if scenario.calibration is not None:
        names += [n for n in scenario.calibration.priors if n not in names]
    fields = Parameters.model_fields
    rows = []
    for name in names:
        # Parameters declare their units and range as a dict (never a callable).
        extra = cast("dict[str, Any]", fields[name].json_schema_extra or {})
        lo, hi = extra.get("range", [None, None])
        rows.append(
            {
                "parameter": name,
                "value": repr(float(getattr(scenario.parameters, name))),
                "units": f"{extra.get('units', '')}; plausible {lo:g} to {hi:g}",
            }
        )
    return rows


def _number(value: Any, field: str) -> float:
    """A finite number from a table cell (typed as text or number)."""
    if isinstance(value, bool):
        raise ScenarioError.at(field, f"expected a number (got {value!r})")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an integer past 1e308
        raise ScenarioError.at(field, f"expected a number (got {str(value)[:40]!r})") from None
    if not math.isfinite(number):
        raise ScenarioError.at(field, f"expected a finite number (got {value!r})")
    return number


def _params(text: Any, field: str) -> dict[str, Any]:
    """A policy entry's parameters: a JSON object, or empty."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return {}
    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        raise ScenarioError.at(
            field, f'expected a JSON object such as {{"wait_weeks": 4}} (got {str(text)[:40]!r})'
        ) from None
    if not isinstance(value, dict):
        raise ScenarioError.at(
            field, f'expected a JSON object such as {{"wait_weeks": 4}} (got {str(text)[:40]!r})'
        )
    return value


def _rows(rows: Any, what: str) -> list[dict[str, Any]]:
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows) or len(rows) > 200:
        raise ScenarioError.at(what, "expected a table of at most 200 rows")
    return rows


def edited_scenario(
    base: Scenario,
    *,
    seed: Any,
    until: Any,
    timeline: Any,
    parameters: Any,
    policy: str | None = None,
) -> Scenario:
    """``base`` with the form's seed, end date, policy timeline and parameters, validated.

    ``policy`` (another run's policy, for a comparison) then replaces all state
    action as ``plazasim run --policy`` does. Errors are one-line
    :class:`ScenarioError` named after the field: ``seed``, ``until``,
    ``policy[i].from``, ``parameters.lethality``.
    """
    data = base.model_dump(mode="json", by_alias=True)
    if seed is not None and seed != "":
        if isinstance(seed, bool) or not isinstance(seed, int | float | str):
            raise ScenarioError.at("seed", f"must be an integer >= 0 (got {str(seed)[:20]!r})")
        try:
            data["scenario"]["seed"] = int(str(seed).strip())
        except ValueError:
            raise ScenarioError.at(
                "seed", f"must be an integer >= 0 (got {str(seed)[:20]!r})"
            ) from None
    data["policy"] = [
        {
            "from": str(row.get("from", "")).strip(),
            "name": row.get("policy"),
            "params": _params(row.get("params"), f"policy[{i}].params"),
        }
        for i, row in enumerate(_rows(timeline, "policy"))
    ]
    known = set(Parameters.model_fields)
    for row in _rows(parameters, "parameters"):
        name = row.get("parameter")
        if not isinstance(name, str) or name not in known:
            raise ScenarioError.at("parameters", f"unknown parameter {str(name)[:40]!r}")
        data["parameters"][name] = _number(row.get("value"), f"parameters.{name}")
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise from_validation_error(exc) from None
    end = None
    if until not in (None, ""):
        end = str(until).strip()
        if end != scenario.scenario.end.isoformat():
            scenario = with_overrides(scenario, until=end)
    if policy:
        scenario = with_overrides(scenario, policy=policy)
    return scenario
