"""Declared sections: the annex, its key findings and its files follow the one spec list
(`annex.registry.specs`); two tables or figures with one key are refused before anything is
written."""

from __future__ import annotations

import shutil
from dataclasses import replace
from types import SimpleNamespace

import pandas as pd
import pytest

from ivb_analysis.annex import Annex, FigureItem, Section, registry, write_annex
from ivb_analysis.annex.interface import SectionSpec
from ivb_analysis.annex.sections import hoofdlijnen, kerncijfers
from ivb_analysis.annex.write import DuplicateKeyError, check_unique_keys
from ivb_analysis.catalogue import load_selections
from ivb_analysis.config import load_settings
from ivb_analysis.prepare import prepare
from ivb_analysis.tables import AnnexTable, Column
from tests.conftest import ROOT

YEAR = 2015


def _table(key: str) -> AnnexTable:
    data = pd.DataFrame({"indicator": ["x"], "estimate": [1.0]})
    return AnnexTable(key, key, data, (Column("indicator", "Indicator", "text", 10),))


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    root = tmp_path_factory.mktemp("declared")
    data_dir = root / "raw" / "mini"
    shutil.copytree(ROOT / "data" / "raw" / "mini", data_dir)
    settings = load_settings(data_dir, output_dir=root / "uit", processed_dir=root / "proc")
    prepare(settings)
    return settings


def test_two_tables_or_figures_with_one_key_are_refused():
    one = Section("een", "Een", "", tables=[_table("slachtofferschap")])
    two = Section("twee", "Twee", "", tables=[_table("slachtofferschap")])
    with pytest.raises(DuplicateKeyError, match=r"'slachtofferschap'.*'een'.*'twee'"):
        check_unique_keys([one, two])
    figure = SimpleNamespace(alt_text="")
    a = Section("a", "A", "", figures=[FigureItem("kaart", "Kaart", figure)])
    b = Section("b", "B", "", figures=[FigureItem("kaart", "Kaart", figure)])
    with pytest.raises(DuplicateKeyError, match="figure key 'kaart'"):
        check_unique_keys([a, b])
    check_unique_keys([one, a])  # a table and a figure may share a key (other folders)


def test_writing_refuses_a_duplicate_table_key_and_writes_nothing(settings, monkeypatch):
    """A new section reusing 'kerncijfers' as its table key would overwrite kerncijfers.csv."""
    def woninginbraak(annex):
        return Section("woninginbraak", "Woninginbraak", "", tables=[_table("kerncijfers")])

    specs = [SectionSpec(kerncijfers.KEY, kerncijfers.build, "staat_van_de_stad"),
             SectionSpec("woninginbraak", woninginbraak, "staat_van_de_stad")]
    monkeypatch.setattr(registry, "specs", lambda selections: specs)
    with pytest.raises(DuplicateKeyError, match="'kerncijfers'"):
        write_annex(settings, YEAR)
    assert not (settings.output_dir / str(YEAR)).exists()


def test_the_key_findings_read_every_section_the_specs_flag(settings, monkeypatch):
    """A new section flagged `findings="gemeente"` is read by the key findings (no key typed in
    hoofdlijnen.py); one without the flag is not."""
    asked: list[str] = []

    def spy(key: str):
        def build(annex):
            asked.append(key)
            return None
        return build

    real = registry.specs(load_selections())
    specs = [*real,
             SectionSpec("woninginbraak", spy("woninginbraak"), "staat_van_de_stad",
                         findings="gemeente"),
             SectionSpec("fietsdiefstal", spy("fietsdiefstal"), "staat_van_de_stad")]
    monkeypatch.setattr(registry, "specs", lambda selections: specs)
    annex = Annex(settings, YEAR)
    assert annex.keys()[-2:] == ["woninginbraak", "fietsdiefstal"]
    hoofdlijnen.collect(annex)
    assert asked == ["woninginbraak"]


def test_every_wijk_indicator_is_in_the_overview_read_by_the_key_findings():
    """The wijken are one overview section read by the key findings (and one appendix); a wijk
    indicator added to catalogue.yaml's selections joins both without a new section."""
    selections = load_selections()
    specs = registry.specs(selections)
    assert [s.key for s in specs if s.findings == "wijk"] == ["wijkoverzicht"]
    assert [s.key for s in specs][-1] == "wijktabellen"
    more = replace(selections, wijk_indicators=(*selections.wijk_indicators, "inbraak_woning"))
    assert [s.key for s in registry.specs(more)] == [s.key for s in specs]
