"""Write every file of the demo delivery; the same seed gives the same files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.clean.indicators import score_indicators
from ivb_analysis.clean.recode import recode_items
from ivb_analysis.config import SETTINGS_FILE
from ivb_analysis.demo import aggregates
from ivb_analysis.demo.profile import (
    GEMEENTE_CODE,
    GEMEENTE_NAAM,
    POLICE_YEARS,
    SEED,
    WAVES,
    WIJKEN,
)
from ivb_analysis.demo.survey import codebook_document, generate_wave, spss_metadata
from ivb_analysis.io.microdata import read_codebook, read_wijken, validate_survey

TAG = "SYNTHETISCH"
FILES = {
    "survey": f"veiligheidsmonitor_{{year}}_{TAG}.sav",
    "codebook": f"codeboek_{TAG}.yaml",
    "wijken": f"wijken_{TAG}.csv",
    "benchmark": f"g32_benchmark_{TAG}.csv",
    "police": f"politie_47018NED_wijken_{TAG}.csv",
    "population": f"kwb_85984NED_{{year}}_wijken_{TAG}.csv",
    "casework": f"veiligheidshuis_casuistiek_{TAG}.csv",
    "group_members": f"g32_leden_{TAG}.csv",
    "group_crime": f"politie_47013NED_gemeenten_{TAG}.csv",
    "group_population": f"cbs_37230ned_bevolking_gemeenten_{TAG}.csv",
    # Real public data (not synthetic): the CBS/Kadaster wijk map 2023, copied verbatim.
    "geometry": "cbs_wijkkaart_2023_hengelo.geojson",
}
#: The real Hengelo wijk map shipped with the package (provenance in the demo README).
GEOMETRY_SOURCE = Path(__file__).with_name("cbs_wijkkaart_2023_hengelo.geojson")
#: The wijk the annex gives its own block on page 1 (Settings.focus_wijk).
FOCUS_WIJK = "Binnenstad"
#: Invented fieldwork period and response per wave (the method note states them).
FIELDWORK = {2012: "september-november 2012", 2013: "augustus-november 2013",
             2014: "september-november 2014", 2015: "september-november 2015",
             2017: "september-november 2017", 2019: "augustus-november 2019",
             2021: "augustus-november 2021", 2023: "augustus-november 2023"}
RESPONSE = {2012: 38, 2013: 37, 2014: 36, 2015: 35, 2017: 33, 2019: 31, 2021: 29, 2023: 28}
#: The benchmark group files have their own random stream: adding them changed no other file.
GROUP_STREAM = 4

def _readme(waves: tuple[int, ...], command: str) -> str:
    """The folder's README: what is synthetic, what imitates what."""
    return f"""# SYNTHETISCHE DEMODATA / SYNTHETIC DEMO DATA

Every file in this folder is **synthetic**: made up by a seeded generator
(`{command}`, seed {SEED}), not measured. No respondent in it
exists. It imitates a real delivery for the gemeente {GEMEENTE_NAAM} ({GEMEENTE_CODE}) so that the
whole pipeline can run; every output built from it carries the banner "SYNTHETISCHE DEMODATA".

Real elements: the wijk codes and names (CBS 47018NED, indeling 2024), the 2024 wijk populations
(CBS 85984NED) as a starting point, the CBS/Politie file layouts, and Hengelo's Veiligheidshuis
casework 2015 as read from the seed's chart (17, 18, 20, 75, 36, 35), and the GM codes and
StatLine names of the benchmark group's gemeenten. All other numbers are invented, and so is the
group's membership.

Files:
- `{FILES["survey"]}`: Veiligheidsmonitor microdata per wave (SPSS with value labels,
  user-missing 98/99, filter code 97), {len(waves)} waves ({", ".join(map(str, waves))}),
  stratified by wijk, design weights.
- `{FILES["codebook"]}`: the codebook (raw variable -> catalogue item, design variables,
  missing and filter codes).
- `{FILES["wijken"]}`: survey wijk number -> CBS wijk code and name.
- `{FILES["benchmark"]}`: the G32 benchmark as published (value, 95% interval, n per wave
  and footprint indicator).
- `{FILES["police"]}`: registered crime per wijk and year, CBS/Politie 47018NED layout.
- `{FILES["population"]}`: population per wijk and year, CBS 85984NED layout.
- `{FILES["casework"]}`: Veiligheidshuis casework per type of overleg (Almelo, Enschede,
  Hengelo).
- `{FILES["group_members"]}`: the demo's benchmark group network, laid out like the compiled
  G32/G40 membership list (`gemeentecode;statline_naam;groep;in_oorspronkelijke_G32_2009`). Real
  GM codes and StatLine names, **invented membership**: it is modelled on the G32 network and is
  deliberately not the authoritative list.
- `{FILES["group_crime"]}`: registered crime per gemeente of the group and year
  ({POLICE_YEARS[0]}-{POLICE_YEARS[-1]}), as a StatLine 47013NED "download as CSV" (names only,
  no codes; with `Nederland` and `Oost-Nederland (RE)` rows). {GEMEENTE_NAAM}'s totals equal the
  sum of its wijken in `{FILES["police"]}`.
- `{FILES["group_population"]}`: population at the end of each year per gemeente of the group,
  as a StatLine 37230ned download (UTF-8 with BOM, names only; with `Nederland` and
  `Overijssel (PV)`). {GEMEENTE_NAAM}'s population equals the sum of its wijken in
  `{FILES["population"]}`.
- `{FILES["geometry"]}`: **real public data, not synthetic**: the wijk boundaries of
  {GEMEENTE_NAAM} (CBS/Kadaster Wijk- en buurtkaart 2023, generalised by cartomap: repository
  `cartomap/nl`, file `wgs84/wijk_2023.geojson`, commit
  `7234d7f822d98610d144184dbcd74a9ac5c6d730`; the 10 features with `statcode` WK0164..,
  coordinates rounded to 3 decimals, copied verbatim). Good for a choropleth, not for areas.
  Its `statcode`s are the demo's wijk codes.
- `{SETTINGS_FILE}`: the delivery's settings (gemeente, waves, file names, benchmark group,
  the wijk with its own block on page 1 (`focus_wijk`), and under `extra` the invented
  fieldwork period and response per wave for the method note).

Calibrated to the seed: rapportcijfers of the Binnenstad about 7,4 (leefbaarheid) and 7,1
(veiligheid) in 2015, significantly higher than in 2013; the three "de gemeente ..." items between
20% and 60% in 2012-2015; social nuisance going down 2012-2015; the gemeente clearly better than the
G32 on most footprint indicators in 2012-2013 and less so from 2015; registered crime per 1,000
inhabitants below the group's rate ("een van de veiligste steden"). The 2021 wave imitates the
redesigned Veiligheidsmonitor (a method break).
"""


