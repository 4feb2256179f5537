"""Human-readable processing rules and source notes written into ``mexico_world.json``.

Kept apart from the code so docs/DATA.md, the JSON ``rules`` section and the run manifests
say the same thing. Only ``build_mexico_world.py`` imports this module.
"""

from __future__ import annotations

#: Input files (path under shared/data) and their origin, from shared/data/PROVENANCE.md.
SOURCES: tuple[tuple[str, str], ...] = (
    (
        "conapo/mun_population_1990_2012_valle.csv",
        "CONAPO/COLMEX municipal population estimates 1990-2012 (2007 municipality set), derived "
        "from diegovalle/historical-homicides data/pop-census.csv.bz2 @7aa31f5e",
    ),
    (
        "geo/municipality_heads_valle_2007.csv",
        "municipal seat coordinates (2007 set), diegovalle/historical-homicides "
        "data/municipality-heads.csv @7aa31f5e",
    ),
    (
        "geo/states_catalog.csv",
        "INEGI state codes and names, diegovalle/historical-homicides data/state-codes.csv",
    ),
    (
        "geo/mx_municipalities_simplified.geojson",
        "INEGI municipal polygons (2010-2016 set), diegovalle/new.crimenmexico R/maps/municipios.shp "
        "@3dadfe9b, simplified 0.003 deg, MIT",
    ),
    (
        "seaports/wpi_mexico_ports.csv",
        "NGA World Port Index (Pub 150), public domain, via JamesRexMiller4/shapely_tut WPI.csv "
        "@429d8441",
    ),
    (
        "border_ports/us_mexico_ports_to_mexican_municipality_crosswalk.csv",
        "compiled by hand from the well-known US-Mexico twin-city pairs (see PROVENANCE.md)",
    ),
    (
        "border_ports/bts_us_mexico_border_crossings_port_year_1996_2021.csv",
        "US BTS/CBP Border Crossing Entry Data, public domain, via nuhorchak/Q_cours_data_project "
        "border_crossings.rda @8c8b0aab",
    ),
    (
        "gargiulo_inegi/muni_year_homicides_2000_2010.csv",
        "INEGI death-certificate microdata by occurrence, Gargiulo, Aburto & Floridi "
        "(OSF doi:10.17605/OSF.IO/U8DC3), thegargiulian/mexico-homicide-rates, CC-BY-4.0",
    ),
    (
        "combined/national_homicides_year_1990_2010.csv",
        "national series side by side: INEGI (crimenmexico, Valle, Gargiulo), Presidencia "
        "organised-crime deaths, CONAPO population (derived)",
    ),
    (
        "combined/national_homicides_month_1990_2010.csv",
        "national monthly homicides: Valle/INEGI 1990-1999, Gargiulo/INEGI 2000-2010 (derived)",
    ),
    (
        "cartels_2006_2012/state_presence.csv",
        "state DTO presence snapshots 2006/2008/2010/2011, compiled by hand from cited public "
        "documents (CRS, PGR/SSP via press, WOLA, Policía Federal via 24 Horas)",
    ),
    (
        "cartels_2006_2012/dto_events.csv",
        "dated DTO splits, alliances and wars 1999-2012, compiled by hand from cited public "
        "documents",
    ),
)

