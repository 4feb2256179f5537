"""Hand-made mapping tables of the historical timeline (rules T1-T10 of docs/DATA.md).

Every decision that is not mechanical sits here, next to its reason, so docs/DATA.md,
the generated scenario notes and the script's summary say the same thing. Rows of
``dto_events.csv`` are keyed by ``(date, event_type, dto_a, dto_b)``, rows of
``kingpin_events_2007_2012.csv`` by ``(date, event_type, person)`` and rows of
``military_operations_valle.csv`` by ``(date, operation)``. The generator checks that
every key below names a row of its file, so a changed input stops the build.
Only ``build_mexico_timeline.py`` (through ``_timeline_events.py``) imports this module.
"""

from __future__ import annotations

import datetime as dt

#: Rule T1: the scenario starts the day Calderón took office; earlier rows are in the
#: 2006 world built by build_mexico_world.py (rule 7 of docs/DATA.md).
SCENARIO_START = dt.date(2006, 12, 1)
SCENARIO_END = dt.date(2012, 12, 31)
#: Rule T1: the day a fuzzy date stands for (assumption: the middle of the period).
MONTH_DAY = 15
YEAR_MONTH_DAY = (7, 1)

DtoKey = tuple[str, str, str, str]
KingpinKey = tuple[str, str, str]

#: Rule T2: the cartels of the 2006 world (rule 6), as named in dto_events.csv.
WORLD_CARTELS = (
    "Sinaloa",
    "Beltran Leyva",
    "Juarez",
    "Tijuana",
    "Gulf",
    "Zetas",
    "La Familia Michoacana",
    "Milenio",
    "Diaz Parada",
)
#: Rule T2: dto_events.csv names → model cartel (None: not a trafficking organisation
#: of the model). Breakaways created by a split (rule T4) map to themselves.
DTO_NAMES: dict[str, str | None] = {
    **{c: c for c in WORLD_CARTELS},
    "Diaz Parada (Oaxaca)": "Diaz Parada",
    "Amezcua (Colima cartel)": None,
    # Héctor Beltrán Leyva's Cártel del Pacífico Sur is the continuing BLO.
    "South Pacific": "Beltran Leyva",
    # The Milenio remnant that fought CJNG for Guadalajara.
    "La Resistencia": "Milenio",
    "Tijuana (Garcia Simental faction)": "Tijuana (Garcia Simental faction)",
    "Beltran Leyva (La Barbie faction)": "Beltran Leyva (La Barbie faction)",
    "Gulf (second wing)": "Gulf (second wing)",
    "Knights Templar": "Knights Templar",
    "Jalisco New Generation (CJNG)": "Jalisco New Generation (CJNG)",
    "Independent Cartel of Acapulco": "Independent Cartel of Acapulco",
    "Barrio Azteca (gang)": None,
}
#: Why a name maps to None.
NOT_IN_MODEL = {
    "Barrio Azteca (gang)": "a street gang, not a trafficking organisation of the model",
    "Amezcua (Colima cartel)": "no snapshot of state_presence.csv places it in any state, "
    "so the 2006 world has no such cartel (rule 6)",
}
#: Rule T2: kingpin_events_2007_2012.csv ``organization`` → model cartel.
KINGPIN_ORGS: dict[str, str] = {
    "Beltran Leyva / Sinaloa": "Beltran Leyva",
    "Beltran Leyva Organization": "Beltran Leyva",
    "ex-Beltran Leyva Organization": "Beltran Leyva (La Barbie faction)",
    "Gulf Cartel": "Gulf",
    "Juarez Cartel": "Juarez",
    "La Familia Michoacana": "La Familia Michoacana",
    "Los Zetas": "Zetas",
    "Sinaloa Cartel": "Sinaloa",
    "Tijuana Cartel (AFO)": "Tijuana",
    "Tijuana/Sinaloa faction": "Tijuana (Garcia Simental faction)",
}

#: Rule T1: a row whose own note bounds a fuzzy date more tightly than the default day.
DATE_FROM_NOTE: dict[DtoKey, tuple[dt.date, str]] = {
    ("2008", "war_started", "Sinaloa", "Juarez"): (
        dt.date(2008, 3, 1),
        "the row's note quotes InSight Crime, 'early 2008', so the middle of January-April "
        "instead of 1 Jul",
    ),
    ("2010", "founded", "Independent Cartel of Acapulco", "Beltran Leyva (La Barbie faction)"): (
        dt.date(2010, 9, 1),
        "the row's note says 'after Aug 2010' (the faction was leaderless after La Barbie's "
        "arrest on 2010-08-30), so 1 Sep 2010 instead of 1 Jul",
    ),
}

