"""Map the dated source rows to scenario events (rules T1-T10 of docs/DATA.md).

Reads ``cartels_2006_2012/dto_events.csv``, ``timeline/kingpin_events_2007_2012.csv``,
``timeline/military_operations_valle.csv`` and, to resolve place names to INEGI codes,
``conapo/mun_population_1990_2012_valle.csv`` (the world's plaza set, rule 1). Returns
the events in date order, every skipped row with its reason, and the rows that are
already in the 2006 world. Only ``build_mexico_timeline.py`` imports this module.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import _timeline_rules as rules
from _mexico_common import read_csv

DTO_FILE = "cartels_2006_2012/dto_events.csv"
KINGPIN_FILE = "timeline/kingpin_events_2007_2012.csv"
OPS_FILE = "timeline/military_operations_valle.csv"
PLAZA_FILE = "conapo/mun_population_1990_2012_valle.csv"
LEADER_KIND = {
    "leader_captured": "kingpin_capture",
    "leader_killed": "kingpin_killed",
    "capture": "kingpin_capture",
    "killing": "kingpin_killed",
}
PRECISION_NOTE = {
    "month": "Month precision: dated the 15th (rule T1).",
    "year": "Year precision: dated 1 July (rule T1, an assumption).",
}


@dataclass
class Planned:
    """One event: its TOML fields in output order, and how it sorts."""

    date: dt.date
    kind: str
    fields: dict[str, Any]
    notes: list[str]
    order: tuple[int, int]

    def sort_key(self) -> tuple[dt.date, int, tuple[int, int]]:
        """Date, then splits before anything else on the same day, then source order."""
        return (self.date, 0 if self.kind == "split" else 1, self.order)

    def table(self) -> dict[str, Any]:
        """Return the event as an ordered dict of TOML keys."""
        return {"date": self.date, "kind": self.kind, **self.fields, "note": " ".join(self.notes)}


@dataclass
class Timeline:
    """The result: events in date order, skipped rows and rows in the initial map."""

    events: list[dict[str, Any]]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    initial: list[str] = field(default_factory=list)


def parse_date(text: str, precision: str) -> dt.date:
    """Return the day a ``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` date stands for (rule T1)."""
    pattern = {"day": r"\d{4}-\d{2}-\d{2}", "month": r"\d{4}-\d{2}", "year": r"\d{4}"}[precision]
    if not re.fullmatch(pattern, text):
        raise ValueError(f"date {text!r} does not have precision {precision!r}")
    if precision == "day":
        return dt.date.fromisoformat(text)
    if precision == "month":
        return dt.date(int(text[:4]), int(text[5:7]), rules.MONTH_DAY)
    return dt.date(int(text), *rules.YEAR_MONTH_DAY)


def kingpin_precision(text: str) -> str:
    """Return the precision of a kingpin-file date (the file has no precision column)."""
    return {10: "day", 7: "month", 4: "year"}[len(text)]


def _plain(text: str) -> str:
    """Casefold, strip accents and put a trailing article first ("Paz, La" -> "la paz")."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold().strip()
    hit = re.fullmatch(r"(.+), (la|el|los|las)", text)
    return f"{hit.group(2)} {hit.group(1)}" if hit else text


class Municipalities:
    """INEGI codes of the world's plazas (CONAPO 2007 set, rule 1) by state and plain name."""

    def __init__(self, data: Path) -> None:
        df = read_csv(data, PLAZA_FILE, dtype={"cvegeo": str, "municipality": str})
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for code, name in sorted(set(zip(df.cvegeo, df.municipality, strict=True))):
            self.by_name.setdefault((code[:2], _plain(name)), []).append(code)

    def code(self, name: str, state: str) -> str:
        """Return the one municipality called ``name`` in ``state``; fail otherwise."""
        codes = sorted(set(self.by_name.get((state, _plain(name)), [])))
        if len(codes) != 1:
            raise ValueError(f"municipality {name!r} in state {state}: found {codes}")
        return codes[0]


def _dto_key(r: Any) -> rules.DtoKey:
    return (r.date, r.event_type, r.dto_a, r.dto_b)


def _dto_label(r: Any) -> str:
    pair = f"{r.dto_a}/{r.dto_b}" if r.dto_b else r.dto_a
    return f"dto_events.csv: {r.date} {r.event_type} {pair}"


def _kingpin_label(r: Any) -> str:
    return f"kingpin_events_2007_2012.csv: {r.date} {r.event_type} {r.person}"


def _name(raw: str, row: str) -> str:
    """Map a dto_events.csv name to the model's (rule T2); unknown names stop the build."""
    if raw not in rules.DTO_NAMES:
        raise ValueError(f"{row}: unknown organisation {raw!r}")
    name = rules.DTO_NAMES[raw]
    if name is None:
        raise ValueError(f"{row}: {raw!r} is not in the model; give the row a skip reason")
    return name


def _alias_notes(*raws: str) -> list[str]:
    return [
        f"'{raw}' is {rules.DTO_NAMES[raw]} here (rule T2)."
        for raw in raws
        if raw and rules.DTO_NAMES.get(raw) not in (raw, None)
    ]


def _unused(table: dict[Any, Any], seen: set[Any], what: str) -> None:
    missing = sorted(set(table) - seen)
    if missing:
        raise ValueError(f"{what}: table rows match no input row: {missing}")


def dto_events(data: Path, out: Timeline) -> tuple[list[Planned], dict[int, Any]]:
    """Map dto_events.csv rows (rules T3-T5); return events and the leader rows by index."""
    rows = list(read_csv(data, DTO_FILE, dtype=str, keep_default_na=False).itertuples())
    keys = [_dto_key(r) for r in rows]
    wars = {
        (r.date, frozenset((r.dto_a, r.dto_b))): i
        for i, r in enumerate(rows)
        if r.event_type == "war_started"
    }
    planned: list[Planned] = []
    by_index: dict[int, Planned] = {}
    leaders: dict[int, Any] = {}
    merged: list[tuple[int, int]] = []
    for i, (r, key) in enumerate(zip(rows, keys, strict=True)):
        label = _dto_label(r)
        when = rules.DATE_FROM_NOTE.get(key, (parse_date(r.date, r.date_precision), ""))[0]
        if when < rules.SCENARIO_START:
            out.initial.append(label)
            continue
        if key in rules.SKIP_DTO:
            out.skipped.append((label, rules.SKIP_DTO[key]))
            continue
        etype = r.event_type
        if etype in ("leader_captured", "leader_killed"):
            leaders[i] = r  # rule T6, with the kingpin file
            continue
        notes = [label + "."]
        if key in rules.DATE_FROM_NOTE:
            notes.append(f"Dated {when}: {rules.DATE_FROM_NOTE[key][1]} (rule T1).")
        elif r.date_precision in PRECISION_NOTE:
            notes.append(PRECISION_NOTE[r.date_precision])
        fields: dict[str, Any]
        if etype == "alliance_broken" and (r.date, frozenset((r.dto_a, r.dto_b))) in wars:
            merged.append((i, wars[(r.date, frozenset((r.dto_a, r.dto_b)))]))
            out.skipped.append(
                (
                    label,
                    "merged into the war_started row of the same date and "
                    "pair: the rivalry alone ends the alliance (rule T3)",
                )
            )
            continue
        if etype in ("war_started", "alliance_formed", "alliance_broken"):
            kind = "rivalry" if etype == "war_started" else "alliance"
            fields = {"cartel": _name(r.dto_a, label), "other": _name(r.dto_b, label)}
            if etype == "alliance_broken":
                fields["broken"] = True
            notes += _alias_notes(r.dto_a, r.dto_b)
        elif etype in ("split", "founded") and key not in rules.NEW_SPLITS:
            a, b = _name(r.dto_a, label), _name(r.dto_b, label)
            if etype != "split" or a not in rules.WORLD_CARTELS or b not in rules.WORLD_CARTELS:
                raise ValueError(f"{label}: a new organisation needs a NEW_SPLITS entry")
            if key in rules.DEFECTIONS:
                kind, fields = "defection", _defection(rows, key, label)
                notes.append(
                    "Both organisations are already cartels of the world, so the split "
                    f"is a defection (rule T3): {rules.DEFECTIONS[key][4]}."
                )
            else:
                kind, fields = "rivalry", {"cartel": a, "other": b}
                notes.append(
                    "Both organisations are already cartels of the world, so the split "
                    "is a rivalry (rule T3)."
                )
        elif etype in ("split", "founded"):
            new, share, states, why = rules.NEW_SPLITS[key]
            parent_raw, new_raw = (r.dto_a, r.dto_b) if etype == "split" else (r.dto_b, r.dto_a)
            if _name(new_raw, label) != new or new in rules.WORLD_CARTELS:
                raise ValueError(f"{label}: NEW_SPLITS names {new!r}")
            kind = "split"
            fields = {
                "cartel": _name(parent_raw, label),
                "new": new,
                "share": share,
                "states": list(states),
            }
            notes.append(f"Share and states from the row (rule T4): {why}.")
            notes += _alias_notes(parent_raw)
        elif etype == "absorbed":
            kind = "absorb"
            fields = {"cartel": _name(r.dto_a, label), "other": _name(r.dto_b, label)}
            notes += _alias_notes(r.dto_a, r.dto_b)
        else:
            raise ValueError(f"{label}: no rule for event type {etype!r}")
        event = Planned(when, kind, fields, notes, (0, i))
        planned.append(event)
        by_index[i] = event
    for broken, war in merged:
        by_index[war].notes.insert(1, _dto_label(rows[broken]) + " (same date: merged here).")
    _unused(rules.SKIP_DTO, set(keys), DTO_FILE)
    _unused(rules.NEW_SPLITS, set(keys), DTO_FILE)
    _unused(rules.DEFECTIONS, set(keys), DTO_FILE)
    _unused(rules.DATE_FROM_NOTE, set(keys), DTO_FILE)
    return planned, leaders


def leader_events(
    data: Path, towns: Municipalities, dto_leaders: dict[int, Any], out: Timeline
) -> list[Planned]:
    """Map leader rows of both files to kingpin events, merging twins (rule T6)."""
    kp = list(read_csv(data, KINGPIN_FILE, dtype=str, keep_default_na=False).itertuples())
    kp_keys = [(r.date, r.event_type, r.person) for r in kp]
    _unused(rules.SKIP_KINGPIN, set(kp_keys), KINGPIN_FILE)
    dto_keys = {i: _dto_key(r) for i, r in dto_leaders.items()}
    for table, what in (
        (rules.DTO_PERSONS, "DTO_PERSONS"),
        (rules.DTO_PLACES, "DTO_PLACES"),
        (rules.DTO_NO_PLACE, "DTO_NO_PLACE"),
    ):
        _unused(table, set(dto_keys.values()), what)
    # Each dto_events leader row: (cartel, kind, date, precision).
    dto_info = {
        i: (
            _name(r.dto_a, _dto_label(r)),
            LEADER_KIND[r.event_type],
            parse_date(r.date, r.date_precision),
            r.date_precision,
        )
        for i, r in dto_leaders.items()
    }
    twins: dict[int, Any] = {}
    planned: list[Planned] = []
    for j, (r, key) in enumerate(zip(kp, kp_keys, strict=True)):
        label = _kingpin_label(r)
        if key in rules.SKIP_KINGPIN:
            out.skipped.append((label, rules.SKIP_KINGPIN[key]))
            continue
        if r.event_type not in LEADER_KIND or r.organization not in rules.KINGPIN_ORGS:
            raise ValueError(f"{label}: no rule for type {r.event_type!r} / {r.organization!r}")
        cartel, kind = rules.KINGPIN_ORGS[r.organization], LEADER_KIND[r.event_type]
        when = parse_date(r.date, kingpin_precision(r.date))
        if when < rules.SCENARIO_START:
            out.initial.append(label)
            continue
        same = [
            i
            for i, (c, k, d, _) in dto_info.items()
            if c == cartel and k == kind and abs((d - when).days) <= rules.SAME_EVENT_DAYS
        ]
        if len(same) > 1:
            raise ValueError(f"{label}: several dto_events rows match: {same}")
        if same:
            twins[same[0]] = r
            continue
        notes = [label + "."]
        if cartel not in r.organization:
            notes.append(f"Organisation '{r.organization}' is {cartel} here (rule T2).")
        fields: dict[str, Any] = {"cartel": cartel, "person": r.person}
        fields.update(_kingpin_place(r, towns, notes))
        planned.append(Planned(when, kind, fields, notes, (1, j)))
    for i, r in sorted(dto_leaders.items()):
        cartel, kind, when, precision = dto_info[i]
        key, label = dto_keys[i], _dto_label(r)
        notes = [label + "."]
        twin = twins.get(i)
        if twin is not None:
            notes[0] = f"{label}; {_kingpin_label(twin)} (one event, rule T6)."
            if precision != "day":
                when = parse_date(twin.date, kingpin_precision(twin.date))
                notes.append(f"Dated as the kingpin file ({twin.date}).")
            person = twin.person
        else:
            if precision in PRECISION_NOTE:
                notes.append(PRECISION_NOTE[precision])
            person = rules.DTO_PERSONS[key]
            if _plain(person) not in _plain(r.description):
                raise ValueError(f"{label}: {person!r} not in the description")
        notes += _alias_notes(r.dto_a)
        if r.dto_b:
            notes.append(f"{r.dto_b} (dto_b) is the leader's patron, not his organisation.")
        fields = {"cartel": cartel, "person": person}
        place = _dto_place(r, key, towns, notes)
        if twin is not None:
            other = _kingpin_place(twin, towns, notes)
            if place and other and place != other:
                raise ValueError(f"{label}: places differ between the files: {place} {other}")
            place = place or other
        fields.update(place)
        planned.append(Planned(when, kind, fields, notes, (0, i)))
    return planned


def _dto_place(
    r: Any, key: rules.DtoKey, towns: Municipalities, notes: list[str]
) -> dict[str, str]:
    if key in rules.DTO_NO_PLACE:
        notes.append(f"No plaza: {rules.DTO_NO_PLACE[key]}.")
    if key not in rules.DTO_PLACES:
        return {}
    name, state = rules.DTO_PLACES[key]
    if _plain(name) not in _plain(r.description):
        raise ValueError(f"{_dto_label(r)}: {name!r} not in the description")
    return {"plaza": towns.code(name, state)}


def _kingpin_place(r: Any, towns: Municipalities, notes: list[str]) -> dict[str, str]:
    if r.place in rules.NOT_A_MUNICIPALITY:
        notes.append(f"No plaza: {rules.NOT_A_MUNICIPALITY[r.place]}.")
        return {}
    if not r.place:
        return {}
    return {"plaza": towns.code(r.place, r.cve_ent)}


def operations(data: Path, default_ops: float, out: Timeline) -> list[Planned]:
    """Map military_operations_valle.csv rows to ``military_operation`` events (rule T7)."""
    rows = list(read_csv(data, OPS_FILE, dtype=str, keep_default_na=False).itertuples())
    starts = {r.operation: dt.date.fromisoformat(r.date) for r in rows}
    _unused(rules.SKIP_OPERATIONS, {(r.date, r.operation) for r in rows}, OPS_FILE)
    _unused(rules.PHASES, set(starts), OPS_FILE)
    _unused(rules.OPS_MULTIPLE, set(starts), OPS_FILE)
    ends = {earlier: starts[later] for later, earlier in rules.PHASES.items()}
    planned = []
    for k, r in enumerate(rows):
        label = f"military_operations_valle.csv: {r.date} {r.operation}"
        if (r.date, r.operation) in rules.SKIP_OPERATIONS:
            out.skipped.append((label, rules.SKIP_OPERATIONS[(r.date, r.operation)]))
            continue
        notes = [
            f"{label} ({r.original_source_cited_in_yaml}).",
            f"Aimed by {rules.OPERATION_AIM} (rule T7).",
        ]
        fields: dict[str, Any] = {"name": r.operation, "aim": rules.OPERATION_AIM}
        states = r.cve_ent_list.split(";")
        if rules.JUAREZ_NOTE in r.note:
            if states != [rules.JUAREZ[:2]]:
                raise ValueError(f"{label}: a Ciudad Juarez row outside Chihuahua")
            fields["plazas"] = [rules.JUAREZ]
            notes.append("Ciudad Juarez only (rule T7).")
        else:
            fields["states"] = states
            if r.note:
                notes.append(f"File note: {r.note}.")
        if r.operation in ends:
            fields["end"] = ends[r.operation]
            nxt = next(p for p, e in rules.PHASES.items() if e == r.operation)
            notes.append(f"Ends when '{nxt}' starts: phases do not stack (rule T7).")
        if r.operation in rules.OPS_MULTIPLE:
            mult, why = rules.OPS_MULTIPLE[r.operation]
            fields["ops_per_week"] = mult * default_ops
            notes.append(
                f"ops_per_week = {mult:g} x the default operation_ops_per_week "
                f"({default_ops:g}): {why} (rule T7)."
            )
        planned.append(
            Planned(dt.date.fromisoformat(r.date), "military_operation", fields, notes, (2, k))
        )
    return planned


def _defection(rows: list[Any], key: rules.DtoKey, label: str) -> dict[str, Any]:
    """The ``defection`` fields of a split row in :data:`DEFECTIONS` (rule T3).

    Checks that the pair's ``war_started`` row of the given date names the city.
    """
    breakaway, share, (city, state), war_date, _ = rules.DEFECTIONS[key]
    pair = {key[2], key[3]}
    wars = [
        r
        for r in rows
        if r.event_type == "war_started" and r.date == war_date and {r.dto_a, r.dto_b} == pair
    ]
    if len(wars) != 1 or _plain(city) not in _plain(wars[0].description):
        raise ValueError(f"{label}: no {war_date} war_started row naming {city!r}")
    parent = (pair - {breakaway}).pop()
    return {
        "cartel": _name(parent, label),
        "other": _name(breakaway, label),
        "share": share,
        "states": [state],
    }


def incursions(data: Path, towns: Municipalities) -> list[Planned]:
    """Wars carried into a named municipality: ``incursion`` events (rule T10).

    Dated like the row's rivalry (rule T1) and listed after it on the same day.
    """
    rows = list(read_csv(data, DTO_FILE, dtype=str, keep_default_na=False).itertuples())
    keys = [_dto_key(r) for r in rows]
    _unused(rules.INCURSIONS, set(keys), DTO_FILE)
    planned = []
    for i, (r, key) in enumerate(zip(rows, keys, strict=True)):
        if key not in rules.INCURSIONS:
            continue
        label = _dto_label(r)
        attacker, (name, state), why = rules.INCURSIONS[key]
        if _plain(name) not in _plain(r.description):
            raise ValueError(f"{label}: {name!r} not in the description")
        when = rules.DATE_FROM_NOTE.get(key, (parse_date(r.date, r.date_precision), ""))[0]
        notes = [
            label + ".",
            f"{_name(attacker, label)} carries the war into {name}: {why} (rule T10).",
            "The forces sent, the war's length and its deaths come from the model.",
        ]
        planned.append(
            Planned(
                when,
                "incursion",
                {"cartel": _name(attacker, label), "plazas": [towns.code(name, state)]},
                notes,
                (4, i),
            )
        )
    return planned


def exogenous() -> list[Planned]:
    """The supply, arms and capacity periods (rule T8)."""
    out = []
    for m, (kind, date, end, factor, note) in enumerate(rules.EXOGENOUS):
        fields: dict[str, Any] = {"end": end} if end is not None else {}
        fields["factor"] = factor
        out.append(Planned(date, kind, fields, [note], (3, m)))
    return out


def check_order(events: list[Planned]) -> None:
    """Fail if an event names a cartel before its split or after its absorption (rule T1)."""
    alive = set(rules.WORLD_CARTELS)
    for ev in events:
        if not rules.SCENARIO_START <= ev.date <= rules.SCENARIO_END:
            raise ValueError(f"{ev.notes[0]}: {ev.date} is outside the scenario")
        for name in (ev.fields.get("cartel"), ev.fields.get("other")):
            if name is not None and name not in alive:
                raise ValueError(f"{ev.notes[0]}: {name!r} does not exist on {ev.date}")
        if ev.kind == "split":
            alive.add(ev.fields["new"])
        elif ev.kind == "absorb":
            alive.discard(ev.fields["other"])


def build_timeline(data: Path, default_ops: float) -> Timeline:
    """Run rules T1-T10 and return the timeline (events sorted, skips, initial rows)."""
    out = Timeline(events=[])
    towns = Municipalities(data)
    planned, leaders = dto_events(data, out)
    planned += leader_events(data, towns, leaders, out)
    planned += operations(data, default_ops, out)
    planned += incursions(data, towns)
    planned += exogenous()
    planned.sort(key=Planned.sort_key)
    for ev in planned:
        named = (ev.fields.get("cartel"), ev.fields.get("other"))
        for e in planned:
            if (
                ev.kind != "split"
                and e.kind == "split"
                and e.date == ev.date
                and e.fields["new"] in named
            ):
                ev.notes.append(
                    f"Same date as the split that creates {e.fields['new']}; "
                    "listed after it (rule T1)."
                )
    check_order(planned)
    out.events = [ev.table() for ev in planned]
    return out
