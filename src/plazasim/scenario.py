"""The scenario: a validated TOML description of one experiment (docs/SCENARIOS.md).

A scenario fixes the world, the dates and step, the parameters, the policy
timeline, the events and the seed. Everything is checked when the file is
loaded, because a simulation that runs for minutes on a typo is worse than a
clear refusal: every model forbids unknown keys, and every failure becomes a
:class:`~plazasim.errors.ScenarioError` whose text is one line naming the field,
e.g. ``policy[0].name: unknown policy 'foo' (known: conditional, crackdown, ...)``.

The file format is documented in ``docs/SCENARIOS.md``. The engine reads a
:class:`Scenario`; the results manifest stores :meth:`Scenario.to_dict`.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from plazasim.calibration_spec import BASE_DIR, CalibrationSpec
from plazasim.errors import ScenarioError, from_validation_error
from plazasim.events import (
    Absorb,
    Alliance,
    ArmsFlow,
    Capacity,
    EventSpec,
    ImmunityDeal,
    Incursion,
    KingpinCapture,
    KingpinKilled,
    MilitaryOperation,
    Rivalry,
    Split,
    SupplyShock,
    UsSignal,
    WorldNames,
    event_kinds,
)
from plazasim.extends import inherit, read_toml
from plazasim.model.params import Parameters
from plazasim.overrides import canonical, owner, set_values
from plazasim.world.world import World

__all__ = [
    "DEFAULT_POLICY",
    "HISTORY_KINDS",
    "STATE_ACTION_EVENTS",
    "Absorb",
    "Alliance",
    "ArmsFlow",
    "Capacity",
    "Event",
    "ImmunityDeal",
    "Incursion",
    "KingpinCapture",
    "KingpinKilled",
    "MilitaryOperation",
    "PolicyEntry",
    "Rivalry",
    "Scenario",
    "ScenarioMeta",
    "ScenarioWarning",
    "Split",
    "SupplyShock",
    "UsSignal",
    "WorldSpec",
    "bundled_scenarios",
    "check_against_world",
    "load_scenario",
    "parse_date",
    "parse_scenario",
    "with_overrides",
]

#: The policy the engine applies before the first entry of the timeline.
DEFAULT_POLICY = "laissez_faire"
#: Plazas of a synthetic world when ``[world] plazas`` is omitted.
DEFAULT_SYNTHETIC_PLAZAS = 500
#: Longest scenario, in years: a weekly model of a decade's data has nothing to say about
#: centuries, and a typo such as ``end = 2900-12-31`` would fill memory with weeks.
MAX_YEARS = 100

_CLOSED = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
_NAME_RE = re.compile(r"^[a-z0-9._-]+$")


class ScenarioMeta(BaseModel):
    """The ``[scenario]`` table: identity, dates, step and seed of the run."""

    model_config = _CLOSED

    name: str
    start: dt.date
    end: dt.date
    step: Literal["week"] = "week"
    seed: int = Field(0, ge=0)
    description: str = ""

    @field_validator("name")
    @classmethod
    def _name_is_a_slug(cls, value: str) -> str:
        # The name becomes part of the default output directory, so keep it path-safe.
        if not _NAME_RE.match(value):
            raise ValueError(
                f"must be non-empty and use only a-z, 0-9, '.', '_' and '-' (got {value!r})"
            )
        return value

    @model_validator(mode="after")
    def _end_after_start(self) -> ScenarioMeta:
        if self.end <= self.start:
            raise ScenarioError.at("end", f"{self.end} must be after scenario.start ({self.start})")
        years = (self.end - self.start).days / 365.25
        if years > MAX_YEARS:
            raise ScenarioError.at(
                "end",
                f"{self.end} is {years:.0f} years after scenario.start ({self.start}); "
                f"a scenario spans at most {MAX_YEARS} years",
            )
        return self


class WorldSpec(BaseModel):
    """The ``[world]`` table: the real Mexico world, or a seeded synthetic one."""

    model_config = _CLOSED

    kind: Literal["mexico", "synthetic"] = "mexico"
    plazas: int | None = Field(None, ge=10, le=200_000)
    seed: int = Field(0, ge=0)
    cartels: int = Field(6, ge=2, le=64)

    @model_validator(mode="before")
    @classmethod
    def _default_plazas(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("kind") == "synthetic"
            and data.get("plazas") is None
        ):
            data = {**data, "plazas": DEFAULT_SYNTHETIC_PLAZAS}
        return data

    @model_validator(mode="after")
    def _synthetic_only(self) -> WorldSpec:
        # The Mexico world takes its plazas and cartels from the data; a size given
        # for it would be silently ignored, so it is an error instead.
        if self.kind == "mexico":
            if self.plazas is not None:
                raise ScenarioError.at("plazas", 'only allowed with kind = "synthetic"')
            if self.cartels != WorldSpec.model_fields["cartels"].default:
                raise ScenarioError.at("cartels", 'only allowed with kind = "synthetic"')
        return self


class PolicyEntry(BaseModel):
    """One ``[[policy]]`` entry: policy ``name`` with ``params`` applies from date ``from``."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )

    from_: dt.date = Field(alias="from")
    name: str
    params: dict[str, Any] = Field(default_factory=dict)


