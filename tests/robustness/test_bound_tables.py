"""Processed tables are bound to their manifest by SHA-256 (issue 19.3): a table changed,
truncated, swapped or taken from another delivery after `prepare` is rebuilt from the raw files,
never read, and never ends in a pyarrow traceback."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.prepare import load_table, prepare


@pytest.fixture
def prepared(demo_copy, tmp_path):
    raw = demo_copy()
    settings = load_settings(raw, processed_dir=tmp_path / "p")
    written = prepare(settings)
    return settings, written, tmp_path / "p" / "levering"


def test_the_manifest_records_each_tables_sha256(prepared):
    import hashlib

    _settings, written, folder = prepared
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["table_hashes"]) == set(written)
    for name, path in written.items():
        assert manifest["table_hashes"][name] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_truncated_table_is_rebuilt_not_read(prepared, capsys):
    settings, written, _folder = prepared
    original = written["wijken"].read_bytes()
    written["wijken"].write_bytes(original[: len(original) // 2])
    table = load_table(settings, "wijken")  # was: ArrowInvalid traceback
    assert len(table) == 10 and "Binnenstad" in set(table["wijk_naam"])
    assert written["wijken"].read_bytes() == original  # rebuilt from raw, byte-identical
    # the CLI sees it too: `ivb prepare` does not call a truncated table "ongewijzigd"
    written["wijken"].write_bytes(original[:100])
    assert main(["prepare", "--data-dir", str(settings.data_dir),
                 "--processed-dir", str(settings.processed_dir)]) == 0
    assert "ongewijzigd" not in capsys.readouterr().out
    assert written["wijken"].read_bytes() == original


def test_a_table_swapped_for_another_deliverys_is_never_read(prepared, demo_copy, tmp_path):
    settings, written, _folder = prepared
    # another delivery: the same demo with renamed wijken, prepared elsewhere
    other = tmp_path / "other"
    shutil.copytree(settings.data_dir, other)
    wijken = other / "wijken_SYNTHETISCH.csv"
    wijken.write_text(wijken.read_text(encoding="utf-8").replace("Binnenstad", "Vreemdestad"),
                      encoding="utf-8")
    foreign = prepare(load_settings(other, processed_dir=tmp_path / "q"))
    shutil.copyfile(foreign["wijken"], written["wijken"])
    assert "Vreemdestad" in set(pd.read_parquet(written["wijken"])["wijk_naam"])
    table = load_table(settings, "wijken")
    assert "Vreemdestad" not in set(table["wijk_naam"])
    assert "Binnenstad" in set(table["wijk_naam"])


def test_a_table_changed_in_place_or_made_a_symlink_is_rebuilt(prepared, tmp_path):
    settings, written, _folder = prepared
    frame = pd.read_parquet(written["wijken"])
    frame.loc[0, "wijk_naam"] = "Vervalst"
    frame.to_parquet(written["wijken"], index=False)  # a valid parquet, other numbers
    assert "Vervalst" not in set(load_table(settings, "wijken")["wijk_naam"])
    elsewhere = tmp_path / "elders.parquet"
    shutil.copyfile(written["wijken"], elsewhere)
    written["wijken"].unlink()
    written["wijken"].symlink_to(elsewhere)  # the same bytes, but not the file prepare wrote
    assert len(load_table(settings, "wijken")) == 10
    assert not written["wijken"].is_symlink()


def test_a_table_from_before_table_hashes_is_rebuilt(prepared):
    settings, written, folder = prepared
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest["table_hashes"]
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    stamp = written["survey_long"].stat().st_mtime_ns
    load_table(settings, "wijken")
    assert written["survey_long"].stat().st_mtime_ns != stamp
    assert "table_hashes" in json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