#: Rule T10: wars the sources say one side carried into a named municipality:
#: key → (attacker as in the row, (municipality as written in the description, state), why).
INCURSIONS: dict[DtoKey, tuple[str, tuple[str, str], str]] = {
    ("2008", "war_started", "Sinaloa", "Juarez"): (
        "Sinaloa",
        ("Juarez", "08"),
        "'Sinaloa launches an offensive on Ciudad Juarez' (InSight Crime; Reuters)",
    ),
    ("2008", "war_started", "Beltran Leyva", "La Familia Michoacana"): (
        "Beltran Leyva",
        ("Huixquilucan", "15"),
        "'La Barbie directs a BLO offensive against La Familia in Huixquilucan'",
    ),
    ("2011-09-20", "war_started", "Jalisco New Generation (CJNG)", "Zetas"): (
        "Jalisco New Generation (CJNG)",
        ("Boca del Rio", "30"),
        "'35 bodies of alleged Zetas in Boca del Rio, Veracruz, opening a Mata Zetas "
        "campaign for the Zetas-held port'",
    ),
}

#: Rule T4: splits that create a new organisation: key → (new, share, states, reason).
NEW_SPLITS: dict[DtoKey, tuple[str, float, tuple[str, ...], str]] = {
    ("2008-04-26", "split", "Tijuana", "Tijuana (Garcia Simental faction)"): (
        "Tijuana (Garcia Simental faction)",
        0.3,
        ("02",),
        "a cell breaks with Sanchez Arellano in Tijuana: a minority (0.3) in Baja California",
    ),
    ("2010-04", "split", "South Pacific", "Beltran Leyva (La Barbie faction)"): (
        "Beltran Leyva (La Barbie faction)",
        0.5,
        ("12", "15", "17"),
        "the BLO splits into two factions of unstated size (0.5) in Morelos (this row), Guerrero "
        "and Estado de Mexico (La Barbie's fronts in the 2005 BLO/Zetas and 2008 BLO/La Familia "
        "rows); South Pacific, the remaining side, is the BLO",
    ),
    ("2010", "split", "Milenio", "Jalisco New Generation (CJNG)"): (
        "Jalisco New Generation (CJNG)",
        0.5,
        ("14",),
        "Milenio splits into two groups, CJNG and La Resistencia, in Jalisco (0.5); "
        "La Resistencia, the remnant, is Milenio",
    ),
    ("2010", "founded", "Independent Cartel of Acapulco", "Beltran Leyva (La Barbie faction)"): (
        "Independent Cartel of Acapulco",
        0.3,
        ("12",),
        "part of La Barbie's leaderless faction forms CIDA in Acapulco: a minority (0.3) "
        "in Guerrero",
    ),
    ("2010-11", "split", "Gulf", "Gulf (second wing)"): (
        "Gulf (second wing)",
        0.5,
        ("28",),
        "the Gulf cartel divides into two wings (0.5) in Tamaulipas",
    ),
    ("2010-12", "split", "La Familia Michoacana", "Knights Templar"): (
        "Knights Templar",
        0.6,
        ("16",),
        "two named leaders form the Knights Templar against one, and La Familia later declared "
        "its dissolution (row note): the larger part (0.6), in Michoacan",
    ),
}

#: Rule T3: splits between two world cartels whose war, by the pair's ``war_started``
#: row, opened in a named city: the breakaway's faction defects where it lived, in
#: that city's state. key → (breakaway, share, (city as written in the war row, state),
#: the war row's date, reason). The share follows rule T4 ("part of" a group: 0.3).
DEFECTIONS: dict[DtoKey, tuple[str, float, tuple[str, str], str, str]] = {
    ("2008-01", "split", "Beltran Leyva", "Sinaloa"): (
        "Beltran Leyva",
        0.3,
        ("Culiacan", "25"),
        "2008-04-30",
        "the brothers' part of the federation (0.3) breaks away in Sinaloa, where the "
        "pair's war row says open fighting began in Culiacan",
    ),
    ("2010-02", "split", "Gulf", "Zetas"): (
        "Zetas",
        0.3,
        ("Reynosa", "28"),
        "2010-01-30",
        "the Zetas, the Gulf cartel's armed wing inside its plazas (the 2006 alliance row), "
        "break away (0.3) in Tamaulipas, where the pair's war row says the war opened "
        "in Reynosa",
    ),
}

