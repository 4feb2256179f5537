"""Model parameters: every number the weekly step uses, with units, default, source and range.

Each field carries ``units``, ``source`` (the seed, the data, a paper, or the
reasoning behind the default) and ``range`` (a plausible interval that
calibration and sensitivity analysis may search) in its JSON schema extra.
Time is in weeks, money in US dollars, cocaine in metric tons, people in persons.
Unknown keys are rejected so a typo in a scenario is an error, not a silent default;
so are infinities and NaN (no step survives them) and the few combinations of values
that cannot work together (:meth:`Parameters._shares_add_up`).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from plazasim.errors import ScenarioError

#: Groups of shares that the step normalises to 1: all zero would leave it nothing to share.
SHARE_GROUPS = {
    "origin": ("origin_colombia", "origin_peru", "origin_undetermined"),
    "entry": ("entry_share_pacific", "entry_share_gulf", "entry_share_land"),
}


def _p(
    default: float,
    units: str,
    source: str,
    lo: float,
    hi: float,
    *,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """Declare one parameter: validation bounds plus documentation metadata."""
    return Field(
        default,
        ge=lo if ge is None else ge,
        le=le,
        description=f"{units}. {source}",
        json_schema_extra={"units": units, "source": source, "range": [lo, hi]},
    )


class Parameters(BaseModel):
    """All model parameters of the weekly step (docs/MODEL.md, "Submodels")."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    # --- 1. supply and routing -------------------------------------------------
    cocaine_tons_per_year: float = _p(
        275.0,
        "t/yr",
        "GAO-07-1018: about 275 t/yr reached Mexico for the US, 2000-2006",
        150.0,
        400.0,
        ge=0.0,
    )
    origin_colombia: float = _p(
        0.955,
        "share",
        "seed (UNODC WDR 2011, US Cocaine Signature Program 2009)",
        0.8,
        1.0,
        ge=0.0,
        le=1.0,
    )
    origin_peru: float = _p(0.017, "share", "seed (UNODC WDR 2011)", 0.0, 0.1, ge=0.0, le=1.0)
    origin_undetermined: float = _p(
        0.028, "share", "seed (UNODC WDR 2011)", 0.0, 0.1, ge=0.0, le=1.0
    )
    entry_share_pacific: float = _p(
        0.40,
        "share of Colombian supply",
        "reasoning: maritime Pacific route via Manzanillo/"
        "Lazaro Cardenas; UNODC 2010 Globalization of Crime describes Pacific and Central "
        "American routes of similar weight",
        0.2,
        0.6,
        ge=0.0,
        le=1.0,
    )
    entry_share_gulf: float = _p(
        0.20,
        "share of Colombian supply",
        "reasoning: Gulf/Caribbean maritime route is the smaller one after the 1990s (UNODC 2010)",
        0.05,
        0.4,
        ge=0.0,
        le=1.0,
    )
    entry_share_land: float = _p(
        0.40,
        "share of Colombian supply",
        "reasoning: land route through Guatemala grew after 2006 (UNODC 2010)",
        0.2,
        0.6,
        ge=0.0,
        le=1.0,
    )
    heat_cost_factor: float = _p(
        2.0,
        "dimensionless",
        "Dell 2015 AER: crackdowns raise the cost of a route; cost = km x (1 + k heat)",
        0.0,
        10.0,
    )
    piso_km: float = _p(
        150.0,
        "km-equivalent",
        "reasoning: the piso charged to a neutral cartel is worth a detour of about one state",
        0.0,
        1000.0,
    )
    allied_toll_km: float = _p(
        20.0, "km-equivalent", "reasoning: allies pass for a token fee", 0.0, 200.0
    )
    rival_toll_km: float = _p(
        3000.0,
        "km-equivalent",
        "reasoning: a rival plaza is practically closed (Dell 2015)",
        500.0,
        20000.0,
    )
    crossing_cost_km: float = _p(
        800.0,
        "km-equivalent",
        "reasoning: loads hide in legitimate traffic, so a crossing "
        "with little of it is dear to use; the cost is this value x (1 - the crossing's BTS "
        "volume relative to the busiest). The busiest, El Paso-Ciudad Juarez, is said to carry "
        "most cocaine entering the US (DEA estimate cited in cartels_2006_2012/README.md, "
        "with caution)",
        0.0,
        1500.0,
    )
    route_update_weeks: int = Field(
        4,
        ge=1,
        le=52,
        description="weeks. Routes are re-planned at most this often, and then "
        "only if a planned path got materially dearer (traffickers re-plan routes on a monthly "
        "horizon; reasoning)",
        json_schema_extra={"units": "weeks", "source": "reasoning", "range": [1, 12]},
    )
    route_max_age_weeks: int = Field(
        13,
        ge=1,
        le=520,
        description="weeks. Routes are re-planned at least this often, to "
        "find paths that got cheaper (a quarter; reasoning)",
        json_schema_extra={"units": "weeks", "source": "reasoning", "range": [4, 52]},
    )
    route_cost_tolerance: float = _p(
        0.05,
        "share",
        "reasoning: a planned path that became more than 5% dearer triggers "
        "re-planning (Dell 2015: crackdowns raise route costs and divert traffic)",
        0.0,
        0.5,
    )
    seizure_per_heat: float = _p(
        0.004,
        "share of passing tons seized per unit heat per plaza",
        "reasoning: ~36 of ~275 t/yr seized in Mexico (GAO-07-1018) with pre-war heat",
        0.0,
        0.05,
    )
    base_seizure_per_plaza: float = _p(
        0.0015,
        "share of passing tons seized per plaza crossed",
        "GAO-07-1018: ~13% of cocaine seized in Mexico over routes of ~80 plazas",
        0.0,
        0.01,
    )
    us_border_seizure: float = _p(
        0.10,
        "share",
        "reasoning: US south-west border seizures of some 20-30 t/yr against "
        "~240 t/yr arriving (UNODC WDR 2008)",
        0.02,
        0.3,
        ge=0.0,
        le=1.0,
    )
    # --- 2. revenue ------------------------------------------------------------
    demand_elasticity: float = _p(
        0.55,
        "|price elasticity| of US cocaine demand",
        "DEA STRIDE (press release 11 Dec "
        "2008): price per pure gram +89% Jan 2007-Sep 2008 during a ~30% supply fall (UNODC WDR "
        "2008 seizures), so 0.7^(-1/e) = 1.89 gives e ~ 0.55; Castillo, Mejia & Restrepo 2020: "
        "scarcity raises the value of trafficking",
        0.3,
        1.5,
        ge=0.05,
    )
    border_margin_usd_per_t: float = _p(
        15.0e6,
        "USD/t",
        "reasoning: wholesale price at the US border (~US$25,000/kg) minus "
        "purchase price in Central America (~US$10,000/kg), UNODC WDR 2010",
        5.0e6,
        30.0e6,
    )
    piso_usd_per_t: float = _p(
        0.2e6,
        "USD/t per plaza crossed",
        "reasoning: the transit fee per plaza is ~1% of the "
        "border margin, so a route through a dozen neutral plazas costs ~15%",
        0.0,
        1.0e6,
    )
    retail_usd_per_capita_year: float = _p(
        8.0,
        "USD/person/yr",
        "reasoning: Mexico's own drug market was small next to the "
        "exports (Kilmer et al. 2010, RAND, put export revenues at several US$ bn a year); "
        "about US$0.85bn/yr of retail sales and extortion over ~107M residents; NDTA puts "
        "total DTO proceeds at US$18-39bn/yr incl. other drugs",
        5.0,
        100.0,
    )
    violent_extortion_bonus: float = _p(
        0.5,
        "share",
        "Lessing 2017: violence is used to raise rents; extra local revenue "
        "share earned under a violent posture",
        0.0,
        2.0,
    )
    # --- 3. money --------------------------------------------------------------
    wage_usd_per_member_year: float = _p(
        13000.0, "USD/member/yr", "Prieto-Curiel et al. 2023 participation model", 5000.0, 30000.0
    )
    bribe_share: float = _p(
        0.10,
        "share of revenue",
        "reasoning: corruption budgets of ~10% of revenue are reported for Mexican DTOs",
        0.0,
        0.3,
        ge=0.0,
        le=1.0,
    )
    bribe_scale_usd_per_week: float = _p(
        10.0e6,
        "USD/week",
        "reasoning: B0 in infiltration = 1 - exp(-bribes/B0); a cartel "
        "spending US$10M/week leaks ~63% of operations",
        1.0e6,
        50.0e6,
    )
    leak_effect: float = _p(
        0.7,
        "share",
        "reasoning: a leaked operation loses most of its effect",
        0.0,
        1.0,
        ge=0.0,
        le=1.0,
    )
    launder_share: float = _p(
        0.70,
        "share of revenue",
        "seed: UNODC 2011, 70% of proceeds available for laundering",
        0.5,
        0.9,
        ge=0.0,
        le=1.0,
    )
    intercept_share: float = _p(
        0.002,
        "share of laundered USD",
        "seed: UNODC 2011, probably around 0.2% seized",
        0.0,
        0.01,
        ge=0.0,
        le=1.0,
    )
    initial_cash_weeks: float = _p(
        26.0, "weeks of wages", "reasoning: cartels hold half a year of payroll in cash", 0.0, 104.0
    )
    # --- 4. members ------------------------------------------------------------
    initial_members: float = _p(
        90000.0,
        "members",
        "reasoning: ~115,000 in 2012 (Prieto-Curiel 2023); ~150,000 "
        "employed in 2009 (US officials, WaPo 2009)",
        40000.0,
        160000.0,
    )
    recruit_rate: float = _p(
        2.527e-3, "1/week", "Prieto-Curiel et al. 2023 Science, rho (weekly)", 1e-3, 6e-3
    )
    routine_arrests_per_week: float = _p(
        110.0,
        "members/week",
        "Prieto-Curiel et al. 2023 Science, eta: members incapacitated "
        "nationally by ordinary policing and courts, shared among cartels by size",
        20.0,
        400.0,
    )
    saturation: float = _p(
        4.0e-8,
        "1/(member week)",
        "Prieto-Curiel et al. 2023 Science, omega: a group of C "
        "members loses omega x C of them a week",
        0.0,
        2e-7,
    )
    saturation_group_size: float = _p(
        767.0,
        "members",
        "Prieto-Curiel et al. 2023: ~115,000 members in 150 groups (2012). A "
        "cartel of the model is a federation of such groups, so its saturation rate is "
        "omega x min(members, this)",
        100.0,
        5000.0,
        ge=1.0,
    )
    youth_pool_share: float = _p(
        0.03,
        "members per resident aged 15-29",
        "reasoning: recruitment saturates when cartel members reach ~3% of local youth",
        0.005,
        0.1,
    )
    recruit_cost_usd: float = _p(
        2000.0,
        "USD/recruit",
        "reasoning: signing, weapons and training, ~2 months of wages",
        0.0,
        10000.0,
    )
    unpaid_desertion: float = _p(
        0.5, "share of unpaid members leaving per week", "reasoning", 0.0, 1.0, ge=0.0, le=1.0
    )
    # --- 5. decisions ----------------------------------------------------------
    logit_temperature: float = _p(
        1.0,
        "utility units (weeks of local revenue)",
        "Lessing 2017 quantal choice; reasoning",
        0.1,
        5.0,
        ge=1e-6,
    )
    attack_share: float = _p(
        0.25,
        "share of neighbouring strength",
        "reasoning: members sent into a plaza attacked",
        0.05,
        0.6,
        ge=0.0,
        le=1.0,
    )
    attack_cost: float = _p(
        0.5, "weeks of plaza value", "reasoning: fixed cost of mounting an incursion", 0.0, 5.0
    )
    attack_bias: float = _p(
        -6.0,
        "utility units",
        "reasoning: inertia; most weeks most plazas are not attacked",
        -10.0,
        0.0,
        ge=-20.0,
    )
    punishment_weight: float = _p(
        6.0,
        "utility units",
        "Lessing 2015: expected cost of state punishment, scaled by belief",
        0.0,
        20.0,
    )
    violence_gain: float = _p(
        1.0,
        "utility units",
        "Lessing 2017: benefit of a violent posture before punishment",
        0.0,
        5.0,
    )
    violence_bias: float = _p(
        -1.0,
        "utility units",
        "reasoning: violence attracts attention even without the state",
        -5.0,
        5.0,
        ge=-20.0,
    )
    rival_attack_bonus: float = _p(
        3.0,
        "utility units",
        "dto_events.csv: each war_started row is an offensive; a cartel "
        "at war attacks its rival's plazas where they meet (Rios 2013), so attacking a "
        "rival-held plaza gains this over attacking an unheld or neutral one",
        0.0,
        8.0,
    )
    opportunism: float = _p(
        3.0,
        "utility units per unit of weakening",
        "Dell 2015 AER; Calderon et al. 2015 JCR; "
        "Osorio 2015 JCR: rivals move on an incumbent weakened by enforcement; the attack "
        "utility rises by this x the share of the controller's local members the state "
        "removed recently",
        0.0,
        10.0,
    )
    # --- 5b. war: forces committed to fronts -----------------------------------
    mobilisation_rate: float = _p(
        0.003,
        "1/week",
        "reasoning (InSight Crime 2013 on Sinaloa sending gunmen to Ciudad "
        "Juarez): share of a cartel's reserve (members of its quiet plazas above the garrison) "
        "it can send to its fronts each week",
        0.001,
        0.1,
        le=1.0,
    )
    garrison_share: float = _p(
        0.5,
        "share of local members",
        "reasoning: members who stay to hold a quiet plaza "
        "(collect rents, guard routes) and are not sent to fronts",
        0.1,
        0.95,
        le=1.0,
    )
    commit_ratio: float = _p(
        1.5,
        "own/hostile members",
        "reasoning: an attacker seeks local superiority (the "
        "military rule of thumb is 3:1; Mearsheimer 1989); a cartel reinforces a front until "
        "it outnumbers the hostile forces there by this ratio",
        1.0,
        4.0,
        ge=0.1,
    )
    retreat_share: float = _p(
        0.2,
        "Tullock share",
        "reasoning: a cartel gives up a front it does not control when "
        "even its whole reserve would leave it below this share of the contest there",
        0.02,
        0.5,
        le=1.0,
    )
    war_spending_share: float = _p(
        0.8,
        "share of the plaza's weekly value",
        "reasoning: a front is worth fighting for "
        "while it pays for itself; a cartel keeps at a front at most the members whose weekly "
        "wages this share of the plaza's weekly value would pay (Tullock contests: effort "
        "scales with the prize)",
        0.1,
        10.0,
    )
    war_recruitment: float = _p(
        0.05,
        "1/week",
        "Prieto-Curiel et al. 2023: recruitment sustains wars despite losses; "
        "dto_events.csv and InSight Crime 2013: the Juarez organisation hired the Barrio Azteca "
        "gang, Sinaloa the Artistas Asesinos. Share of a front's unmet need hired locally each "
        "week",
        0.0,
        0.2,
        le=1.0,
    )
    deploy_cost_usd: float = _p(
        1000.0,
        "USD/member sent",
        "reasoning: transport, weapons and a bonus for a gunman "
        "sent to a front, about a month of wages",
        0.0,
        10000.0,
    )
    # --- 6. conflict -----------------------------------------------------------
    lethality: float = _p(
        0.004,
        "deaths/(member week)",
        "Prieto-Curiel 2023 conflict term normalised by local "
        "forces, s_k s_j / S with S all members present; Presidencia 2006-10: shootouts are ~9% of "
        "organised-crime deaths, executions ~89%",
        0.0005,
        0.05,
    )
    violent_lethality_mult: float = _p(
        1.5, "multiplier", "reasoning: a violent posture doubles fighting intensity", 1.0, 5.0
    )
    execution_rate: float = _p(
        2.0e-4,
        "deaths/(member week)",
        "reasoning: executions by a violent cartel in a plaza "
        "with no rival (punishing dealers, debtors, informers)",
        0.0,
        2e-3,
    )
    truce_fragility: float = _p(
        0.05,
        "share of the controller's local members",
        "Dell 2015 AER; Snyder & "
        "Duran-Martinez 2009: a truce ends when the state weakens the incumbent; it breaks "
        "once operations have recently removed this share of the controller's members "
        "there (State.weakened)",
        0.005,
        0.5,
        le=1.0,
    )
    war_execution_rate: float = _p(
        0.04,
        "deaths/(member week)",
        "Presidencia 2006-10: 30,913 of 34,612 organised-crime "
        "deaths were executions, concentrated where cartels fought; each side executes "
        "this x s_k s_j / S of the other's people (lookouts, dealers, relatives) "
        "a week, times its posture multiplier",
        0.005,
        0.5,
    )
    truce_intensity: float = _p(
        0.005,
        "multiplier",
        "Snyder & Duran-Martinez 2009 (Crime Law Soc Change): rivals "
        "sharing a plaza under a state-sponsored protection racket fought little; fighting "
        "and executions there are scaled by this until the truce breaks",
        0.0,
        0.5,
        le=1.0,
    )
    contest_exponent: float = _p(
        1.5, "dimensionless", "Tullock contest gamma (Hirshleifer 1989)", 0.5, 4.0
    )
    dominance_share: float = _p(
        0.8,
        "share of gamma-weighted strength",
        "reasoning: control passes when a side holds 80% of contest weight",
        0.55,
        0.95,
        ge=0.5,
        le=1.0,
    )
    hold_weeks: int = Field(
        4,
        ge=1,
        le=52,
        description="weeks. Consecutive weeks of dominance before control passes",
        json_schema_extra={"units": "weeks", "source": "reasoning", "range": [1, 12]},
    )
    presence_threshold: float = _p(
        5.0, "members", "reasoning: fewer members than this do not count as presence", 1.0, 50.0
    )
    bystander_ratio: float = _p(
        0.15,
        "bystanders per cartel death at national mean density",
        "reasoning: civilian share of drug-war deaths",
        0.0,
        1.0,
    )
    # --- 7. enforcement --------------------------------------------------------
    capacity_ops_per_week: float = _p(
        25.0,
        "operations/week",
        "reasoning: >60,000 arrested Jan 2007-May 2009 (WaPo 2009) in "
        "a few dozen weekly federal operations",
        0.0,
        200.0,
    )
    arrest_share: float = _p(
        0.003,
        "share of local strength",
        "reasoning: arrests per operation; with ~25 "
        "operations a week this keeps the state's incapacitation near Prieto-Curiel et al.'s "
        "~110 members/week (routine arrests included)",
        0.0005,
        0.05,
        ge=0.0,
        le=1.0,
    )
    takedown_share: float = _p(
        0.01,
        "share of local strength",
        "seed: taking down the drug network; reasoning: a few times an arrest operation",
        0.002,
        0.1,
        ge=0.0,
        le=1.0,
    )
    takedown_neighbour_share: float = _p(
        0.002,
        "share of strength in neighbouring plazas",
        "reasoning: networks span plazas",
        0.0,
        0.05,
        ge=0.0,
        le=1.0,
    )
    kingpin_success: float = _p(
        0.05,
        "probability per operation",
        "AP 2012: 25 of 37 most-wanted taken in ~3.5 years",
        0.0,
        0.5,
        ge=0.0,
        le=1.0,
    )
    kingpin_cohesion_loss: float = _p(
        0.5,
        "cohesion units",
        "Calderon et al. 2015: leader removal fragments organisations",
        0.1,
        1.0,
        ge=0.0,
        le=1.0,
    )
    state_clash_deaths: float = _p(
        0.05,
        "cartel deaths per member removed",
        "reasoning: shootouts with state forces (Presidencia: 3,153 shootout deaths of 34,612)",
        0.0,
        0.5,
    )
    state_clash_violent_mult: float = _p(
        3.0, "multiplier", "Lessing 2015: violent cartels confront the state", 1.0, 10.0
    )
    heat_per_op: float = _p(
        1.0, "heat units", "reasoning: one operation adds one unit of heat", 0.0, 10.0
    )
    heat_decay: float = _p(
        0.9, "weekly retention", "reasoning: half-life of about 7 weeks", 0.5, 0.99, ge=0.0, le=1.0
    )
    attribution_noise: float = _p(
        0.3,
        "share",
        "reasoning: share of violence the state misattributes",
        0.0,
        0.9,
        ge=0.0,
        le=1.0,
    )
    seize_cash_share: float = _p(
        0.05,
        "share of cash per takedown",
        "reasoning: cash seized by a network takedown",
        0.0,
        0.3,
        ge=0.0,
        le=1.0,
    )
    operation_default_weeks: float = _p(
        52.0,
        "weeks",
        "reasoning: the sources date the start of each federal joint operation "
        "but not its end (military_operations_valle.csv); deployments were renewed about "
        "yearly, so an operation with no end in the scenario lasts this long",
        8.0,
        156.0,
        ge=1.0,
    )
    operation_ops_per_week: float = _p(
        5.0,
        "operations/week per military operation",
        "reasoning: a joint federal operation "
        "(several thousand troops in one state, military_operations_valle.csv) adds a few "
        "raids a week on top of the national capacity",
        0.5,
        50.0,
    )
    deal_intelligence: float = _p(
        0.5,
        "share",
        "seed (Zambada Niebla's claim: immunity for information on rivals): "
        "against the informant's rivals an operation's effect rises by this share, its leak "
        "probability and the noise of the state's strength estimate fall by it",
        0.0,
        1.0,
        le=1.0,
    )
    # --- 7b. leadership (kingpin removal) --------------------------------------
    succession_lethality: float = _p(
        0.002,
        "deaths/(member week) at zero cohesion",
        "Lindo & Padilla-Romo 2018 J. Health "
        "Econ.; Calderon et al. 2015 JCR: succession fights after a leader falls; reasoning: "
        "a few deaths a week in a stronghold of a thousand members",
        0.0,
        0.02,
    )
    succession_spread: float = _p(
        0.3,
        "relative intensity",
        "Lindo & Padilla-Romo 2018: the rise in the organisation's "
        "other municipalities is smaller than where the leader fell",
        0.0,
        1.0,
        le=1.0,
    )
    cohesion_defence: float = _p(
        0.5,
        "share",
        "Calderon et al. 2015; Phillips 2015: rivals attack a leaderless "
        "organisation; its defenders count for (1 - this x (1 - cohesion))",
        0.0,
        1.0,
        le=1.0,
    )
    # --- 8. splits -------------------------------------------------------------
    cohesion_recovery: float = _p(
        0.02,
        "cohesion units/week",
        "reasoning: a new leader consolidates in about a year",
        0.0,
        0.1,
    )
    split_rate: float = _p(
        0.05,
        "1/week at full fracture",
        "Calderon et al. 2015; Phillips 2015: splits after "
        "leaders fall; the model's own splits follow leaders its policy's kingpin operations "
        "removed (State.fracture)",
        0.0,
        0.3,
        ge=0.0,
        le=1.0,
    )
    split_share: float = _p(
        0.4,
        "share of territory",
        "reasoning: the splinter takes part of the territory",
        0.1,
        0.6,
        ge=0.0,
        le=1.0,
    )
    max_cartels: int = Field(
        24,
        ge=2,
        le=256,
        description="slots. Maximum number of cartel slots (initial + splits)",
        json_schema_extra={
            "units": "slots",
            "source": "reasoning: 11 recognised in 2011, up to 20 by 2015 (CRS R41576)",
            "range": [16, 64],
        },
    )
    # --- 9. learning -----------------------------------------------------------
    belief_alpha: float = _p(
        1.0, "pseudo-counts", "Magliocca et al. 2019 PNAS risk perception prior", 0.1, 10.0, ge=1e-6
    )
    belief_beta: float = _p(
        3.0,
        "pseudo-counts",
        "Magliocca et al. 2019 PNAS prior; pre-war impunity",
        0.1,
        20.0,
        ge=1e-6,
    )
    belief_discount: float = _p(
        0.97,
        "weekly retention",
        "Magliocca et al. 2019: time-discounted experience",
        0.8,
        0.999,
        ge=0.0,
        le=1.0,
    )
    social_learning: float = _p(
        0.3,
        "weight",
        "reasoning: cartels also learn from what happens to others",
        0.0,
        1.0,
        ge=0.0,
        le=1.0,
    )
    signal_credibility: float = _p(
        0.5, "share", "seed: the US signal read as an ultimatum", 0.0, 1.0, ge=0.0, le=1.0
    )
    # --- 10. baseline homicides ------------------------------------------------
    baseline_scale: float = _p(
        0.85,
        "multiplier",
        "reasoning: INEGI 2000-2006 includes cartel killings: press counts give "
        "~1,000-2,200 a year (~85% non-cartel), Rios's imputation 3,000-4,000 a year in "
        "2000-2004 and rising after (Molzahn, Rios & Shirk 2012), i.e. 60-70% non-cartel "
        "or less",
        0.35,
        1.2,
    )
    baseline_trend_per_year: float = _p(
        -0.015, "1/yr", "INEGI 2000-2006 national trend (log-linear fit)", -0.1, 0.05, ge=-1.0
    )
    spillover_per_killing: float = _p(
        0.3,
        "ordinary homicides per cartel-related killing",
        "Calderón et al. 2015 JCR: removing cartel leaders raised civilian (non-DTO) "
        "homicides in the municipality as well as DTO killings; Osorio 2015 JCR: drug "
        "violence spreads in space and time. Reasoning for the default: a smaller "
        "effect than the war's own killings",
        0.0,
        1.0,
        ge=0.0,
    )
    spillover_national_share: float = _p(
        0.0,
        "share of the spill-over",
        "Osorio 2015 JCR: drug violence spreads beyond where it starts; the record's "
        "non-attributed homicides rose 2007-2010 in most states, also where few cartel "
        "killings were recorded. Default 0 (the local effect Calderon et al. 2015 "
        "measured); the calibration searches the range",
        0.0,
        1.0,
        le=1.0,
    )
    spillover_memory_weeks: float = _p(
        26.0,
        "weeks",
        "Calderón et al. 2015 measure the rise over the six months after a "
        "removal: the disorder a war leaves lasts about that long",
        4.0,
        104.0,
        ge=1.0,
    )

    @model_validator(mode="after")
    def _shares_add_up(self) -> Parameters:
        """Refuse share groups that are all zero: cocaine with no origin, or no coast to land.

        ``context.entry_shares`` divides each group by its sum, so any positive mix
        works. All zero has no meaning; rather than run a silent fallback, say so.
        (The money shares need no such rule: wages are paid first and laundering and
        bribes only from the cash left, so no mix of them can leave wages unpaid.)
        """
        for group, names in SHARE_GROUPS.items():
            if not any(getattr(self, name) > 0 for name in names):
                raise ScenarioError.at(
                    names[0],
                    f"the {group} shares ({', '.join(names)}) are all 0; "
                    "give at least one a positive share",
                )
        return self

    @classmethod
    def describe(cls) -> list[dict[str, Any]]:
        """One row per parameter: name, default, units, source, range (for docs and SALib)."""
        rows = []
        for name, info in cls.model_fields.items():
            extra = info.json_schema_extra or {}
            assert isinstance(extra, dict)
            rows.append(
                {
                    "name": name,
                    "default": info.default,
                    "units": extra.get("units", ""),
                    "range": extra.get("range"),
                    "source": extra.get("source", ""),
                }
            )
        return rows