def _settings_document(waves: tuple[int, ...]) -> dict:
    return {
        "synthetic": True,
        "gemeente_code": GEMEENTE_CODE,
        "gemeente_naam": GEMEENTE_NAAM,
        "source_label": "Veiligheidsmonitor (synthetische demodata)",
        "benchmark_group": "G32",
        # The synthetic G32 average includes the gemeente: p = its share of the G32 population.
        "benchmark_share": 0.018,
        "years": list(waves),
        "min_n": 50,
        "indicatief_n": 100,
        "method_break": 2021,
        # The seed compares with 2013, the first benchmark wave of the G32 footprint.
        **({"reference_year": 2013} if 2013 in waves else {}),
        "focus_wijk": FOCUS_WIJK,
        "files": FILES,
        "extra": {"veldwerk": {y: FIELDWORK[y] for y in waves},
                  "respons": {y: RESPONSE[y] for y in waves}},
    }


def _write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def _write_csv(path: Path, frame: pd.DataFrame) -> Path:
    return _write_text(path, frame.to_csv(sep=";", index=False, lineterminator="\n"))


def _fix_sav_timestamp(path: Path) -> None:
    """Overwrite the creation date/time in the .sav header with a fixed value.

    ReadStat stamps the wall clock into bytes 92-108 of the header and pyreadstat offers no way
    to set it; a fixed stamp makes the committed demo byte-reproducible.
    """
    data = bytearray(path.read_bytes())
    if data[:4] not in (b"$FL2", b"$FL3"):
        raise ValueError(f"{path} is not an SPSS system file")
    data[92:109] = b"13 May 1600:00:00"
    path.write_bytes(bytes(data))


