"""The `ivb` command: prepare and run on a copy of the demo, bad input -> message and exit 2."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pandas as pd

from ivb_analysis.cli import main


def _manifest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def test_prepare_writes_parquet_and_never_touches_raw(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    before = _manifest(raw)
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]) == 0
    assert _manifest(raw) == before
    long = pd.read_parquet(tmp_path / "p" / "levering" / "survey_long.parquet")
    assert sorted(long["year"].unique()) == [2013, 2015]
    assert {"benchmark", "crime", "population", "casework", "wijken"} <= {
        p.stem for p in (tmp_path / "p" / "levering").iterdir()}
    assert "survey_long" in capsys.readouterr().out


def test_bad_input_gives_message_and_exit_2_without_writing(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    bench = raw / "g32_benchmark_SYNTHETISCH.csv"
    lines = bench.read_text(encoding="utf-8").splitlines()
    fields = lines[3].split(";")
    fields[3] = str(float(fields[2]) + 1)  # ondergrens above the value
    lines[3] = ";".join(fields)
    bench.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2
    assert "g32_benchmark_SYNTHETISCH.csv" in err and "rij 4" in err and "ondergrens" in err
    assert not (tmp_path / "p").exists()  # validation failed: nothing written


def test_survey_year_absent_from_benchmark(demo_copy, tmp_path, capsys):
    raw = demo_copy(years=(2013, 2015))
    bench = raw / "g32_benchmark_SYNTHETISCH.csv"
    kept = [ln for ln in bench.read_text(encoding="utf-8").splitlines()
            if not ln.startswith("2015;")]
    bench.write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path)]) == 2
    assert "meetjaar ontbreekt in de benchmark" in capsys.readouterr().err


def test_run_rejects_a_year_without_data(demo_copy, capsys):
    raw = demo_copy()
    assert main(["run", "--data-dir", str(raw), "--years", "2016", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "2016" in err and "geen gegevens" in err


def test_module_entry_point_and_help():
    result = subprocess.run([sys.executable, "-m", "ivb_analysis", "run", "--help"],
                            capture_output=True, text=True, check=True)
    for option in ("--years", "--data-dir", "--output-dir", "--jobs", "--force"):
        assert option in result.stdout


def test_prepare_again_with_nothing_changed_reads_and_writes_nothing(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    args = ["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]
    assert main(args) == 0
    table = tmp_path / "p" / "levering" / "survey_long.parquet"
    stamp = table.stat().st_mtime_ns
    capsys.readouterr()
    assert main(args) == 0
    assert capsys.readouterr().out.startswith("ongewijzigd: ")
    assert table.stat().st_mtime_ns == stamp
    assert main([*args, "--force"]) == 0  # --force validates and writes again
    assert "survey_long" in capsys.readouterr().out and table.stat().st_mtime_ns != stamp


def test_a_source_dropped_from_the_settings_leaves_no_table_behind(demo_copy, tmp_path):
    raw = demo_copy()
    args = ["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]
    assert main(args) == 0
    assert (tmp_path / "p" / "levering" / "casework.parquet").is_file()
    text = (raw / "ivb.yaml").read_text(encoding="utf-8")
    kept = [ln for ln in text.splitlines() if not ln.strip().startswith("casework:")]
    (raw / "ivb.yaml").write_text("\n".join(kept) + "\n", encoding="utf-8")
    assert main(args) == 0
    assert not (tmp_path / "p" / "levering" / "casework.parquet").exists()
