"""Phase 10, the books: weekly records in preallocated arrays, turned into tidy tables.

National rows carry the two ledgers that must balance every week:
cocaine (entered = delivered + seized + change in stock) and money (revenue =
wages + bribes + recruiting + deployment + cash seized + laundered + intercepted
+ change in cash). Plaza rows are one per plaza per week; cartel rows one per cartel slot
that has ever been used, per week.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from plazasim.model.operations import OP_NAMES
from plazasim.model.state import NO_CARTEL, State
from plazasim.model.step import WeekRecord
from plazasim.world.world import World

#: Homicide types recorded per plaza (``homicides_<type>`` columns of the plaza table).
PLAZA_HOMICIDE_TYPES = ("cartel", "state", "bystander", "baseline")

NATIONAL_SCALARS = (
    "homicides_total",
    "homicides_cartel",
    "homicides_state",
    "homicides_bystander",
    "homicides_baseline",
    "cocaine_entered_t",
    "cocaine_delivered_t",
    "cocaine_seized_t",
    "cocaine_stock_t",
    "cocaine_stock_change_t",
    "revenue_usd",
    "laundered_usd",
    "intercepted_usd",
    "wages_usd",
    "bribes_usd",
    "recruiting_usd",
    "deployment_usd",
    "cash_seized_usd",
    "cash_usd",
    "cash_change_usd",
    "members",
    "members_change",
    "recruits",
    "members_out",
    "members_dispersed",
    "members_deployed",
    "active_cartels",
    "operations",
    "plazas_disputed",
    "front_cells",
)


class Recorder:
    """Accumulates :class:`WeekRecord` s for ``n_weeks`` weeks."""

    def __init__(self, n_weeks: int, world: World, n_slots: int, *, record_plazas: bool = True):
        k = max(n_slots, world.n_cartels)
        p = world.n_plazas
        self.n_weeks = n_weeks
        self.world = world
        self.record_plazas = record_plazas
        self.national = {name: np.zeros(n_weeks) for name in NATIONAL_SCALARS}
        self.policy: list[str] = [""] * n_weeks
        self.cartel = {
            name: np.zeros((n_weeks, k))
            for name in ("members", "cash_usd", "revenue_usd", "plazas_held")
        }
        self.alive = np.zeros((n_weeks, k), dtype=bool)
        if record_plazas:
            self.controller = np.full((n_weeks, p), NO_CARTEL, dtype=np.int16)
            self.disputed = np.zeros((n_weeks, p), dtype=bool)
            self.violence = np.zeros((n_weeks, p), dtype=np.float32)
            # One (weeks x plazas) array per homicide type; the total is their sum.
            self.homicides_by_type = {
                kind: np.zeros((n_weeks, p), dtype=np.float32) for kind in PLAZA_HOMICIDE_TYPES
            }
            self.flow = np.zeros((n_weeks, p), dtype=np.float32)
            self.heat = np.zeros((n_weeks, p), dtype=np.float32)
        self.ops: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self.names: list[str] = []

    def record(
        self,
        t: int,
        state: State,
        rec: WeekRecord,
        *,
        policy_name: str,
        stock_before: float,
        cash_before: float,
        members_before: float,
    ) -> None:
        """Store week ``t``."""
        nat = self.national
        hom = rec.hom_cartel + rec.hom_state + rec.hom_bystander + rec.hom_baseline
        nat["homicides_total"][t] = hom.sum()
        nat["homicides_cartel"][t] = rec.hom_cartel.sum()
        nat["homicides_state"][t] = rec.hom_state.sum()
        nat["homicides_bystander"][t] = rec.hom_bystander.sum()
        nat["homicides_baseline"][t] = rec.hom_baseline.sum()
        nat["cocaine_entered_t"][t] = rec.entered_t
        nat["cocaine_delivered_t"][t] = rec.delivered_t
        nat["cocaine_seized_t"][t] = rec.seized_t
        stock = float(state.stock.sum())
        nat["cocaine_stock_t"][t] = stock
        nat["cocaine_stock_change_t"][t] = stock - stock_before
        nat["revenue_usd"][t] = rec.revenue_k.sum()
        nat["laundered_usd"][t] = rec.laundered_usd
        nat["intercepted_usd"][t] = rec.intercepted_usd
        nat["wages_usd"][t] = rec.wages_usd
        nat["bribes_usd"][t] = rec.bribes_usd
        nat["recruiting_usd"][t] = rec.recruiting_usd
        nat["deployment_usd"][t] = rec.deployment_usd
        nat["members_deployed"][t] = rec.members_deployed
        nat["front_cells"][t] = rec.front_cells
        nat["cash_seized_usd"][t] = rec.cash_seized_usd
        cash = float(state.cash.sum())
        nat["cash_usd"][t] = cash
        nat["cash_change_usd"][t] = cash - cash_before
        members = float(state.strength.sum())
        nat["members"][t] = members
        nat["members_change"][t] = members - members_before
        nat["recruits"][t] = rec.members_in.sum()
        nat["members_out"][t] = rec.members_out.sum()
        nat["members_dispersed"][t] = rec.dispersed.sum()
        nat["active_cartels"][t] = state.alive.sum()
        nat["operations"][t] = rec.op_plaza.size
        nat["plazas_disputed"][t] = rec.disputed.sum()
        self.policy[t] = policy_name
        k = state.n_slots
        self.cartel["members"][t, :k] = state.strength.sum(axis=1)
        self.cartel["cash_usd"][t, :k] = state.cash
        self.cartel["revenue_usd"][t, :k] = rec.revenue_k
        held = state.control[state.control != NO_CARTEL]
        self.cartel["plazas_held"][t, :k] = np.bincount(held, minlength=k)[:k]
        self.alive[t, :k] = state.alive
        if self.record_plazas:
            self.controller[t] = state.control
            self.disputed[t] = rec.disputed
            self.violence[t] = rec.violence_observed
            self.homicides_by_type["cartel"][t] = rec.hom_cartel
            self.homicides_by_type["state"][t] = rec.hom_state
            self.homicides_by_type["bystander"][t] = rec.hom_bystander
            self.homicides_by_type["baseline"][t] = rec.hom_baseline
            self.flow[t] = rec.flow_t
            self.heat[t] = state.heat
        self.ops.append((rec.op_plaza, rec.op_cartel, rec.op_kind))
        self.names = list(state.names)

    @property
    def homicides(self) -> np.ndarray:
        """``(weeks, P)`` all homicides per plaza and week: the sum of the recorded types."""
        total = np.zeros_like(self.homicides_by_type["cartel"])
        for kind in PLAZA_HOMICIDE_TYPES:
            total += self.homicides_by_type[kind]
        return total

    # ------------------------------------------------------------------ tables
    def national_frame(self, dates: list[dt.date]) -> pd.DataFrame:
        """One row per week; see README "Outputs"."""
        frame = pd.DataFrame({"date": pd.to_datetime(dates)})
        for name in NATIONAL_SCALARS:
            values = self.national[name]
            frame[name] = (
                values.astype(np.int64)
                if name in ("active_cartels", "operations", "plazas_disputed", "front_cells")
                else values
            )
        frame["policy"] = self.policy
        return frame

    def cartel_frame(self, dates: list[dt.date]) -> pd.DataFrame:
        """One row per used cartel slot per week."""
        used = [i for i, name in enumerate(self.names) if name]
        n_weeks = len(dates)
        return pd.DataFrame(
            {
                "date": np.repeat(pd.to_datetime(dates), len(used)),
                "cartel": pd.Categorical(
                    np.tile(np.array(self.names, dtype=object)[used], n_weeks)
                ),
                "members": self.cartel["members"][:, used].ravel(),
                "cash_usd": self.cartel["cash_usd"][:, used].ravel(),
                "revenue_usd": self.cartel["revenue_usd"][:, used].ravel(),
                "plazas_held": self.cartel["plazas_held"][:, used].ravel().astype(np.int64),
                "alive": self.alive[:, used].ravel(),
            }
        )

    def plaza_frame(self, dates: list[dt.date]) -> pd.DataFrame:
        """One row per plaza per week."""
        if not self.record_plazas:
            raise ValueError("plaza records were not kept for this run")
        world = self.world
        n_weeks, p = self.controller.shape
        categories = ["", *(name or f"<unused slot {i}>" for i, name in enumerate(self.names))]
        state_names, state_code = np.unique(world.state, return_inverse=True)
        action = np.zeros((n_weeks, p), dtype=np.int8)
        targets: dict[int, list[str]] = {}  # cell (t x P + plaza) -> cartels, in order
        for t, (plz, crt, knd) in enumerate(self.ops):
            for pl, c, kd in zip(plz, crt, knd, strict=True):
                action[t, pl] = max(action[t, pl], kd)
                names = targets.setdefault(t * p + int(pl), [])
                if self.names[c] not in names:
                    names.append(self.names[c])
        return pd.DataFrame(
            {
                "date": np.repeat(pd.to_datetime(dates), p),
                # Categoricals from codes: no (weeks x plazas) array of strings is ever built.
                "plaza_id": pd.Categorical.from_codes(
                    np.tile(np.arange(p), n_weeks), categories=pd.Index(world.plaza_id)
                ),
                "state": pd.Categorical.from_codes(
                    np.tile(state_code, n_weeks), categories=pd.Index(state_names)
                ),
                "controller": pd.Categorical.from_codes(
                    self.controller.ravel().astype(np.int64) + 1, categories=categories
                ).remove_unused_categories(),
                "disputed": self.disputed.ravel(),
                "violence_observed": self.violence.ravel().astype(np.float64),
                "action": pd.Categorical.from_codes(action.ravel(), categories=list(OP_NAMES)),
                "action_target": _joined_categorical(targets, n_weeks * p),
                "homicides_total": self.homicides.ravel().astype(np.float64),
                # Counts by type are whole numbers, exact in float32: half the memory.
                **{
                    f"homicides_{kind}": self.homicides_by_type[kind].ravel()
                    for kind in PLAZA_HOMICIDE_TYPES
                },
                "flow_t": self.flow.ravel().astype(np.float64),
                "heat": self.heat.ravel().astype(np.float64),
            }
        )


def _joined_categorical(names_at: dict[int, list[str]], size: int) -> pd.Categorical:
    """``size`` cells, "a+b" where ``names_at`` lists cartels a, b, "" elsewhere.

    Built from codes, as ``pd.Categorical`` of the strings would be (sorted
    categories), without a (weeks x plazas) array of Python strings.
    """
    labels = {cell: "+".join(names) for cell, names in names_at.items()}
    categories = sorted(set(labels.values()) | ({""} if len(labels) < size else set()))
    code_of = {label: i for i, label in enumerate(categories)}
    codes = np.full(size, code_of.get("", 0), dtype=np.int32)
    if labels:
        codes[np.fromiter(labels, dtype=np.int64, count=len(labels))] = [
            code_of[label] for label in labels.values()
        ]
    return pd.Categorical.from_codes(codes, categories=pd.Index(categories))
