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


# --- confinement: reads only inside the delivery -----------------------------------------------


@pytest.mark.parametrize("pattern", ["../elders/wijken.csv", "/etc/hostname",
                                     "sub/../../elders/wijken.csv"])
def test_a_file_outside_the_delivery_is_refused_before_anything_runs(demo_copy, tmp_path, capsys,
                                                                     pattern):
    raw = demo_copy()
    (tmp_path / "raw" / "elders").mkdir()
    (tmp_path / "raw" / "elders" / "wijken.csv").write_bytes((raw / WIJKEN).read_bytes())
    _files(raw, wijken=pattern)
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "ivb.yaml" in err and "'files.wijken'" in err and "buiten de levering" in err
    assert pattern in err and not (tmp_path / "p").exists()


def test_a_symlink_out_of_the_delivery_is_refused(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    outside = tmp_path / "geheim.csv"
    outside.write_bytes((raw / WIJKEN).read_bytes())
    (raw / WIJKEN).unlink()
    (raw / WIJKEN).symlink_to(outside)
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "'files.wijken'" in err and "buiten de levering" in err and str(outside) in err
    assert not (tmp_path / "p").exists()
    # the settings object refuses it for every caller (notebooks, annex), not only the CLI
    with pytest.raises(InputError, match="buiten de levering"):
        load_settings(raw)


def test_a_symlink_of_a_yearly_file_out_of_the_delivery_is_refused(demo_copy, tmp_path):
    raw = demo_copy()
    outside = tmp_path / "elders.sav"
    (raw / SAV_2015).rename(outside)
    (raw / SAV_2015).symlink_to(outside)
    with pytest.raises(InputError) as info:
        load_settings(raw)
    assert info.value.column == "files.survey" and info.value.found == str(outside)


def test_a_symlink_inside_the_delivery_is_read(demo_copy, tmp_path):
    raw = demo_copy()
    (raw / "lijsten").mkdir()
    (raw / WIJKEN).rename(raw / "lijsten" / WIJKEN)
    (raw / WIJKEN).symlink_to(raw / "lijsten" / WIJKEN)
    settings = load_settings(raw, processed_dir=tmp_path / "p")
    assert load_table(settings, "wijken")["wijk_naam"].iloc[0] == "Binnenstad"


# --- confinement: writes never inside the raw delivery -----------------------------------------


@pytest.mark.parametrize(("command", "option"), [
    ("prepare", "--processed-dir"), ("annex", "--processed-dir"), ("run", "--processed-dir"),
    ("annex", "--output-dir"), ("run", "--output-dir"),
])
def test_output_or_processed_inside_the_raw_delivery_is_refused(demo_copy, tmp_path, capsys,
                                                                command, option):
    raw = demo_copy()
    before = _tree(raw.parent)
    args = [command, "--data-dir", str(raw), option, str(raw / "uitvoer")]
    if option == "--output-dir":
        args += ["--processed-dir", str(tmp_path / "p")]
    code = main([*args, *(["--quiet"] if command == "run" else [])])
    err = capsys.readouterr().err
    assert code == 2, err
    assert option in err and "ruwe gegevens" in err and "Traceback" not in err
    assert _tree(raw.parent) == before and not (tmp_path / "p").exists()


def test_the_raw_folder_itself_is_no_output_folder(demo_copy, tmp_path, capsys):
    raw = demo_copy()  # lives in <tmp>/raw/levering: <tmp>/raw is refused too
    assert main(["annex", "--data-dir", str(raw), "--output-dir", str(raw.parent),
                 "--processed-dir", str(tmp_path / "p")]) == 2
    assert "--output-dir" in capsys.readouterr().err
    with pytest.raises(InputError, match="ruwe gegevens"):
        load_settings(raw, output_dir=raw / "uit" / "..")


def test_processed_tables_go_exactly_where_processed_dir_says(demo_copy, tmp_path, monkeypatch):
    raw = demo_copy()
    monkeypatch.chdir(tmp_path)
    settings = load_settings(raw, processed_dir="elders")
    load_table(settings, "wijken")
    assert (tmp_path / "elders" / "levering" / "wijken.parquet").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["elders", "raw"]


def test_the_default_processed_folder_is_beside_data_raw(demo_copy, tmp_path, monkeypatch):
    raw = demo_copy()  # <tmp>/raw/levering -> <tmp>/processed/levering
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")  # wherever the caller runs (a notebook's folder)
    assert load_settings(raw).processed_dir == tmp_path / "processed"
    assert load_settings("../raw/levering").processed_dir == tmp_path / "processed"
    monkeypatch.chdir(raw)  # from inside the delivery the default output folder is refused
    with pytest.raises(InputError, match="--output-dir"):
        load_settings(".")


@pytest.mark.parametrize(("make", "fragment"), [
    (lambda tmp: (tmp / "bestand").write_text("x", encoding="utf-8") and tmp / "bestand" / "uit",
     "is een bestand, geen map"),
    (lambda tmp: Path("/proc/ivb-uitvoer"), "kan niet geschreven worden"),
])
def test_an_output_folder_that_cannot_be_written_is_a_clear_error(demo_copy, tmp_path, capsys,
                                                                  make, fragment):
    raw = demo_copy()
    target = make(tmp_path)
    code = main(["annex", "--data-dir", str(raw), "--output-dir", str(target),
                 "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "--output-dir" in err and fragment in err and "Traceback" not in err
    assert not (tmp_path / "p").exists()


def test_the_raw_data_guard_does_not_follow_a_symlink_out_of_the_delivery(demo_copy, tmp_path):
    from ivb_analysis.guard import manifest

    raw = demo_copy()
    (tmp_path / "geheim.txt").write_text("niet lezen", encoding="utf-8")
    (raw / "notitie.txt").symlink_to(tmp_path / "geheim.txt")
    assert manifest(raw)["notitie.txt"] == f"symlink:{tmp_path / 'geheim.txt'}"
