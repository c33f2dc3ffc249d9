"""The demo's assumptions: Hengelo's wijken, the waves and the latent effects behind the answers.

Everything here is invented for the synthetic demo, except the wijk codes and names (CBS 47018NED,
indeling 2024) and the 2024 wijk populations (CBS 85984NED), which give it a realistic shape.
"""

from __future__ import annotations

from dataclasses import dataclass

SEED = 20160513  # the date of the expert meeting in the seed
GEMEENTE_CODE = "GM0164"
GEMEENTE_NAAM = "Hengelo"
WAVES = (2012, 2013, 2014, 2015, 2017, 2019, 2021, 2023)
POLICE_YEARS = tuple(range(2012, 2024))
CASEWORK_YEARS = tuple(range(2013, 2024))
THEMES = ("leef", "cohesie", "voorz", "overlast", "sociaal", "veilig", "slacht", "gem", "pol")


@dataclass(frozen=True)
class Wijk:
    number: int
    code: str
    name: str
    population_2024: int
    sample: int  # net respondents per wave (before response noise)
    effects: dict[str, float]  # latent shift per theme, in standard deviations


def _effects(**kw: float) -> dict[str, float]:
    return {theme: kw.get(theme, 0.0) for theme in THEMES}


WIJKEN: tuple[Wijk, ...] = (
    Wijk(0, "WK016400", "Binnenstad", 3010, 380,
         _effects(leef=-0.40, cohesie=-0.6, voorz=0.1, overlast=0.7, sociaal=0.8, veilig=-0.50,
                  slacht=0.45)),
    Wijk(1, "WK016401", "Hengelose Es", 11030, 400,
         _effects(leef=0.15, cohesie=0.1, voorz=0.1, overlast=-0.2, sociaal=-0.2, veilig=0.2,
                  slacht=-0.1)),
    Wijk(2, "WK016402", "Noord", 10255, 390,
         _effects(leef=-0.10, cohesie=-0.1, voorz=-0.1, overlast=0.2, sociaal=0.2, veilig=-0.1,
                  slacht=0.1)),
    Wijk(3, "WK016403", "Hasseler Es", 11975, 400,
         _effects(leef=0.10, cohesie=0.1, voorz=0.1, overlast=-0.1, sociaal=-0.1, veilig=0.1)),
    Wijk(4, "WK016404", "Groot Driene", 9160, 380, _effects(leef=0.05, veilig=0.05)),
    Wijk(5, "WK016405", "Berflo Es", 7295, 370,
         _effects(leef=-0.30, cohesie=-0.3, voorz=-0.2, overlast=0.5, sociaal=0.5, veilig=-0.3,
                  slacht=0.2, gem=-0.1)),
    Wijk(6, "WK016406", "Wilderinkshoek", 10075, 390,
         _effects(leef=0.20, cohesie=0.2, voorz=0.1, overlast=-0.2, sociaal=-0.2, veilig=0.2,
                  slacht=-0.1)),
    Wijk(7, "WK016407", "Woolde", 7530, 370,
         _effects(leef=-0.10, cohesie=-0.5, overlast=0.1, sociaal=0.1)),
    Wijk(8, "WK016408", "Slangenbeek", 10740, 390,
         _effects(leef=0.10, cohesie=0.1, voorz=0.1, overlast=-0.1, veilig=0.1)),
    Wijk(9, "WK016409", "Buitengebied", 1990, 260,
         _effects(leef=0.50, cohesie=1.3, voorz=-0.6, overlast=-0.6, sociaal=-0.7, veilig=0.6,
                  slacht=-0.3, gem=0.1)),
)

# Gemeente-wide shift per wave and theme (standard deviations). 2012-2015: stable, with social
# nuisance going down (seed: "afname sociale overlast"); 2021 is a new survey design (level shift).
YEAR_EFFECTS: dict[int, dict[str, float]] = {
    2012: _effects(sociaal=0.15, gem=0.05),
    2013: _effects(sociaal=0.10),
    2014: _effects(sociaal=0.00, gem=-0.05),
    2015: _effects(sociaal=-0.15, gem=-0.05),
    2017: _effects(sociaal=-0.15, leef=0.05),
    2019: _effects(sociaal=-0.10, leef=0.05, slacht=-0.1),
    2021: _effects(leef=0.15, veilig=0.10, sociaal=-0.05, slacht=-0.2, gem=0.1),
    2023: _effects(leef=0.12, veilig=0.05, sociaal=0.00, slacht=-0.15, gem=0.05),
}

# The Binnenstad priority of the seed: rapportcijfers 2015 significantly higher (7,4 and 7,1).
BINNENSTAD_YEAR_EFFECTS: dict[int, dict[str, float]] = {
    2012: _effects(), 2013: _effects(leef=-0.05, veilig=-0.05),
    2014: _effects(leef=0.15, veilig=0.15), 2015: _effects(leef=0.38, veilig=0.52),
    2017: _effects(leef=0.40, veilig=0.40), 2019: _effects(leef=0.35, veilig=0.35),
    2021: _effects(leef=0.35, veilig=0.35), 2023: _effects(leef=0.35, veilig=0.35),
}

# Hengelo against the G32, in units of the SE of the difference, per wave: clearly better in
# 2012-2013, less so from 2015 (seed: "positie t.o.v. G32 verslechtert").
G32_GAP: dict[int, float] = {
    2012: 3.2, 2013: 3.4, 2014: 1.8, 2015: 0.4, 2017: 0.0, 2019: -0.3, 2021: 0.6, 2023: 0.4,
}
G32_RESPONDENTS = 32_000

