"""Registry, entry-point plug-ins, laissez_faire, and invariants every built-in policy keeps."""

from __future__ import annotations

import importlib.metadata
from typing import Any, ClassVar

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import plazasim.policies as policies
from plazasim.policies import (
    EnforcementPolicy,
    Observation,
    Operations,
    Policy,
    base,
    load_entry_point_policies,
    make_policy,
    registered,
)
from plazasim.policies.base import in_region

from .helpers import World, ops, rng

BUILTINS = ("conditional", "crackdown", "kingpin", "laissez_faire", "signaling")


def test_builtins_are_registered_and_satisfy_the_protocol() -> None:
    assert set(BUILTINS) <= set(registered())
    for name in BUILTINS:
        policy = make_policy(name)
        assert isinstance(policy, Policy)
        assert isinstance(policy, EnforcementPolicy)
        assert policy.name == name


def test_unknown_policy_is_a_key_error() -> None:
    with pytest.raises(KeyError):
        make_policy("nope")


def test_laissez_faire_does_nothing_and_takes_no_parameters() -> None:
    w = World(cartels=2, plazas=2).put(0, 0, violence=50.0, strength=1000)
    assert ops(make_policy("laissez_faire").decide(w.build(), rng())) == []
    with pytest.raises(ValueError, match=r"^laissez_faire\.intensity: "):
        make_policy("laissez_faire", {"intensity": 1.0})


def test_only_laissez_faire_declares_it_does_not_enforce() -> None:
    # the enforcement phase backs US signals unless the policy says it does not enforce
    enforces = [make_policy(n).enforces for n in BUILTINS]
    assert enforces == [n != "laissez_faire" for n in BUILTINS]


class _FakeEntryPoint:
    def __init__(self, name: str, obj: Any) -> None:
        self.name, self.value, self.group = name, f"fake_pkg:{name}", "plazasim.policies"
        self._obj = obj

    def load(self) -> Any:
        if isinstance(self._obj, Exception):
            raise self._obj
        return self._obj


class EveryoneArrested:
    """A plug-in implementing the protocol alone, without the base class."""

    name: ClassVar[str] = "everyone_arrested"
    enforces = True
    announcement = 0.0

    def __init__(self, **params: Any) -> None:
        self.params = params

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        out = Operations()
        for k, p in zip(*np.nonzero(obs.present), strict=True):
            out.add(p, k, policies.OP_ARRESTS)
        return out

    def decide_regions(
        self, obs: Observation, regions: Any, rng: np.random.Generator
    ) -> list[Operations]:
        return [self.decide(in_region(obs, plazas, n), rng) for plazas, n in regions]

    def reset(self) -> None:
        pass


class OnlyDecides:
    name: ClassVar[str] = "only_decides"

    def decide(self, obs: Observation, rng: np.random.Generator) -> Operations:
        return Operations()


@pytest.fixture
def isolated_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(base, "_REGISTRY", dict(base._REGISTRY))
    # and the plug-in list, which Dask tasks of later tests would ship to their workers
    monkeypatch.setattr(policies, "_PLUGINS", dict(policies._PLUGINS))


def _fake_entry_points(monkeypatch: pytest.MonkeyPatch, eps: list[_FakeEntryPoint]) -> None:
    def entry_points(**kw: Any) -> list[_FakeEntryPoint]:
        assert kw == {"group": "plazasim.policies"}
        return eps

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


@pytest.mark.usefixtures("isolated_registry")
def test_entry_point_policy_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, [_FakeEntryPoint("mine", EveryoneArrested)])
    assert "mine" not in registered()
    assert load_entry_point_policies() == ["mine"]
    assert load_entry_point_policies() == ["mine"]  # idempotent
    policy = make_policy("mine", {"x": 1})
    assert isinstance(policy, EveryoneArrested)
    assert policy.params == {"x": 1}
    w = World(cartels=2, plazas=2).put(1, 1)
    assert ops(policy.decide(w.build(), rng())) == [(1, 1, policies.OP_ARRESTS)]


@pytest.mark.usefixtures("isolated_registry")
def test_a_plug_in_missing_protocol_members_is_refused_by_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _fake_entry_points(monkeypatch, [_FakeEntryPoint("thin", OnlyDecides)])
    load_entry_point_policies()
    with pytest.raises(
        TypeError,
        match=r"'thin' lacks enforces, announcement, "
        r"decide_regions, reset",
    ):
        make_policy("thin")