RULES: dict[str, str] = {
    "01_plazas": (
        "Plazas are the 2,454 municipalities of conapo/mun_population_1990_2012_valle.csv "
        "(2007 set), ordered by cvegeo. plaza_id = 5-digit cvegeo; state = its first 2 digits; "
        "lon/lat = municipal seat (geo/municipality_heads_valle_2007.csv, id zero-padded to 5); "
        "population and youth (15-29) = CONAPO 2006; population_growth = "
        "log(pop2012/pop2006)/6 per year."
    ),
    "02_links": (
        "Municipal polygons (2010-2016 set) are matched by cvegeo; the three post-2007 "
        "municipalities are merged back into their 2007 parent (14125->14008, 23009->23008, "
        "23010->23004). Two plazas are linked when their polygons touch or lie within 0.01 deg "
        "(shapely STRtree dwithin; tolerance because of the 0.003 deg simplification). A plaza "
        "without polygon links to its 3 nearest seats. Every component other than the largest "
        "is joined to it by one link between their closest pair of seats (islands get a ferry "
        "link). edge_km = haversine(seats) x 1.25 (road circuity, typical road/great-circle "
        "ratio in Mexico 1.2-1.3), at least 1 km. Edges stored once, src < dst, sorted."
    ),
    "03_entries": (
        "Seaports of seaports/wpi_mexico_ports.csv go to the municipality whose polygon "
        "contains the port point, else to the nearest polygon within 0.1 deg (ports sit on the "
        "coast, outside simplified polygons), else to the nearest seat. Coast: pacific if the "
        "water body mentions Pacific or Gulf of California, gulf if Gulf of Mexico or "
        "Caribbean. Weight by Harbor Size: Medium 3, Small 2, Very Small or blank 1; ports in "
        "one municipality add up. Land border entries (coast land): Suchiate 07087 (weight 2), "
        "Frontera Comalapa 07034, Tenosique 27017, Othon P. Blanco 23004 (weight 1 each); a "
        "land entry replaces a seaport in the same municipality (one coast per plaza). "
        "entry_weight is normalised to sum to 1 within each coast."
    ),
    "04_crossings": (
        "Crossing plazas are the Mexican twin municipalities of "
        "border_ports/us_mexico_ports_to_mexican_municipality_crosswalk.csv. Weight = mean over "
        "2004-2006 of (Trucks + Personal Vehicles) per BTS port, summed over the ports of each "
        "municipality and normalised to 1; a port with no BTS row in 2004-2006 gets the "
        "smallest positive port volume. A plaza that is both entry and crossing is a crossing."
    ),
    "05_baseline_rate": (
        "Per 100k per year: rate = (H + k r_state)/(N + k) x 1e5, H = homicides 2000-2006 "
        "(gargiulo_inegi/muni_year_homicides_2000_2010.csv, by occurrence), N = CONAPO "
        "person-years 2000-2006, k = 200,000 person-years, r_state = state homicides / state "
        "person-years over the same years (empirical-Bayes shrinkage toward the state rate)."
    ),
    "06_cartels": (
        "C0 = 9 in this order: Sinaloa, Beltran Leyva, Juarez, Tijuana, Gulf, Zetas, La "
        "Familia Michoacana, Milenio, Diaz Parada: PGR's seven of 2006 (Arellano Felix = "
        "Tijuana) plus BLO, Zetas and La Familia, which later split off, less PGR's Colima "
        "(Amezcua) organisation, which no snapshot places in any state."
    ),
    "07_relations": (
        "Relations at 1 Dec 2006 from cartels_2006_2012/dto_events.csv rows dated <= 2006 "
        "(cited in relation_evidence): allied within the Federation (Sinaloa, Juarez, Milenio, "
        "Beltran Leyva; 2006 rows), Gulf-Zetas (2006), Gulf-Tijuana (2005); rival every "
        "Federation member vs Gulf and Zetas (2004 Sinaloa-Gulf war, 2005 BLO-Zetas war), "
        "Tijuana vs every Federation member (2005 Gulf-Tijuana pact against the Sinaloa-Juarez "
        "bloc), La Familia vs Zetas and Gulf (2006 alliance broken and war rows). Everything "
        "else neutral; diagonal allied."
    ),
    "08a_territory_snapshot": (
        "Per state, DTOs = dominant_dto (weight 2) + other_dtos_present (weight 1) of the "
        "2006 row of cartels_2006_2012/state_presence.csv; if it has no 2006 row or that row "
        "lists no DTO, the earliest later snapshot (2008, 2010, 2011) that lists one, later "
        "organisations mapped to their 2006 parent (Knights Templar -> La Familia; South "
        "Pacific, La Barbie faction, CIDA -> Beltran Leyva; CJNG, La Resistencia -> Milenio; "
        "Garcia Simental faction -> Tijuana; Diaz Parada (Oaxaca) -> Diaz Parada; Los Pelones "
        "and Barrio Azteca dropped; duplicates keep the larger weight). Never covered: 03 Baja "
        "California Sur -> Tijuana weight 2 (Policia Federal 2011); 07 Chiapas and 22 "
        "Queretaro unclaimed. States whose rows never list a DTO stay unclaimed. A snapshot "
        "of 2010 or later postdates the Gulf-Zetas split (Feb 2010), so its Zetas presence "
        "maps to Gulf, whose armed wing the Zetas were in 2006 (rule 8a'). See "
        "territory_snapshots."
    ),
    "08b_territory_anchors": (
        "Within a state, DTOs sorted by (weight desc, name) take anchors: a DTO named after a "
        "place takes that municipality if it is in the state (Juarez 08037, Tijuana 02004, "
        "Sinaloa 25006, Gulf 28022, La Familia 16006, Zetas 28027); the others take the "
        "state's municipalities by population (desc), skipping those anchors. Each "
        "municipality belongs to the DTO minimising haversine(seat, anchor)/weight "
        "(multiplicatively weighted Voronoi; ties to the earlier DTO)."
    ),
    "08c_territory_strength": (
        "The owner's strength = sqrt(population 2006) x (3 if entry or crossing else 1), only "
        "where population >= 5,000 or the plaza is an entry/crossing; smaller municipalities "
        "are unheld (zero for all). Relative units: the model rescales to a national total."
    ),
    "08d_territory_contested": (
        "Where the 2006 snapshot says disputed == yes, every listed DTO other than the owner "
        "also gets 0.3 x sqrt(population) x (3 if entry/crossing) in the state's 3 most "
        "populous municipalities and in every entry/crossing plaza of the state. A dispute "
        "in a later snapshot (a state with no usable 2006 row) is not used: it is the war "
        "that followed 2006, which the run must produce, not start from."
    ),
    "09_observed": (
        "observed (yearly): inegi_homicides_registration and inegi_homicides_occurrence "
        "2000-2010 (combined/national_homicides_year_1990_2010.csv), "
        "presidencia_org_crime_deaths 2007-2010 and presidencia_org_crime_deaths_dec2006 "
        "(December 2006 only), juarez_homicides_occurrence 2007-2010 (08037, Gargiulo). "
        "observed_monthly: national_month_homicides 2006-12..2010-12 "
        "(combined/national_homicides_month_1990_2010.csv)."
    ),
    "10_notes": "notes: one line per source file used (path under shared/data and origin).",
    "11_format": (
        "mexico_world.npz: one .npy member per array field, zip entries sorted and dated "
        "1980-01-01 so the same input gives byte-identical files; strings are fixed-width "
        "unicode (no pickles). mexico_world.json: UTF-8, sorted keys."
    ),
}
