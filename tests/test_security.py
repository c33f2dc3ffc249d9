"""Confinement and freshness: inputs only from inside the delivery, outputs never inside it, and
processed tables never older than the raw files and settings they were built from."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyreadstat
import pytest
import yaml

from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.prepare import load_table, prepare

SAV_2015 = "veiligheidsmonitor_2015_SYNTHETISCH.sav"
WIJKEN = "wijken_SYNTHETISCH.csv"


def _tree(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under a folder (relative paths): proves nothing was written."""
    if not folder.exists():
        return {}
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _negative_weight(raw: Path, row: int = 3) -> None:
    data, _meta = pyreadstat.read_sav(str(raw / SAV_2015), user_missing=True)
    data.loc[row, "weegfactor"] = -2.0
    pyreadstat.write_sav(data, str(raw / SAV_2015))


def _files(raw: Path, **changes: str) -> None:
    path = raw / "ivb.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["files"].update(changes)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


# --- freshness -------------------------------------------------------------------------------


def test_prepare_is_skipped_when_nothing_changed_and_redone_when_a_file_changes(demo_copy,
                                                                                tmp_path):
    raw = demo_copy()
    settings = load_settings(raw, processed_dir=tmp_path / "p")
    written = prepare(settings)
    folder = tmp_path / "p" / "levering"
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["raw"][SAV_2015] == hashlib.sha256((raw / SAV_2015).read_bytes()).hexdigest()
    assert sorted(manifest["tables"]) == sorted(written)
    stamps = {name: path.stat().st_mtime_ns for name, path in written.items()}
    assert prepare(settings) == written  # nothing changed: nothing rewritten
    assert {name: path.stat().st_mtime_ns for name, path in written.items()} == stamps

    wijken = raw / WIJKEN
    wijken.write_text(wijken.read_text(encoding="utf-8").replace("Binnenstad", "Centrum"),
                      encoding="utf-8")
    table = load_table(settings, "wijken")  # stale: prepared again from the changed file
    assert "Centrum" in set(table["wijk_naam"]) and "Binnenstad" not in set(table["wijk_naam"])


def test_a_setting_that_changes_what_prepare_checks_makes_the_tables_stale(demo_copy, tmp_path):
    raw = demo_copy()
    settings = load_settings(raw, processed_dir=tmp_path / "p")
    written = prepare(settings)
    with pytest.raises(InputError, match="onbekende benchmarkgroep"):
        load_table(settings.replace(benchmark_group="G99"), "wijken")
    stamp = written["survey_long"].stat().st_mtime_ns
    # min_n acts in the statistics, not in prepare: no rebuild
    assert load_table(settings.replace(min_n=80), "wijken")["wijk"].tolist() == list(range(10))
    assert written["survey_long"].stat().st_mtime_ns == stamp


def test_a_raw_file_made_invalid_after_prepare_is_refused_by_annex(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    processed, outputs = tmp_path / "p", tmp_path / "out"
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(processed)]) == 0
    _negative_weight(raw)
    before_raw, before_processed = _tree(raw), _tree(processed)
    code = main(["annex", "--data-dir", str(raw), "--processed-dir", str(processed),
                 "--output-dir", str(outputs), "--years", "2015"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert SAV_2015 in err and "weegfactor" in err and "rij 4" in err
    assert _tree(raw) == before_raw and _tree(processed) == before_processed
    assert not outputs.exists()


def test_run_validates_the_whole_delivery_before_any_notebook(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    processed, outputs = tmp_path / "p", tmp_path / "out"
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(processed)]) == 0
    _negative_weight(raw, row=9)
    before = _tree(processed)
    code = main(["run", "--data-dir", str(raw), "--processed-dir", str(processed),
                 "--output-dir", str(outputs), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert SAV_2015 in err and "rij 10" in err and "Traceback" not in err
    assert not outputs.exists() and _tree(processed) == before


def test_run_on_an_unprepared_delivery_with_a_bad_rapportcijfer_writes_nothing(demo_copy,
                                                                              tmp_path, capsys):
    raw = demo_copy()
    data, _meta = pyreadstat.read_sav(str(raw / SAV_2015), user_missing=True)
    data.loc[16, "rapcijf_leefb"] = 11.0
    pyreadstat.write_sav(data, str(raw / SAV_2015))
    processed, outputs = tmp_path / "p", tmp_path / "out"
    code = main(["run", "--data-dir", str(raw), "--processed-dir", str(processed),
                 "--output-dir", str(outputs), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "rapcijf_leefb" in err and "rij 17" in err
    assert not outputs.exists() and not processed.exists()