# Veiligheidshuis casework: Hengelo 2015 as read from the seed's chart, in its extracted order.
OVERLEG = (
    "Code Rood",
    "Veelplegersoverleg (VPO)",
    "Keten Casus Overleg (KCO)",
    "Justitieel Overleg Risicojeugd (JOR)",
    "Instellingenoverleg",
    "Advies VHT",
)
HENGELO_CASEWORK_2015 = (17, 18, 20, 75, 36, 35)
CASEWORK_GEMEENTEN = (("GM0141", "Almelo", 0.95), ("GM0153", "Enschede", 2.05),
                      (GEMEENTE_CODE, GEMEENTE_NAAM, 1.0))

# Police: synthetic yearly totals for the gemeente (declining like the national series) and the
# share of each crime type; wijk rates follow their overlast/slacht effects.
POLICE_TOTAL: dict[int, int] = {
    2012: 5900, 2013: 5650, 2014: 5300, 2015: 5050, 2016: 4800, 2017: 4450, 2018: 4200,
    2019: 4150, 2020: 3950, 2021: 3600, 2022: 3900, 2023: 3680,
}
CRIME_TYPES = (  # 47018NED SoortMisdrijf key, label, share of the total
    ("1.1.1 ", "1.1.1 Diefstal/inbraak woning", 0.06),
    ("1.2.1 ", "1.2.1 Diefstal uit/vanaf motorvoertuigen", 0.06),
    ("1.2.3 ", "1.2.3 Diefstal van brom-, snor-, fietsen", 0.11),
    ("1.2.4 ", "1.2.4 Zakkenrollerij", 0.02),
    ("1.4.4 ", "1.4.4 Bedreiging", 0.04),
    ("1.4.5 ", "1.4.5 Mishandeling", 0.05),
    ("2.2.1 ", "2.2.1 Vernieling cq. zaakbeschadiging", 0.10),
    ("2.5.2 ", "2.5.2 Winkeldiefstal", 0.07),
)

# The demo's benchmark group network: real GM codes and StatLine names, INVENTED membership
# (modelled on the G32 network, deliberately not the authoritative list) and invented sizes:
# (GM code, StatLine name, in the demo's G32, approximate inhabitants at the end of 2012).
# The gemeente itself has no size here: it is the sum of its wijken (population_85984).
DEMO_GROUP: tuple[tuple[str, str, bool, int | None], ...] = (
    ("GM0014", "Groningen (gemeente)", True, 196_000),
    ("GM0034", "Almere", True, 195_000),
    ("GM0080", "Leeuwarden", True, 96_000),
    ("GM0114", "Emmen", True, 109_000),
    ("GM0141", "Almelo", True, 72_500),
    ("GM0150", "Deventer", True, 98_500),
    ("GM0153", "Enschede", True, 158_500),
    (GEMEENTE_CODE, "Hengelo (O.)", True, None),
    ("GM0193", "Zwolle", True, 122_500),
    ("GM0200", "Apeldoorn", True, 157_000),
    ("GM0202", "Arnhem", True, 150_000),
    ("GM0228", "Ede", True, 108_500),
    ("GM0268", "Nijmegen", True, 166_500),
    ("GM0307", "Amersfoort", True, 150_500),
    ("GM0361", "Alkmaar", True, 94_500),
    ("GM0392", "Haarlem", True, 153_500),
    ("GM0394", "Haarlemmermeer", True, 144_000),
    ("GM0402", "Hilversum", False, 86_500),
    ("GM0479", "Zaanstad", True, 149_500),
    ("GM0503", "Delft", True, 99_500),
    ("GM0505", "Dordrecht", True, 118_500),
    ("GM0513", "Gouda", False, 71_000),
    ("GM0546", "Leiden", True, 120_500),
    ("GM0637", "Zoetermeer", True, 123_500),
    ("GM0758", "Breda", True, 179_500),
    ("GM0772", "Eindhoven", True, 218_500),
    ("GM0794", "Helmond", True, 89_000),
    ("GM0796", "'s-Hertogenbosch", True, 142_500),
    ("GM0828", "Oss", False, 85_000),
    ("GM0855", "Tilburg", True, 208_000),
    ("GM0917", "Heerlen", True, 88_000),
    ("GM0935", "Maastricht", True, 121_500),
    ("GM0983", "Venlo", True, 100_500),
    ("GM0995", "Lelystad", True, 76_000),
    ("GM1674", "Roosendaal", False, 77_000),
    ("GM1883", "Sittard-Geleen", True, 94_000),
)
# Registered crimes per 1,000 inhabitants of a group member in 2012 (lognormal around this
# median); the gemeente's own rate follows from POLICE_TOTAL and is among the lower ones.
GROUP_RATE_2012 = 88.0
# Rows of the exports besides the gemeenten, as StatLine adds them: (name, inhabitants end 2012,
# crimes per 1,000 in 2012).
GROUP_CRIME_EXTRA = (("Nederland", 16_780_000, 70.0), ("Oost-Nederland (RE)", 3_180_000, 62.0))
GROUP_POPULATION_EXTRA = (("Nederland", 16_780_000), ("Overijssel (PV)", 1_139_500))