def write_demo(
    out: Path, *, waves: tuple[int, ...] = WAVES, scale: float = 1.0
) -> list[Path]:
    """Generate and write the whole demo delivery into `out`; returns the written paths.

    `waves` and `scale` (the share of the respondents per wijk) make smaller deliveries, such as
    the mini fixture the notebooks default to; the defaults give the full demo.
    """
    out.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    rng = np.random.default_rng(SEED)
    command = f"python -m ivb_analysis.demo --out data/raw/{out.name}"  # the project layout
    if waves != WAVES or scale != 1.0:
        command += f" --waves {' '.join(map(str, waves))} --scale {scale}"
    written = [_write_text(out / "README.md", _readme(waves, command))]
    settings = _settings_document(waves)
    written.append(_write_text(
        out / SETTINGS_FILE,
        "# SYNTHETISCHE DEMODATA: settings of the synthetic demo delivery.\n"
        + yaml.safe_dump(settings, sort_keys=False, allow_unicode=True),
    ))
    written.append(_write_text(
        out / FILES["codebook"],
        "# Codeboek van de SYNTHETISCHE demolevering: ruwe variabele -> item uit de catalogus.\n"
        + yaml.safe_dump(codebook_document(), sort_keys=False, allow_unicode=True),
    ))
    wijken = pd.DataFrame({"nummer": [w.number for w in WIJKEN],
                           "wijkcode": [w.code for w in WIJKEN],
                           "wijknaam": [w.name for w in WIJKEN]})
    written.append(_write_csv(out / FILES["wijken"], wijken))
    geometry = out / FILES["geometry"]
    geometry.write_bytes(GEOMETRY_SOURCE.read_bytes())
    written.append(geometry)

    codebook = read_codebook(out / FILES["codebook"], catalogue)
    wijk_table = read_wijken(out / FILES["wijken"])
    meta = spss_metadata(catalogue)
    longs = []
    for year in waves:
        raw = generate_wave(rng, year, scale)
        path = out / FILES["survey"].format(year=year)
        pyreadstat.write_sav(raw, str(path), file_label=f"SYNTHETISCHE DEMODATA {year}",
                             row_compress=True, **meta)
        _fix_sav_timestamp(path)
        written.append(path)
        valid = validate_survey(raw, codebook, catalogue, set(wijk_table["wijk"]), path, year=year)
        longs.append(score_indicators(recode_items(valid, codebook, wijk_table, year, catalogue),
                                      catalogue))

    benchmark = aggregates.g32_benchmark(rng, pd.concat(longs, ignore_index=True), catalogue)
    written.append(_write_csv(out / FILES["benchmark"], benchmark))
    written.append(_write_text(out / FILES["police"],
                               "\n".join(aggregates.police_47018(rng)) + "\n"))
    for year in POLICE_YEARS:
        written.append(_write_text(out / FILES["population"].format(year=year),
                                   "\n".join(aggregates.population_85984(year)) + "\n"))
    written.append(_write_csv(out / FILES["casework"], aggregates.casework(rng)))

    group_rng = np.random.default_rng([SEED, GROUP_STREAM])
    written.append(_write_csv(out / FILES["group_members"], aggregates.group_membership()))
    crime_lines, population_lines = aggregates.group_exports(group_rng)
    written.append(_write_text(out / FILES["group_crime"], "\n".join(crime_lines) + "\n"))
    written.append(_write_text(out / FILES["group_population"],
                               "\ufeff" + "\n".join(population_lines) + "\n"))
    return written