@pytest.mark.usefixtures("isolated_registry")
def test_entry_point_may_not_replace_a_builtin(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, [_FakeEntryPoint("crackdown", EveryoneArrested)])
    with pytest.raises(ValueError, match="crackdown"):
        load_entry_point_policies()
    assert registered()["crackdown"] is policies.crackdown.Crackdown


@pytest.mark.usefixtures("isolated_registry")
def test_broken_entry_point_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_entry_points(monkeypatch, [_FakeEntryPoint("broken", ModuleNotFoundError("fake_pkg"))])
    with pytest.raises(ImportError, match="'broken'"):
        load_entry_point_policies()


# --- invariants on random observations ----------------------------------------------------


@st.composite
def observations(draw: st.DrawFn) -> Observation:
    n_k = draw(st.integers(1, 4))
    n_p = draw(st.integers(1, 6))
    week = draw(st.integers(0, 30))
    seed = draw(st.integers(0, 2**32 - 1))
    g = np.random.default_rng(seed)
    w = World(cartels=n_k, plazas=n_p, week=week, capacity=draw(st.integers(0, 8)))
    w.alive[:] = g.random(n_k) < 0.8
    w.protected[:] = g.random(n_k) < 0.3
    w.present[:] = g.random((n_k, n_p)) < 0.6
    w.strength[:] = np.round(g.exponential(20.0, (n_k, n_p)))  # noise even where absent
    w.violence[:] = np.round(g.exponential(1.5, (n_k, n_p)), 1)
    w.fights[:] = g.random((n_k, n_p)) < 0.4
    w.arrival[:] = np.where(w.present, g.integers(0, week + 1, (n_k, n_p)), -1)
    w.first_violence[:] = np.where(g.random((n_k, n_p)) < 0.5, g.integers(-1, week + 1), -1)
    rel = g.integers(-1, 2, (n_k, n_k)).astype(np.int8)
    w.relation[:] = np.triu(rel, 1) + np.triu(rel, 1).T
    w.controller[:] = g.integers(-1, n_k, n_p)
    w.signal[:] = np.where(g.random(n_p) < 0.2, g.integers(0, n_k, n_p), -1)
    for p in range(n_p):
        if g.random() < 0.2:
            w.dispute(p, bool(g.random() < 0.5))
    return w.build()


signaling_params = st.fixed_dictionaries(
    {},
    optional={
        "wait_weeks": st.integers(0, 10),
        "let_dominant_act_weeks": st.integers(0, 10),
        "violence_threshold": st.floats(0.0, 3.0),
        "takedown_threshold": st.floats(0.0, 6.0),
        "intensity": st.floats(0.1, 3.0),
    },
)
crackdown_params = st.fixed_dictionaries(
    {}, optional={"takedown_fraction": st.floats(0.0, 1.0), "intensity": st.floats(0.1, 3.0)}
)
policy_specs = st.one_of(
    st.tuples(st.just("signaling"), signaling_params),
    st.tuples(st.just("crackdown"), crackdown_params),
    st.tuples(st.just("laissez_faire"), st.just({})),
    st.tuples(
        st.just("kingpin"),
        st.fixed_dictionaries(
            {},
            optional={
                "targets": st.integers(1, 8),
                "ops_per_target": st.integers(1, 6),
                "arrests_with_rest": st.booleans(),
            },
        ),
    ),
    st.tuples(
        st.just("conditional"),
        st.fixed_dictionaries(
            {},
            optional={
                "memory_weeks": st.floats(1.0, 52.0),
                "violence_threshold": st.floats(0.0, 5.0),
                "proportional_intensity": st.booleans(),
            },
        ),
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obs=observations(), spec=policy_specs)
def test_no_policy_targets_the_untouchable_or_the_absent(
    obs: Observation, spec: tuple[str, dict[str, Any]]
) -> None:
    name, params = spec
    policy = make_policy(name, params)
    result = policy.decide(obs, np.random.default_rng(0))
    plaza, cartel, kind, intensity = result.as_arrays()
    assert len(result) <= obs.capacity
    assert len(set(zip(plaza.tolist(), cartel.tolist(), strict=True))) == len(result)
    if len(result):
        assert obs.alive[cartel].all()
        assert not obs.protected[cartel].any()
        assert obs.present[cartel, plaza].all()
        allowed = [policies.OP_ARRESTS, policies.OP_TAKEDOWN]
        if name == "kingpin":
            allowed.append(policies.OP_KINGPIN)
        assert np.isin(kind, allowed).all()
        assert (intensity > 0).all()
    again = make_policy(name, params).decide(obs, np.random.default_rng(99))
    assert ops(again) == ops(result)
    assert again.intensity == result.intensity
