"""The MX1 signaling rules, one hand-built world per rule (week 20, defaults unless said)."""

from __future__ import annotations

import numpy as np
import pytest

from plazasim.policies import OP_ARRESTS, OP_TAKEDOWN, make_policy
from plazasim.policies.signaling import (
    Seen,
    Signaling,
    SignalingParams,
    allied_with_dominant,
    dominant_cartel,
    waiting,
)

from .helpers import World, ops, rng

TD, AR = OP_TAKEDOWN, OP_ARRESTS


def decide(world: World, **params: object) -> list[tuple[int, int, int]]:
    return ops(Signaling(**params).decide(world.build(), rng()))


def contested(newcomer_arrival: int = 10, **newcomer: object) -> World:
    """Plaza 0: C0 dominant since week 0, rival C1 arrived at ``newcomer_arrival``."""
    w = World(cartels=2, plazas=2).rival(0, 1).control(0, 0)
    w.put(0, 0, arrival=0)
    w.put(1, 0, arrival=newcomer_arrival, **newcomer)  # type: ignore[arg-type]
    return w


# --- undisputed plazas --------------------------------------------------------------------


def test_discreet_cartels_in_undisputed_plazas_are_left_alone() -> None:
    w = World(cartels=2, plazas=2).control(0, 0).control(1, 1)
    w.put(0, 0, violence=0.4, strength=500).put(1, 1, violence=0.5, strength=900)
    assert decide(w) == []


def test_violent_cartel_in_undisputed_plaza_takedown_or_arrests_by_threshold() -> None:
    w = World(cartels=3, plazas=3)
    w.put(0, 0, violence=1.0).put(1, 1, violence=3.0).put(2, 2, violence=7.5)
    # most violent first; 3.0 is at the takedown threshold (>=), 1.0 only above 0.5
    assert decide(w) == [(2, 2, TD), (1, 1, TD), (0, 0, AR)]


def test_undisputed_rule_applies_to_each_allied_cartel_sharing_a_plaza() -> None:
    w = World(cartels=2, plazas=1).ally(0, 1).control(0, 0)
    w.put(0, 0, violence=0.0).put(1, 0, violence=2.0)
    assert not w.build().disputed[0]
    assert decide(w) == [(0, 1, AR)]


# --- disputed plazas ----------------------------------------------------------------------


def test_newcomer_within_wait_weeks_is_only_watched() -> None:
    # arrived 2 and 3 weeks ago, the dominant fights it: still watching (wait_weeks=4)
    assert decide(contested(18, fights=True)) == []
    assert decide(contested(17, fights=True)) == []
    # 4 weeks after arrival the watch is over
    assert decide(contested(16, fights=True)) == [(0, 1, TD)]


def test_violent_newcomer_within_wait_weeks_is_only_watched() -> None:
    w = contested(18, violence=5.0, first_violence=12, fights=True)
    assert decide(w) == []


def test_dominant_fights_quiet_newcomer_newcomer_taken_down_only() -> None:
    w = contested(10, fights=True)
    w.violence[0, 0] = 0.4  # the incumbent's own fighting stays below the threshold
    assert decide(w) == [(0, 1, TD)]


def test_quiet_newcomer_nobody_fights_is_left_alone() -> None:
    assert decide(contested(10, fights=False)) == []


def test_allied_newcomer_is_no_problem_even_if_violent() -> None:
    w = World(cartels=3, plazas=1).control(0, 0).ally(0, 1).rival(0, 2).rival(1, 2)
    w.put(0, 0, arrival=0)
    w.put(1, 0, arrival=5, violence=2.0, first_violence=6, fights=False)
    w.put(2, 0, arrival=5, fights=True)
    assert w.build().disputed[0]
    assert decide(w) == [(0, 2, TD)]


def test_allied_pair_in_plaza_flagged_disputed_gets_nothing() -> None:
    w = contested(10, fights=True).ally(0, 1).dispute(0)
    assert decide(w) == []


def test_violent_newcomer_first_left_to_dominant_then_both_punished() -> None:
    # first violence 2 weeks ago: the dominant is left to act, even though it fights
    w = contested(5, violence=2.0, first_violence=18, fights=True)
    w.violence[0, 0] = 1.0
    assert decide(w) == []
    # 4 weeks after its first violence: takedown of the newcomer, arrests of the dominant
    w.first_violence[1, 0] = 16
    assert decide(w) == [(0, 1, TD), (0, 0, AR)]