#: Rule T3-T5: rows dropped after the scenario start, with the reason.
SKIP_DTO: dict[DtoKey, str] = {
    (
        "2009",
        "absorbed",
        "Zetas",
        "Amezcua (Colima cartel)",
    ): "Amezcua is not a cartel of the world: " + NOT_IN_MODEL["Amezcua (Colima cartel)"],
    ("2008", "alliance_formed", "Juarez", "Barrio Azteca (gang)"): "Barrio Azteca is "
    + NOT_IN_MODEL["Barrio Azteca (gang)"],
    (
        "2009",
        "absorbed",
        "La Familia Michoacana",
        "Milenio",
    ): "later rows show Milenio still acting (leaders captured 2009-10-28 and 2010-05-06, "
    "the 2010 split into CJNG and La Resistencia); the row's own note says sources "
    "disagree",
    (
        "2010",
        "founded",
        "Jalisco New Generation (CJNG)",
        "Milenio",
    ): "duplicates the 2010 split Milenio/Jalisco New Generation (CJNG)",
    (
        "2010-12-09",
        "leader_killed",
        "La Familia Michoacana",
        "",
    ): "the government's claim was false (row note; the kingpin file flags it too): Nazario "
    "Moreno led the Knights Templar until he was killed in 2014",
}
SKIP_KINGPIN: dict[KingpinKey, str] = {
    (
        "2007",
        "extradition",
        "Osiel Cardenas Guillen",
    ): "captured in 2003 and leading from prison since: the extradition is not a leadership "
    "change in the period",
    (
        "2009-03-23",
        "policy",
        "PGR list of 37 most-wanted drug lords published",
    ): "a policy (the most-wanted list), not the removal of a leader",
    (
        "2010-12-09",
        "killing (claimed)",
        "Nazario Moreno Gonzalez",
    ): "flagged false in the file: he led the Knights Templar until he was killed in 2014",
    ("2011-11-04", "capture", "Francisco Hernandez Garcia"): "no organisation in the file",
    ("2012-09-26", "capture", "Ivan Velazquez Caballero"): "no organisation in the file",
}

#: Rule T6: the person of a leader row that has no kingpin-file twin (named in its description).
DTO_PERSONS: dict[DtoKey, str] = {
    ("2009-10-28", "leader_captured", "Milenio", ""): "Oscar Orlando Nava Valencia",
    ("2009-12-30", "leader_captured", "Beltran Leyva", ""): "Carlos Beltran Leyva",
    (
        "2010-04",
        "leader_captured",
        "Beltran Leyva (La Barbie faction)",
        "",
    ): "Gerardo Alvarez Vazquez",
    ("2010-05-06", "leader_captured", "Milenio", ""): "Juan Nava Valencia",
    ("2012-09-12", "leader_captured", "La Resistencia", ""): "Ramiro Pozos",
}
#: Rule T6: the municipality (name as written in the row, state code) a dto_events leader
#: row's description names; the kingpin file's ``place``/``cve_ent`` are used as they are.
DTO_PLACES: dict[DtoKey, tuple[str, str]] = {
    ("2008-01-21", "leader_captured", "Beltran Leyva", "Sinaloa"): ("Culiacan", "25"),
    ("2009-12-16", "leader_killed", "Beltran Leyva", ""): ("Cuernavaca", "17"),
    ("2009-12-30", "leader_captured", "Beltran Leyva", ""): ("Culiacan", "25"),
    ("2010-01-12", "leader_captured", "Tijuana (Garcia Simental faction)", "Sinaloa"): (
        "La Paz",
        "03",
    ),
    ("2010-07-29", "leader_killed", "Sinaloa", ""): ("Zapopan", "14"),
    ("2010-11-05", "leader_killed", "Gulf", ""): ("Matamoros", "28"),
    ("2011-06-21", "leader_captured", "La Familia Michoacana", ""): ("Cosio", "01"),
    ("2012-09-12", "leader_captured", "Gulf", ""): ("Tampico", "28"),
    ("2012-10-07", "leader_killed", "Zetas", ""): ("Progreso", "05"),
}
#: Rule T6: leader rows whose description names a place that is not one municipality.
DTO_NO_PLACE: dict[DtoKey, str] = {
    (
        "2009-10-28",
        "leader_captured",
        "Milenio",
        "",
    ): "'near Guadalajara', and the row's sources differ (Tlajomulco de Zuniga or Guadalajara)",
    (
        "2010-08-30",
        "leader_captured",
        "Beltran Leyva (La Barbie faction)",
        "",
    ): "'near Mexico City', not one municipality",
    (
        "2012-09-12",
        "leader_captured",
        "La Resistencia",
        "",
    ): "'in Estado de Mexico', a state, not a municipality",
}
#: Rule T6: places named but not one municipality (the event gets no ``plaza``).
NOT_A_MUNICIPALITY = {
    "Mexico City": "Mexico City (Distrito Federal) is 16 delegaciones, not one municipality",
}
#: Rule T6: leader rows of the same organisation at most this many days apart are one event.
SAME_EVENT_DAYS = 7