# Events: each kind is one module of plazasim.events (schema, world check and effect side by
# side, registered by its ``kind``); the union is built from that registry.
if TYPE_CHECKING:
    Event = EventSpec
else:
    Event = Annotated[
        Union[tuple(event_kinds().values())],  # noqa: UP007
        Field(discriminator="kind"),
    ]


#: Event kinds that are state action: what the government's enforcement did. A policy
#: given on the command line (``--policy``, ``compare --policies``) replaces all state
#: action, so these events are dropped with the scenario's own timeline. Every other
#: kind (splits, alliances, wars, incursions, supply, arms, the US signal, an immunity
#: deal) is a condition of the world the policy acts in, and stays.
STATE_ACTION_EVENTS = frozenset(tag for tag, kind in event_kinds().items() if kind.state_action)


def _event_kinds() -> list[str]:
    """Return the ``kind`` tags of all registered event classes."""
    return sorted(event_kinds())


class Scenario(BaseModel):
    """A whole scenario file: meta, world, parameters, policy timeline and events."""

    model_config = _CLOSED

    scenario: ScenarioMeta
    world: WorldSpec = Field(default_factory=WorldSpec)
    parameters: Parameters = Field(default_factory=Parameters)
    policy: list[PolicyEntry] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    calibration: CalibrationSpec | None = None  # uncertain parameters and their priors

    @model_validator(mode="after")
    def _check_timeline_and_events(self) -> Scenario:
        start, end = self.scenario.start, self.scenario.end
        for i, entry in enumerate(self.policy):
            if not start <= entry.from_ <= end:
                raise ScenarioError.at(
                    f"policy[{i}].from", f"{entry.from_} is outside the scenario ({start} to {end})"
                )
            if i and entry.from_ <= self.policy[i - 1].from_:
                raise ScenarioError.at(
                    f"policy[{i}].from",
                    f"{entry.from_} must be after policy[{i - 1}].from "
                    f"({self.policy[i - 1].from_}); the timeline is listed in date order",
                )
            _check_policy(f"policy[{i}]", entry.name, entry.params)
        for i, event in enumerate(self.events):
            if not start <= event.date <= end:
                raise ScenarioError.at(
                    f"events[{i}].date", f"{event.date} is outside the scenario ({start} to {end})"
                )
            aim = getattr(event, "aim", None)
            if aim is not None:
                _check_policy(f"events[{i}].aim", aim, {}, field="")
        return self

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-serialisable form stored in the run manifest.

        Dates are ISO strings, every parameter is resolved (defaults included) and
        the world lists only the fields that apply to its kind.
        """
        data = self.model_dump(mode="json", by_alias=True)
        if self.world.kind == "mexico":
            data["world"].pop("plazas", None)
            data["world"].pop("cartels", None)
        return data


# --------------------------------------------------------------------------- policies


def _known_policies() -> list[str]:
    """List registered policy names; importing ``plazasim.policies`` registers built-ins."""
    import plazasim.policies  # noqa: F401  (import for the registration side effect)
    from plazasim.policies import load_plugins_once
    from plazasim.policies.base import registered

    load_plugins_once()

    return sorted(registered())


def _unknown_policy(name: str) -> str:
    return f"unknown policy {name!r} (known: {', '.join(_known_policies())})"


def _policy_option(text: str) -> tuple[str, dict[str, Any]]:
    """Split a ``--policy`` value into a policy name and its parameters.

    ``NAME`` runs the policy with its defaults; only ``mix`` takes parameters on the
    command line (``mix:signaling=0.7+kingpin=0.3``), because it has no useful
    default. Other policies' parameters belong in a scenario's ``[[policy]]`` entry.
    """
    from plazasim.policies.mix import mix_option_params

    name, sep, rest = text.partition(":")
    if name not in _known_policies():
        raise ScenarioError.at("policy", _unknown_policy(name))
    if name != "mix":
        if sep:
            raise ScenarioError.at(
                "policy",
                f"only mix takes parts after ':' (got {text!r}); give other "
                "policies' parameters in a scenario's [[policy]] entry",
            )
        return name, {}
    try:
        params = mix_option_params(rest)
    except ValueError as exc:
        raise ScenarioError.at("policy", str(exc)) from None
    _check_policy("policy", name, params, field="")
    return name, params


def _check_policy(path: str, name: str, params: dict[str, Any], field: str = ".name") -> None:
    """Instantiate the policy once so bad names and parameters fail at load time."""
    from plazasim.policies.base import make_policy

    if name not in _known_policies():
        raise ScenarioError.at(f"{path}{field}", _unknown_policy(name))
    try:
        make_policy(name, params)
    except ValidationError as exc:
        raise from_validation_error(exc, prefix=f"{path}.params") from None
    except TypeError as exc:  # a policy class without its own validation
        hit = re.search(r"unexpected keyword argument '(\w+)'", str(exc))
        if hit:
            raise ScenarioError.at(f"{path}.params.{hit.group(1)}", "unknown key") from None
        raise ScenarioError.at(f"{path}.params", str(exc)) from None
    except ValueError as exc:
        # Policies report "<policy>.<param>: <problem>"; re-anchor it in the file.
        text = " ".join(str(exc).split())
        field, sep, problem = text.partition(": ")
        if sep and field.startswith(f"{name}."):
            if problem.startswith("Extra inputs are not permitted"):
                problem = "unknown key"
            raise ScenarioError.at(f"{path}.params.{field[len(name) + 1 :]}", problem) from None
        raise ScenarioError.at(f"{path}.params", text) from None


# --------------------------------------------------------------------------- errors


def _validate(data: Any, base_dir: Path | None = None) -> Scenario:
    """Validate scenario data; ``base_dir`` anchors a relative ``calibration.posterior``."""
    context = {BASE_DIR: base_dir} if base_dir is not None else None
    try:
        return Scenario.model_validate(data, context=context)
    except ValidationError as exc:
        raise from_validation_error(exc, tags=_event_kinds(), tag_noun="event kind") from None


# --------------------------------------------------------------------------- loading


def parse_scenario(
    text: str, origin: str = "<string>", base_dir: str | Path | None = None
) -> Scenario:
    """Parse and validate scenario TOML ``text``; ``origin`` names it in TOML errors.

    A relative ``[calibration] posterior`` path, and a relative ``extends``
    (:mod:`plazasim.extends`), are relative to ``base_dir``: the scenario file's
    folder when :func:`load_scenario` calls this, the current directory for text
    that comes from no file.
    """
    return _parse(text, origin, base_dir)[0]


def _parse(text: str, origin: str, base_dir: str | Path | None) -> tuple[Scenario, bool]:
    """:func:`parse_scenario`, and whether the text ``extends`` another scenario."""
    folder = Path.cwd() if base_dir is None else Path(base_dir)
    data = read_toml(text, origin)
    extended = isinstance(data, dict) and "extends" in data
    if "add" in data and not extended:
        raise ScenarioError.at(
            "add",
            "only in a scenario that extends another: [[add.events]] "
            'appends to the events of its base (extends = "mexico-2006")',
        )
    if extended:
        here = Path(origin).resolve() if Path(origin).is_file() else None
        data = inherit(data, folder, bundled_scenarios(), (here,) if here else ())
    return _validate(data, folder), extended


#: Event kinds of the cartels' own history (docs/DATA.md, "Historical timeline"): a
#: Mexico scenario without any of them runs 2006-2012 without the splits and wars.
HISTORY_KINDS = frozenset({"split", "alliance", "rivalry", "absorb", "incursion"})


class ScenarioWarning(UserWarning):
    """A valid scenario that probably does not do what its author meant (one line)."""


def _warn_without_history(scenario: Scenario, path: Path) -> None:
    """Warn when a user's Mexico scenario leaves out the historical timeline.

    A scenario file lists its own events, so a new ``kind = "mexico"`` file runs
    without the splits, alliances and wars of ``mexico-2006`` unless it copies them
    or ``extends`` that scenario.
    """
    if scenario.world.kind != "mexico" or any(e.tag in HISTORY_KINDS for e in scenario.events):
        return
    warnings.warn(
        f"{path}: this Mexico scenario has none of the cartels' historical events (splits, "
        "alliances, wars) of mexico-2006, since it neither lists them nor extends it; to "
        'keep them and change only what you state, write extends = "mexico-2006" '
        "(docs/SCENARIOS.md, Extending a scenario)",
        ScenarioWarning,
        stacklevel=3,
    )


def bundled_scenarios() -> dict[str, Path]:
    """Scenarios shipped with the package, by name (file stem), sorted."""
    root = resources.files("plazasim.scenarios")
    found = {
        Path(entry.name).stem: Path(str(entry))
        for entry in root.iterdir()
        if entry.name.endswith(".toml")
    }
    return dict(sorted(found.items()))


def load_scenario(source: str | Path) -> Scenario:
    """Load a scenario from an existing file path, else from a bundled scenario name.

    Bundled scenarios are the ``.toml`` files of the package's ``scenarios`` folder
    (:func:`bundled_scenarios`, through ``importlib.resources``); a relative
    ``[calibration] posterior`` is relative to the folder of the file read.
    """
    path = Path(source)
    bundled = bundled_scenarios()
    if not path.is_file():
        if isinstance(source, str) and source in bundled:
            path = bundled[source]
        elif path.exists():
            raise ScenarioError.at("scenario", f"not a file: {path}")
        elif (
            isinstance(source, Path) or "/" in source or "\\" in source or source.endswith(".toml")
        ):
            raise ScenarioError.at("scenario", f"file not found: {path}")
        else:
            raise ScenarioError.at(
                "scenario",
                f"unknown scenario {source!r} (bundled: {', '.join(bundled)}; "
                "or give the path of a .toml file)",
            )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ScenarioError.at("scenario", f"cannot read {path}: {reason}") from None
    scenario, extended = _parse(text, str(path), path.absolute().parent)
    if not extended and path.resolve() not in {p.resolve() for p in bundled.values()}:
        _warn_without_history(scenario, path)
    return scenario


# --------------------------------------------------------------------------- checks, overrides


def check_against_world(scenario: Scenario, world: World) -> None:
    """Check the names in events (cartels, plazas, states) against the built world.

    Kept apart from schema validation because the world is only known after it is
    built, and building Mexico reads the data files. Each event kind checks its own
    names (:meth:`plazasim.events.EventSpec.check`). Events are walked in date
    order, so a cartel created by an earlier ``split`` event may be named by later
    events; a ``split`` may not reuse a name already in play.
    """
    names = WorldNames.of(world)
    order = sorted(range(len(scenario.events)), key=lambda i: scenario.events[i].date)
    for i in order:
        try:
            scenario.events[i].check(names)
        except ScenarioError as exc:
            raise ScenarioError.at(f"events[{i}].{exc.path}", exc.problem) from None


def parse_date(text: str) -> dt.date | None:
    """``text`` as a date if it is exactly ``YYYY-MM-DD`` and a real day, else ``None``.

    Only the unambiguous form: ``fromisoformat`` alone would also take ``20090101``.
    """
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    parsed = parse_date(value) if isinstance(value, str) else None
    if parsed is None:
        raise ScenarioError.at("until", f"invalid date {value!r}")
    return parsed


def with_overrides(
    scenario: Scenario,
    *,
    seed: int | None = None,
    until: dt.date | str | None = None,
    policy: str | None = None,
    parameters: Mapping[str, object] | None = None,
) -> Scenario:
    """Return a copy of ``scenario`` with command-line overrides applied, re-validated.

    ``parameters`` changes values by name (:mod:`plazasim.overrides`): a model
    parameter (``{"lethality": 0.03}``), a key of a table (``"world.plazas"``,
    ``"scenario.description"``) or a policy's parameter in every timeline entry
    that runs it (``"policy.signaling.wait_weeks"``). The result is validated like
    a scenario file holding those values: an unknown name is refused with the
    closest known one, a bad value with its field, the value and the expected
    form (``parameters.lethality: Input should be greater than or equal to 0.0005
    (got -5)``). They apply after ``seed``, ``until`` and ``policy``, so they may
    set parameters of the policy given there.

    ``until`` replaces the end date; it may only shorten the run (after the start,
    not after the end). Policy entries and events after it are dropped, since they
    would never apply. ``policy`` replaces all state action: the whole policy
    timeline becomes that policy, with default parameters, from the start, and the
    events that were state action (:data:`STATE_ACTION_EVENTS`: operations,
    captures, budget changes) are dropped. A mix gives its parts:
    ``policy="mix:signaling=0.7+kingpin=0.3"``. Errors name the override (``seed``,
    ``until``, ``policy``).
    """
    data = scenario.model_dump(by_alias=True)
    start = scenario.scenario.start
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise ScenarioError.at("seed", f"must be an integer >= 0 (got {seed!r})")
        data["scenario"]["seed"] = seed
    if until is not None:
        end = _as_date(until)
        last = scenario.scenario.end
        if not start < end <= last:
            # Only shortening: a later end would simulate weeks the scenario's timeline and
            # events were never written for (a 2009 scenario silently run to 2015).
            where = "not after the start" if end <= start else "after the end"
            raise ScenarioError.at(
                "until",
                f"{end} is {where} of {scenario.scenario.name} ({start} to {last}); "
                f"give a date from {start + dt.timedelta(days=1)} to {last} (--until can only "
                "shorten a run)",
            )
        data["scenario"]["end"] = end
        data["policy"] = [p for p in data["policy"] if p["from"] <= end]
        data["events"] = [e for e in data["events"] if e["date"] <= end]
    if policy is not None:
        name, params = _policy_option(policy)
        data["policy"] = [{"from": start, "name": name, "params": params}]
        data["events"] = [e for e in data["events"] if e["kind"] not in STATE_ACTION_EVENTS]
    if not parameters:
        return _validate(data)
    set_values(data, parameters)
    try:
        return _validate(data)
    except ScenarioError as exc:
        # Name the error after the override that caused it, as the user wrote the name.
        culprit = owner(exc.path, parameters, data)
        if culprit is None or canonical(culprit) == exc.path:
            raise
        raise ScenarioError.at(canonical(culprit), exc.problem) from None