def test_violent_newcomer_with_unknown_first_violence_counts_from_now() -> None:
    assert decide(contested(5, violence=2.0, first_violence=-1)) == []


def test_dominant_punished_once_for_two_violent_newcomers() -> None:
    w = World(cartels=3, plazas=1).control(0, 0).rival(0, 1).rival(0, 2).ally(1, 2)
    w.put(0, 0, arrival=0, violence=0.2)
    w.put(1, 0, arrival=5, violence=3.0, first_violence=6)
    w.put(2, 0, arrival=5, violence=1.0, first_violence=6)
    assert decide(w) == [(0, 1, TD), (0, 2, TD), (0, 0, AR)]


def test_signal_overrides_controller() -> None:
    # C0 (resident since week 0) is seen controlling; the US signal names C1 dominant.
    w = World(cartels=2, plazas=1).rival(0, 1).control(0, 0)
    w.put(0, 0, arrival=0, violence=4.0, first_violence=5).put(1, 0, arrival=10)
    assert decide(w) == []  # C0 dominant, C1 a quiet newcomer nobody fights
    w.signal[0] = 1
    assert list(dominant_cartel(w.build())) == [1]
    assert decide(w) == [(0, 0, TD), (0, 1, AR)]  # C0 must fall in line


def test_displaced_incumbent_is_judged_as_a_challenger() -> None:
    w = World(cartels=2, plazas=1).rival(0, 1).control(0, 1)
    w.put(0, 0, arrival=0, violence=2.0, first_violence=3).put(1, 0, arrival=8, violence=1.0)
    assert decide(w) == [(0, 0, TD), (0, 1, AR)]


def test_disputed_plaza_without_dominant_uses_the_undisputed_rule() -> None:
    w = World(cartels=2, plazas=1).rival(0, 1)
    w.put(0, 0, arrival=19, violence=5.0).put(1, 0, arrival=19, violence=1.0)
    assert decide(w) == [(0, 0, TD), (0, 1, AR)]  # no wait: there is no incumbent to watch


def test_dead_dominant_leaves_plaza_without_dominant() -> None:
    w = contested(19, violence=1.0).kill(0)
    w.violence[0, 0] = 9.0
    assert decide(w) == [(0, 1, AR)]


# --- targeting and ordering ---------------------------------------------------------------


def test_protected_cartel_is_never_targeted() -> None:
    w = World(cartels=3, plazas=3).protect(1).rival(0, 1).rival(1, 2).rival(0, 2)
    w.put(1, 0, violence=9.0)  # undisputed, very violent
    w.control(1, 0).put(0, 1, arrival=0).put(1, 1, arrival=5, violence=4.0, first_violence=5)
    w.control(2, 1).put(1, 2, arrival=0, violence=1.0).put(2, 2, arrival=5, fights=True)
    # p0: nothing; p1: only the unprotected half of "punish both"; p2: protected dominant
    # C1 fights newcomer C2, which the state still takes down
    assert decide(w) == [(1, 0, AR), (2, 2, TD)]
    assert all(k != 1 for _, k, _ in decide(w))


def test_priority_violence_then_plaza_then_cartel_and_capacity() -> None:
    w = World(cartels=2, plazas=3, capacity=3).ally(0, 1)
    w.put(0, 2, violence=2.0).put(1, 2, violence=2.0).put(0, 1, violence=2.0)
    w.put(0, 0, violence=1.0)
    assert decide(w) == [(1, 0, AR), (2, 0, AR), (2, 1, AR)]
    w.capacity = 0
    assert decide(w) == []


def test_intensity_scales_every_operation() -> None:
    w = World(cartels=2, plazas=2).put(0, 0, violence=5.0).put(1, 1, violence=1.0)
    result = Signaling(intensity=2.5).decide(w.build(), rng())
    assert result.intensity == [2.5, 2.5]


# --- parameters ---------------------------------------------------------------------------


def test_wait_weeks_changes_when_the_state_acts() -> None:
    w = contested(19, fights=True)
    assert decide(w) == []
    assert decide(w, wait_weeks=0) == [(0, 1, TD)]
    w = contested(12, fights=True)
    assert decide(w) == [(0, 1, TD)]
    assert decide(w, wait_weeks=10) == []