#: Rule T7: military operation rows that are not surges of forces.
SKIP_OPERATIONS: dict[tuple[str, str], str] = {
    (
        "2010-02-11",
        "First presidential visit to Ciudad Juarez (after Villas de Salvarcar massacre)",
    ): "a presidential visit, not a deployment of forces",
    (
        "2010-04-08",
        "Federal Police take over security in Ciudad Juarez from army",
    ): "a hand-over of the deployment already there (army to Federal Police), not an added surge",
}
#: Rule T7: the policy that aims every joint operation's raids, whatever the national
#: policy. A joint operation sent thousands of troops and federal police into a state
#: against the organisations there, not only against those seen killing: Espinosa &
#: Rubin (2015, The American Statistician) find the interventions raised homicides in
#: their first year by upsetting the local balance of power; Osorio (2015, JCR) finds
#: enforcement against the groups present, violent or not, catalyses their wars. The
#: `crackdown` rule (the largest presences in the region) is that aim.
OPERATION_AIM = "crackdown"
#: Rule T7: a row whose ``note`` says this is about Ciudad Juarez alone.
JUAREZ_NOTE = "Juarez 08037"
JUAREZ = "08037"
#: Rule T7: later phases of one operation replace the earlier phase (end = next phase's date).
PHASES: dict[str, str] = {
    "Triangulo Dorado phase II": "Operacion Conjunta Triangulo Dorado (Sierra Madre)",
    "Triangulo Dorado phase III": "Triangulo Dorado phase II",
}
#: Rule T7: operations with their own intensity: operation → (multiple of the default, reason).
OPS_MULTIPLE: dict[str, tuple[float, str]] = {
    "5,000 reinforcements sent to Ciudad Juarez": (
        2.0,
        "the default rate stands for one joint operation of several thousand troops spread "
        "over a state; here 5,000 more troops and federal police went to one city already "
        "under Operacion Conjunta Chihuahua, so twice the default, all on Ciudad Juarez",
    ),
}

#: Rule T8: exogenous periods (kind, date, end, factor, note); end None = to the end of the run.
EXOGENOUS: tuple[tuple[str, dt.date, dt.date | None, float, str], ...] = (
    (
        "supply_shock",
        dt.date(2007, 1, 1),
        dt.date(2009, 12, 31),
        0.7,
        "Colombian supply shortage: Castillo, Mejia & Restrepo (2020, REStat, 'Scarcity without "
        "Leviathan') on the 2006-09 fall of Colombian cocaine supply; UNODC World Drug Report "
        "2008: US south-west border cocaine seizures -20% in H1 2007 and about -40% in Q2 2007 "
        "(cartels_2006_2012/README.md), so the midpoint, a 30% fall. Assumption: the same fall "
        "for the whole of 2007-2009.",
    ),
    (
        "arms_flow",
        dt.date(2007, 1, 1),
        None,
        1.25,
        "Dube, Dube & Garcia-Ponce (2013, APSR): the 2004 expiry of the US assault-weapons ban "
        "raised homicides in Mexican municipalities near the border. The factor 1.25 is an "
        "assumption for calibration to revise.",
    ),
    (
        "capacity",
        dt.date(2008, 12, 1),
        None,
        1.1,
        "Merida Initiative: US$1.4 bn for 2008-2010, first deliveries late 2008. Assumption: a "
        "10% rise in enforcement capacity, modest against Mexico's own security spending.",
    ),
)

#: Rule T9: the deal variant.
DEAL_NAME = "mexico-2006-deal"
