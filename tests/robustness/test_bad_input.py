"""The bad-input corpus: malformed deliveries give a clear message (file, column, row, what was
expected) and exit status 2 from the CLI, never a traceback, and nothing is written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from ivb_analysis.cli import main

SAV_2015 = "veiligheidsmonitor_2015_SYNTHETISCH.sav"
BENCH = "g32_benchmark_SYNTHETISCH.csv"
CASEWORK = "veiligheidshuis_casuistiek_SYNTHETISCH.csv"
POLICE = "politie_47018NED_wijken_SYNTHETISCH.csv"
WIJKEN = "wijken_SYNTHETISCH.csv"
CODEBOOK = "codeboek_SYNTHETISCH.yaml"
GROUP_CRIME = "politie_47013NED_gemeenten_SYNTHETISCH.csv"
POPULATION_2015 = "kwb_85984NED_2015_wijken_SYNTHETISCH.csv"
GEOMETRY = "wijken.geojson"
_SQUARE = [[[6.7, 52.2], [6.8, 52.2], [6.8, 52.3], [6.7, 52.2]]]


def _edit_sav(column: str | None = None, row: int = 0, value: float | None = None,
              drop: str | None = None, rename: tuple[str, str] | None = None,
              rows: slice | None = None) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / SAV_2015
        data, _meta = pyreadstat.read_sav(str(path), user_missing=True)
        if column is not None:
            data.loc[row, column] = value
        if drop:
            data = data.drop(columns=[drop])
        if rename:
            data = data.rename(columns={rename[0]: rename[1]})
        if rows is not None:
            data = data.iloc[rows]
        pyreadstat.write_sav(data, str(path))
    return mutate


def _edit_text(name: str, old: str, new: str, count: int = 1) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
    return mutate


def _edit_line(name: str, line: int, edit: Callable[[list[str]], list[str]],
               sep: str = ";") -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        lines = path.read_text(encoding="utf-8").splitlines()
        lines[line - 1] = sep.join(edit(lines[line - 1].split(sep)))
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return mutate


def _set_field(index: int, value: str) -> Callable[[list[str]], list[str]]:
    def edit(fields: list[str]) -> list[str]:
        fields[index] = value
        return fields
    return edit


def _write(name: str, data: bytes) -> Callable[[Path], None]:
    return lambda folder: (folder / name).write_bytes(data)


def _settings(**changes) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / "ivb.yaml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        for key, value in changes.items():
            if value is None:
                config.pop(key, None)
            else:
                config[key] = value
        path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return mutate


def _settings_text(edit: Callable[[str], str], encoding: str = "utf-8") -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / "ivb.yaml"
        path.write_bytes(edit(path.read_text(encoding="utf-8")).encode(encoding))
    return mutate


def _files(**changes: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        files = yaml.safe_load((folder / "ivb.yaml").read_text(encoding="utf-8"))["files"]
        _settings(files={**files, **changes})(folder)
    return mutate


def _geometry(text: str) -> Callable[[Path], None]:
    """Add a geometry file to the delivery (and to ivb.yaml)."""
    def mutate(folder: Path) -> None:
        (folder / GEOMETRY).write_text(text, encoding="utf-8")
        _files(geometry=GEOMETRY)(folder)
    return mutate


def _feature(code: str, kind: str = "Polygon", coordinates: object = _SQUARE,
             key: str = "statcode") -> dict:
    return {"type": "Feature", "properties": {key: code},
            "geometry": {"type": kind, "coordinates": coordinates}}


def _collection(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _repeat_line(name: str, line: int) -> Callable[[Path], None]:
    """Deliver a data line twice (the copy right after it)."""
    def mutate(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / name).write_text("".join([*lines[:line], *lines[line - 1:]]), encoding="utf-8")
    return mutate


def _latin1(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        text = path.read_text(encoding="utf-8").replace("Code Rood", "Code Rood à", 1)
        path.write_bytes(text.encode("latin-1"))
    return mutate


def _truncate(name: str) -> Callable[[Path], None]:
    def mutate(folder: Path) -> None:
        path = folder / name
        path.write_bytes(path.read_bytes()[:5000])
    return mutate


def _remove(name: str) -> Callable[[Path], None]:
    return lambda folder: (folder / name).unlink()


def _csv_survey(cell: str) -> Callable[[Path], None]:
    """Deliver 2015 as CSV with one bad cell (line 5, column rapcijf_veil)."""
    def mutate(folder: Path) -> None:
        data, _ = pyreadstat.read_sav(str(folder / SAV_2015), user_missing=True)
        frame = data.astype(object)
        frame.iloc[3, frame.columns.get_loc("rapcijf_veil")] = cell
        (folder / "wave_2015.csv").write_text(frame.to_csv(sep=";", index=False),
                                              encoding="utf-8")
        (folder / SAV_2015).unlink()
        _settings(files={**yaml.safe_load((folder / "ivb.yaml").read_text())["files"],
                         "survey": "wave_{year}.csv"})(folder)
        d13, _ = pyreadstat.read_sav(str(folder / SAV_2015.replace("2015", "2013")),
                                     user_missing=True)
        (folder / "wave_2013.csv").write_text(d13.to_csv(sep=";", index=False), encoding="utf-8")
    return mutate


@dataclass(frozen=True)
class Case:
    id: str
    mutate: Callable[[Path], None]
    fragments: tuple[str, ...]
    command: tuple[str, ...] = ("prepare",)


CASES = [
    Case("survey-missing-column", _edit_sav(drop="onv_alg"),
         (SAV_2015, "onv_alg", "ontbreken")),
    Case("survey-renamed-column", _edit_sav(rename=("weegfactor", "gewicht")),
         (SAV_2015, "weegfactor", "ontbreken")),
    Case("rapportcijfer-out-of-range", _edit_sav("rapcijf_leefb", 16, 11.0),
         (SAV_2015, "rapcijf_leefb", "rij 17", "ongeldige antwoordcode", "1-10")),
    Case("likert-out-of-range", _edit_sav("cohes_2", 0, 7.0),
         (SAV_2015, "cohes_2", "rij 1", "1-5")),
    Case("unknown-wijk", _edit_sav("wijk", 9, 14.0), (SAV_2015, "wijk", "rij 10", "wijknummer")),
    Case("duplicated-respondent", _edit_sav("respnr", 7, 201500001.0),
         (SAV_2015, "respnr", "rij 8", "dubbel")),
    Case("negative-weight", _edit_sav("weegfactor", 3, -2.0),
         (SAV_2015, "weegfactor", "rij 4", "niet positief")),
    Case("zero-weight", _edit_sav("weegfactor", 4, 0.0), (SAV_2015, "weegfactor", "rij 5")),
    Case("missing-weight", _edit_sav("weegfactor", 5, None), (SAV_2015, "weegfactor", "rij 6")),
    Case("empty-wave", _edit_sav(rows=slice(0, 0)), (SAV_2015, "geen respondenten")),
    Case("truncated-sav", _truncate(SAV_2015), (SAV_2015, "afgekapt")),
    Case("survey-file-missing", _remove(SAV_2015), (SAV_2015, "ontbreekt")),
    Case("survey-csv-text-in-code-column", _csv_survey("zeven"),
         ("wave_2015.csv", "rapcijf_veil", "rij 5", "geen getal")),
    Case("survey-csv-cbs-secret-marker", _csv_survey("x"),
         ("wave_2015.csv", "rapcijf_veil")),
    Case("wave-absent-in-benchmark", lambda f: (f / BENCH).write_text("".join(
        ln for ln in (f / BENCH).read_text(encoding="utf-8").splitlines(keepends=True)
        if not ln.startswith("2015;")), encoding="utf-8"),
         (BENCH, "jaar", "meetjaar ontbreekt in de benchmark", "2015")),
    Case("benchmark-interval-without-value", _edit_line(BENCH, 4, _set_field(3, "99")),
         (BENCH, "rij 4", "ondergrens")),
    Case("benchmark-unknown-indicator", _edit_line(BENCH, 2, _set_field(1, "geluk")),
         (BENCH, "rij 2", "geluk")),
    Case("benchmark-duplicate", _edit_line(BENCH, 3, lambda f: [*f[:1], "buurt_achteruit", *f[2:]]),
         (BENCH, "buurt_achteruit")),
    Case("benchmark-text-value", _edit_line(BENCH, 5, _set_field(2, "zeven")),
         (BENCH, "waarde", "rij 5", "geen getal")),
    Case("benchmark-missing-column", _edit_text(BENCH, "ondergrens;", "onder;"),
         (BENCH, "ondergrens")),
    Case("benchmark-comma-separated", lambda f: (f / BENCH).write_text(
        (f / BENCH).read_text(encoding="utf-8").replace(";", ","), encoding="utf-8"),
         (BENCH,)),
    Case("benchmark-zero-n", _edit_line(BENCH, 6, _set_field(5, "0")), (BENCH, "rij 6", "n")),
    Case("benchmark-utf16", lambda f: (f / BENCH).write_bytes(
        (f / BENCH).read_text(encoding="utf-8").encode("utf-16")), (BENCH, "UTF-16")),
    Case("casework-latin1", _latin1(CASEWORK), (CASEWORK, "UTF-8")),
    Case("casework-negative", _edit_line(CASEWORK, 3, _set_field(4, "-4")),
         (CASEWORK, "rij 3", "aantal")),
    Case("casework-bad-gemeentecode", _edit_line(CASEWORK, 2, _set_field(1, "0141")),
         (CASEWORK, "rij 2", "gemeentecode")),
    Case("police-missing-column", _edit_text(POLICE, '"GeregistreerdeMisdrijven_1"', '"Aantal"'),
         (POLICE, "GeregistreerdeMisdrijven", "ontbreekt")),
    Case("police-text-count", _edit_line(POLICE, 3, _set_field(9, "veel"), sep=","),
         (POLICE, "rij 3", "geen getal")),
    Case("wijken-bad-code", _edit_line(WIJKEN, 3, _set_field(1, "W16401")),
         (WIJKEN, "rij 3", "wijkcode")),
    Case("codebook-unknown-item", _edit_text(CODEBOOK, "rapcijf_leefb: rc_leefbaarheid",
                                             "rapcijf_leefb: rc_geluk"),
         (CODEBOOK, "rapcijf_leefb", "onbekend item")),
    Case("codebook-missing", _remove(CODEBOOK), (CODEBOOK, "ontbreekt")),
    Case("settings-missing", _remove("ivb.yaml"), ("ivb.yaml", "ontbreekt")),
    Case("settings-unknown-key", _settings(min_respondenten=50),
         ("ivb.yaml", "min_respondenten", "onbekende instelling")),
    Case("settings-invalid-yaml", _write("ivb.yaml", b"years: [2013, 2015\n"),
         ("ivb.yaml", "YAML")),
    # ivb.yaml: types, ranges, placeholders, encoding (each names ivb.yaml and the key)
    Case("settings-years-scalar", _settings(years=2015),
         ("ivb.yaml", "'years'", "verwacht een lijst", "[2015]")),
    Case("settings-year-as-text", _settings(years=[2013, "2015"]),
         ("ivb.yaml", "'years'", "ongeldig jaartal", "'2015'")),
    Case("settings-unknown-placeholder", _files(survey="veiligheidsmonitor_{jaar}_SYNTHETISCH.sav"),
         ("ivb.yaml", "'files.survey'", "onbekende plaatshouder {jaar}", "{year}")),
    Case("settings-cp1252", _settings_text(
        lambda t: t.replace("gemeente_naam: Hengelo", "gemeente_naam: Hengelo (Overijssel, é)"),
        encoding="cp1252"), ("ivb.yaml", "geen geldige UTF-8", "0xe9", "Windows-1252", "UTF-8")),
    Case("settings-duplicate-key", _settings_text(lambda t: t + "min_n: 20\n"),
         ("ivb.yaml", "'min_n'", "dubbel")),
    Case("settings-output-dir", _settings(output_dir="uitvoer"),
         ("ivb.yaml", "'output_dir'", "hoort niet in ivb.yaml", "--output-dir")),
    Case("settings-min-n-negative", _settings(min_n=-5),
         ("ivb.yaml", "'min_n'", "1 of meer", "-5")),
    Case("settings-indicatief-below-min-n", _settings(min_n=80, indicatief_n=60),
         ("ivb.yaml", "'indicatief_n'", "80 (min_n) of meer", "60")),
    Case("settings-alpha-out-of-range", _settings(alpha=0.7), ("ivb.yaml", "'alpha'", "0.7")),
    Case("settings-benchmark-share-1.5", _settings(benchmark_share=1.5),
         ("ivb.yaml", "'benchmark_share'", "1.5")),
    Case("settings-lonely-psu", _settings(lonely_psu="weglaten"),
         ("ivb.yaml", "'lonely_psu'", "fail, certainty, adjust, average", "'weglaten'")),
    Case("settings-reference-year-not-a-wave", _settings(reference_year=2014),
         ("ivb.yaml", "'reference_year'", "2013, 2015", "2014")),
    Case("settings-benchmark-waves-not-waves", _settings(benchmark_waves=[2013, 2017]),
         ("ivb.yaml", "'benchmark_waves'", "2017")),
    Case("settings-benchmark-group-number", _settings(benchmark_group=32),
         ("ivb.yaml", "'benchmark_group'", "lijst gemeentecodes")),
    Case("settings-benchmark-group-bad-code", _settings(benchmark_group=["GM0153", "Almelo"]),
         ("ivb.yaml", "'benchmark_group'", "'Almelo'")),
    # non-survey sources, validated at prepare (file, column, line as the user sees it)
    Case("wijken-duplicate-number", _edit_line(WIJKEN, 3, _set_field(0, "0")),
         (WIJKEN, "'nummer'", "rij 3", "dubbel", "ook op regel 2", "gevonden: 0)")),
    Case("wijken-duplicate-code", _edit_line(WIJKEN, 5, _set_field(1, "WK016401")),
         (WIJKEN, "'wijkcode'", "rij 5", "ook op regel 3", "'WK016401'")),
    Case("benchmark-percentage-150", _edit_line(BENCH, 59, lambda f: [
        *f[:2], "150", "148", "152", *f[5:]]),
         (BENCH, "'waarde'", "rij 59", "buurt_achteruit", "percentage", "0 tot en met 100",
          "'150'")),
    Case("benchmark-interval-outside-scale", _edit_line(BENCH, 70, lambda f: [
        *f[:3], "7.27", "10.4", *f[5:]]),
         (BENCH, "'bovengrens'", "rij 70", "rapportcijfer", "1 tot en met 10")),
    Case("group-crime-negative", _edit_text(GROUP_CRIME, '"Almelo";"8839"', '"Almelo";"-8839"'),
         (GROUP_CRIME, "negatief", "Almelo", "2012", "-8839")),
    Case("population-duplicate-wijk", _edit_text(
        POPULATION_2015, '2,"WK016401  "', '2,"WK016400  "'),
         (POPULATION_2015, "dubbel", "rij 4", "WK016400")),
    Case("population-negative", _edit_text(POPULATION_2015, ",2940", ",-2940"),
         (POPULATION_2015, "negatief", "rij 3", "AantalInwoners_5")),
    Case("police-duplicate-row", _repeat_line(POLICE, 2),
         (POLICE, "dubbele rij", "rij 3", "WK016400")),
    Case("casework-duplicate", _edit_line(CASEWORK, 3, _set_field(3, "Code Rood")),
         (CASEWORK, "dubbel", "rij 3", "ook op regel 2", "Code Rood")),
    Case("geometry-broken", _geometry(_collection(_feature("WK016400"))[:70]),
         (GEOMETRY, "kaartbestand kan niet gelezen worden")),
    Case("geometry-without-statcode", _geometry(_collection(_feature("WK016400", key="code"))),
         (GEOMETRY, "'statcode'", "ontbreekt")),
    Case("geometry-point", _geometry(_collection(
        _feature("WK016400"), _feature("WK016401", "Point", [6.7, 52.2]))),
         (GEOMETRY, "rij 2", "Polygon", "WK016401: Point")),
    Case("run-year-without-data", lambda f: None, ("2016", "geen gegevens"),
         ("run", "--years", "2016", "--quiet")),
    Case("run-parameter-wrong-type", lambda f: None, ("min_n", "verkeerde type"),
         ("run", "-p", "min_n", "veel", "--quiet")),
    Case("run-parameter-min-n-negative", lambda f: None,
         ("-p (notebookparameter)", "'min_n'", "positief", "-5"),
         ("run", "-p", "min_n", "-5", "--quiet")),
    Case("run-parameter-base-year-not-a-wave", lambda f: None,
         ("-p (notebookparameter)", "'base_year'", "eerdere meting", "2014"),
         ("run", "-p", "base_year", "2014", "--quiet")),
    Case("run-parameter-year-contradicts-years", lambda f: None,
         ("-p year", "--years", "2013"), ("run", "--years", "2015", "-p", "year", "2013",
                                           "--quiet")),
    Case("run-parameter-other-gemeente", lambda f: None,
         ("-p (notebookparameter)", "'gemeente'", "GM0164", "'GM0153'"),
         ("run", "-p", "gemeente", "GM0153", "--quiet")),
    Case("run-parameter-unknown", lambda f: None, ("kleur", "onbekende notebookparameter"),
         ("run", "-p", "kleur", "rood", "--quiet")),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_gives_a_clear_message_and_exit_2(case, demo_copy, tmp_path, capsys):
    raw = demo_copy(years=(2013, 2015))
    case.mutate(raw)
    processed, outputs = tmp_path / "processed", tmp_path / "outputs"
    args = [*case.command, "--data-dir", str(raw), "--processed-dir", str(processed)]
    if case.command[0] == "run":
        args += ["--output-dir", str(outputs)]
    before = {p: p.read_bytes() for p in sorted(raw.rglob("*"))}
    code = main(args)
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.err.startswith("Fout in de invoer:")
    assert "Traceback" not in captured.err
    for fragment in case.fragments:
        assert fragment in captured.err
    assert not processed.exists() and not outputs.exists()  # a failed validation writes nothing
    assert {p: p.read_bytes() for p in sorted(raw.rglob("*"))} == before  # raw untouched


def test_the_corpus_has_at_least_30_cases():
    assert len(CASES) >= 30


def test_decimal_commas_and_semicolons_are_read_not_refused(demo_copy, tmp_path):
    raw = demo_copy(years=(2013, 2015))
    bench = raw / BENCH
    bench.write_text(bench.read_text(encoding="utf-8").replace(".", ","), encoding="utf-8")
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path)]) == 0
    table = pd.read_parquet(tmp_path / "levering" / "benchmark.parquet")
    first = table[(table["year"] == 2012) & (table["indicator"] == "buurt_achteruit")]
    assert first["estimate"].iloc[0] == pytest.approx(20.7)


def test_a_valid_geometry_is_accepted_at_prepare(demo_copy, tmp_path):
    raw = demo_copy(years=(2013, 2015))
    multi = [[[[6.8, 52.2], [6.9, 52.2], [6.9, 52.3], [6.8, 52.2]]]]
    _geometry(_collection(_feature("WK016400"), _feature("WK016401", "MultiPolygon", multi)))(raw)
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path)]) == 0
