"""Everything a delivery names is data, never markup: hostile names in the wijk list, the
gemeente name, the casework and the benchmark group reach bijlage.html and the notebook views
only escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from ivb_analysis.annex import write_annex
from ivb_analysis.config import load_settings
from ivb_analysis.report import open_wave
from tests.conftest import ROOT

MINI = ROOT / "data" / "raw" / "mini"
YEAR = 2015
IMG = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert('wijk')</script>"
QUOTE = 'Noord" onmouseover="alert(2)'
GEMEENTE = "Hengelo<script>alert(3)</script>"
OVERLEG = "Code Rood<b onclick=alert(4)>"
GROUP = "G32<svg onload=alert(5)>"
#: Markup that must never appear unescaped in any HTML output.
RAW = ("<img src=x", "<script>alert", 'onmouseover="alert', "<b onclick", "<svg onload")


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    """A copy of the mini delivery whose names carry markup."""
    target = tmp_path_factory.mktemp("injectie") / "raw" / "vijandig"
    shutil.copytree(MINI, target)
    _replace(target / "wijken_SYNTHETISCH.csv", ";Binnenstad", f";{IMG}")
    _replace(target / "wijken_SYNTHETISCH.csv", ";Hengelose Es", f";{SCRIPT}")
    _replace(target / "wijken_SYNTHETISCH.csv", ";Noord", f";{QUOTE}")
    _replace(target / "veiligheidshuis_casuistiek_SYNTHETISCH.csv", ";Code Rood;", f";{OVERLEG};")
    _replace(target / "veiligheidshuis_casuistiek_SYNTHETISCH.csv", ";Almelo;", f";Almelo{IMG};")
    _replace(target / "g32_leden_SYNTHETISCH.csv", ";G32;", f";{GROUP};")
    config = yaml.safe_load((target / "ivb.yaml").read_text(encoding="utf-8"))
    config.update(gemeente_naam=GEMEENTE, benchmark_group=f"groep={GROUP}")
    (target / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return target


def _assert_escaped(page: str, where: str) -> None:
    for markup in RAW:
        assert markup not in page, (where, markup)
    # the names did reach the page, escaped (so the test cannot pass by losing them)
    assert "&lt;img src=x onerror=alert(1)&gt;" in page, where


def test_the_annex_page_escapes_every_name(hostile, tmp_path):
    settings = load_settings(hostile, output_dir=tmp_path / "uit",
                             processed_dir=tmp_path / "verwerkt")
    written = write_annex(settings, YEAR)
    pages = [p for p in written if p.suffix == ".html"]
    assert pages
    for page in pages:
        text = page.read_text(encoding="utf-8")
        _assert_escaped(text, page.name)
        assert "Hengelo&lt;script&gt;" in text  # gemeente name in title and headers
        assert "G32&lt;svg onload=alert(5)&gt;" in text  # group name in footprint headers
        assert "Code Rood&lt;b onclick=alert(4)&gt;" in text  # casework overleg in a cell
        # alt texts are attributes: no quote may end them early
        for alt in re.findall(r'alt="([^"]*)"', text):
            assert "<" not in alt and ">" not in alt


def test_notebook_views_escape_every_name(hostile, tmp_path):
    """What a reviewer page holds: the header, every section and every table as shown."""
    wave = open_wave(hostile, YEAR, output_dir=tmp_path / "uit",
                     processed_dir=tmp_path / "verwerkt")
    parts = [wave.header().data, wave.method_note().data, wave.glossary().data]
    for key in wave.sections():
        section = wave.section(key)
        parts.append(section._repr_html_())
        parts += [table.for_display().to_html() for table in section.tables]
    _assert_escaped("\n".join(parts), "notebook")
