"""Benchmark and casework readers: good files and a corpus of malformed ones.

Row numbers in errors are file lines: the header is line 1, the first data row line 2.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from ivb_analysis.errors import InputError
from ivb_analysis.io.tables import read_benchmark, read_casework

KNOWN = {"rapportcijfer_veiligheid", "onveiligheid_buurt", "sociale_cohesie"}
BENCH_HEADER = "jaar;indicator;waarde;ondergrens;bovengrens;n\n"
CASE_HEADER = "jaar;gemeentecode;gemeente;overleg;aantal\n"


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def error_for(reader, path: Path, **kwargs) -> InputError:
    with pytest.raises(InputError) as err:
        reader(path, **kwargs)
    assert path.name in str(err.value)
    return err.value


# --- benchmark --------------------------------------------------------------------------------


def test_benchmark_reads_decimal_comma_and_sorts(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark.csv", "\ufeff" + BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,5;3120\r\n"
                 + "2015;rapportcijfer_veiligheid;7.2;7,1;7,3;2980\r\n"
                 + "2017;onveiligheid_buurt;18,4;;;\r\n"
                 + ";;;;;\r\n")
    bench = read_benchmark(path, known_indicators=KNOWN)
    assert list(bench.columns) == ["year", "indicator", "estimate", "ci_low", "ci_high", "n"]
    assert bench["year"].tolist() == [2015, 2017, 2017]
    assert bench["indicator"].tolist() == ["rapportcijfer_veiligheid", "onveiligheid_buurt",
                                           "sociale_cohesie"]
    first = bench.iloc[0]
    assert (first["estimate"], first["ci_low"], first["ci_high"], first["n"]) == (
        7.2, 7.1, 7.3, 2980)
    no_interval = bench.iloc[1]
    assert math.isnan(no_interval["ci_low"]) and math.isnan(no_interval["ci_high"])
    assert str(bench["n"].dtype) == "Int64" and bench["year"].dtype == "int64"


def test_benchmark_without_known_indicators_accepts_any_id(tmp_path: Path) -> None:
    path = write(tmp_path, "b.csv", BENCH_HEADER + "2017;iets_nieuws;1;0;2;10\n")
    assert read_benchmark(path)["indicator"].tolist() == ["iets_nieuws"]


def test_benchmark_missing_column(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_kolom.csv",
                 "jaar;indicator;waarde;ondergens;bovengrens\n2017;sociale_cohesie;6;5;7\n")
    err = error_for(read_benchmark, path)
    message = str(err)
    assert "ondergrens" in message and "n" in err.message.split(": ")[1].split(", ")
    assert "ondergens" in message  # the columns that were found are listed
    assert err.column == "ondergrens"


def test_benchmark_lower_above_value(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_interval.csv", BENCH_HEADER
                 + "2015;sociale_cohesie;6,3;6,1;6,5;3120\n"
                 + "2017;sociale_cohesie;6,3;6,4;6,5;3120\n")
    err = error_for(read_benchmark, path, known_indicators=KNOWN)
    assert err.row == 3 and err.column == "ondergrens"
    assert "ondergrens=6,4" in str(err) and "waarde=6,3" in str(err)


def test_benchmark_upper_below_value(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_boven.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,2;3120\n")
    err = error_for(read_benchmark, path)
    assert err.row == 2 and err.column == "bovengrens"


def test_benchmark_non_numeric_value(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_tekst.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;zes;6,1;6,5;3120\n")
    err = error_for(read_benchmark, path)
    assert err.row == 2 and err.column == "waarde" and err.found == "zes"
    assert "geen getal" in str(err)


def test_benchmark_missing_value(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_leeg.csv", BENCH_HEADER + "2017;sociale_cohesie;.;;;\n")
    err = error_for(read_benchmark, path)
    assert err.row == 2 and err.column == "waarde" and "ontbreekt" in str(err)


def test_benchmark_latin1_bytes(tmp_path: Path) -> None:
    content = (BENCH_HEADER + "2017;sociale_cohesie;6,3;6,1;6,5;3120\n"
               + "2017;tevredenheid_politie_é;6,3;6,1;6,5;3120\n")
    path = write(tmp_path, "benchmark_latin1.csv", content.encode("latin-1"))
    err = error_for(read_benchmark, path)
    assert err.row == 3 and "UTF-8" in str(err) and "byte-positie" in str(err)
    assert err.found == b"\xe9"


def test_benchmark_unknown_indicator(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_onbekend.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,5;3120\n"
                 + "2017;sociale_cohessie;6,3;6,1;6,5;3120\n")
    err = error_for(read_benchmark, path, known_indicators=KNOWN)
    assert err.row == 3 and err.column == "indicator" and err.found == "sociale_cohessie"
    assert "sociale_cohesie" in str(err)  # the known ids are shown


def test_benchmark_duplicate_year_indicator(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_dubbel.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,5;3120\n"
                 + "2015;sociale_cohesie;6,2;6,0;6,4;3000\n"
                 + "2017;sociale_cohesie;6,4;6,1;6,5;3120\n")
    err = error_for(read_benchmark, path)
    assert err.row == 4 and "regel 2" in str(err) and "dubbele" in str(err)


@pytest.mark.parametrize("n", ["0", "-5", "12,5"])
def test_benchmark_n_positive_integer(tmp_path: Path, n: str) -> None:
    path = write(tmp_path, "benchmark_n.csv", BENCH_HEADER
                 + f"2017;sociale_cohesie;6,3;6,1;6,5;{n}\n")
    err = error_for(read_benchmark, path)
    assert err.row == 2 and err.column == "n"


def test_benchmark_half_interval(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_half.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;;3120\n")
    err = error_for(read_benchmark, path)
    assert err.column == "bovengrens" and "half" in str(err)


def test_benchmark_bad_year(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_jaar.csv", BENCH_HEADER
                 + "2017,5;sociale_cohesie;6,3;6,1;6,5;3120\n")
    err = error_for(read_benchmark, path)
    assert err.column == "jaar" and err.row == 2


def test_benchmark_comma_separated_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_komma.csv", BENCH_HEADER.replace(";", ",")
                 + "2017,sociale_cohesie,6.3,6.1,6.5,3120\n")
    err = error_for(read_benchmark, path)
    assert "scheidingsteken" in str(err) and err.found == ","


def test_benchmark_ragged_row(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_rafelig.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,5;3120;extra;extra\n")
    assert "kan niet gelezen" in str(error_for(read_benchmark, path))


# --- casework ---------------------------------------------------------------------------------


def test_casework_reads_and_sorts(tmp_path: Path) -> None:
    path = write(tmp_path, "veiligheidshuis.csv", CASE_HEADER
                 + "2016;GM0164;Hengelo;Casusoverleg nazorg;42\n"
                 + "2015;GM0164;Hengelo;Casusoverleg nazorg;38\n"
                 + "2015;GM0153;Enschede;Casusoverleg nazorg;0\n")
    work = read_casework(path)
    assert list(work.columns) == ["year", "gemeente_code", "gemeente", "overleg", "count"]
    assert work[["year", "gemeente_code"]].values.tolist() == [
        [2015, "GM0153"], [2015, "GM0164"], [2016, "GM0164"]]
    assert work["count"].tolist() == [0, 38, 42]


def test_casework_negative_count(tmp_path: Path) -> None:
    path = write(tmp_path, "veiligheidshuis_negatief.csv", CASE_HEADER
                 + "2015;GM0164;Hengelo;Casusoverleg nazorg;38\n"
                 + "2016;GM0164;Hengelo;Casusoverleg nazorg;-3\n")
    err = error_for(read_casework, path)
    assert err.row == 3 and err.column == "aantal" and "negatief" in str(err)


def test_casework_secret_marker_in_count(tmp_path: Path) -> None:
    path = write(tmp_path, "veiligheidshuis_x.csv", CASE_HEADER
                 + "2016;GM0164;Hengelo;Casusoverleg nazorg;x\n")
    err = error_for(read_casework, path)
    assert err.row == 2 and err.column == "aantal" and err.found == "x"
    assert "geheim" in str(err)


def test_casework_bad_code_and_duplicate(tmp_path: Path) -> None:
    path = write(tmp_path, "veiligheidshuis_code.csv", CASE_HEADER
                 + "2016;0164;Hengelo;Casusoverleg nazorg;4\n")
    err = error_for(read_casework, path)
    assert err.column == "gemeentecode" and err.found == "0164"
    path = write(tmp_path, "veiligheidshuis_dubbel.csv", CASE_HEADER
                 + "2016;GM0164;Hengelo;Casusoverleg nazorg;4\n"
                 + "2016;GM0164;Hengelo;Casusoverleg nazorg;5\n")
    err = error_for(read_casework, path)
    assert err.row == 3 and "regel 2" in str(err)


def test_casework_missing_columns_lists_found(tmp_path: Path) -> None:
    path = write(tmp_path, "veiligheidshuis_kolom.csv", "jaar;gemeente;aantal\n2016;Hengelo;4\n")
    err = error_for(read_casework, path)
    assert "gemeentecode" in str(err) and "overleg" in str(err)
    assert err.found == "jaar, gemeente, aantal"


def test_benchmark_short_row(tmp_path: Path) -> None:
    path = write(tmp_path, "benchmark_kort.csv", BENCH_HEADER
                 + "2017;sociale_cohesie;6,3;6,1;6,5;3120\n2015;sociale_cohesie;6,2\n")
    err = error_for(read_benchmark, path)
    assert err.row == 3 and "velden" in str(err) and err.found == 3