def test_let_dominant_act_weeks_changes_when_both_are_punished() -> None:
    w = contested(5, violence=2.0, first_violence=20)
    assert decide(w) == []
    assert decide(w, let_dominant_act_weeks=0) == [(0, 1, TD), (0, 0, AR)]
    w.first_violence[1, 0] = 14
    assert decide(w) == [(0, 1, TD), (0, 0, AR)]
    assert decide(w, let_dominant_act_weeks=8) == []


def test_thresholds_are_parameters() -> None:
    w = World(cartels=1, plazas=1).put(0, 0, violence=1.5)
    assert decide(w) == [(0, 0, AR)]
    assert decide(w, violence_threshold=2.0) == []
    assert decide(w, takedown_threshold=1.0) == [(0, 0, TD)]


@pytest.mark.parametrize(
    ("params", "prefix"),
    [
        ({"wait_weeks": -1}, "signaling.wait_weeks: "),
        ({"wait_weeks": 2.5}, "signaling.wait_weeks: "),
        ({"wait_weeks": "4"}, "signaling.wait_weeks: "),
        ({"let_dominant_act_weeks": True}, "signaling.let_dominant_act_weeks: "),
        ({"violence_threshold": -0.1}, "signaling.violence_threshold: "),
        ({"takedown_threshold": float("nan")}, "signaling.takedown_threshold: "),
        ({"intensity": 0.0}, "signaling.intensity: "),
        ({"wiat_weeks": 4}, "signaling.wiat_weeks: "),
    ],
)
def test_bad_parameters_raise_value_error_naming_them(params: dict, prefix: str) -> None:
    with pytest.raises(ValueError) as info:
        make_policy("signaling", params)
    message = str(info.value)
    assert message.startswith(prefix)
    assert "\n" not in message
    assert len(message) > len(prefix)


def test_defaults_and_numpy_scalars_are_accepted() -> None:
    p = Signaling().params
    assert (p.wait_weeks, p.let_dominant_act_weeks) == (4, 4)
    assert (p.violence_threshold, p.takedown_threshold, p.intensity) == (0.5, 3.0, 1.0)
    q = Signaling(wait_weeks=np.int64(6), intensity=np.float64(0.5), violence_threshold=1).params
    assert q == SignalingParams(wait_weeks=6, intensity=0.5, violence_threshold=1.0)


# --- the rule functions on their own ------------------------------------------------------


def test_dominant_cartel_prefers_signal_and_drops_dead_slots() -> None:
    w = World(cartels=3, plazas=4).control(0, 0).control(1, 1).control(2, 2)
    w.signal[1] = 2
    w.kill(2)
    w.signal[3] = 0
    assert list(dominant_cartel(w.build())) == [0, -1, -1, 0]


def test_waiting_and_alliance_masks() -> None:
    w = contested(17).ally(0, 1).put(1, 1, arrival=0)  # plaza 1: no dominant
    seen = Seen.of(w.build())
    assert list(zip(seen.k.tolist(), seen.p.tolist(), strict=True)) == [(0, 0), (1, 0), (1, 1)]
    params = SignalingParams()
    assert waiting(seen, params).tolist() == [False, True, False]
    assert waiting(seen, SignalingParams(wait_weeks=3)).tolist() == [False, False, False]
    assert allied_with_dominant(seen).tolist() == [False, True, False]


def test_decide_is_deterministic_and_ignores_rng() -> None:
    w = contested(5, violence=2.0, first_violence=10)
    obs = w.build()
    policy = Signaling()
    a = policy.decide(obs, np.random.default_rng(1))
    b = policy.decide(obs, np.random.default_rng(2))
    assert ops(a) == ops(b) == [(0, 1, TD), (0, 0, AR)]


def test_signalled_cartel_absent_from_the_plaza_is_not_arrested_there() -> None:
    w = World(cartels=3, plazas=1).rival(0, 1).control(0, 0)
    w.put(0, 0, arrival=0, violence=2.0, first_violence=2)
    w.put(1, 0, arrival=3, violence=1.0, first_violence=5)
    w.signal[0] = 2  # the US names C2, which the state has not seen in the plaza
    assert decide(w) == [(0, 0, TD), (0, 1, TD)]
