"""Disclosure control over every output type: no respondent-level record anywhere, and no
estimate for a wijk below min_n in any table, figure data or page."""

from __future__ import annotations

import re
import shutil
import zipfile

import pandas as pd
import pyreadstat
import pytest
import yaml

from ivb_analysis.config import load_settings
from ivb_analysis.run import run
from tests.conftest import ROOT

YEAR = 2013
MIN_N = 300  # above Buitengebied's sample, so that wijk is suppressed


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """One wave, two notebooks and the annex, rendered with a high min_n."""
    tmp = tmp_path_factory.mktemp("privacy")
    raw = tmp / "raw" / "levering"
    shutil.copytree(ROOT / "data" / "raw" / "demo", raw)
    config = yaml.safe_load((raw / "ivb.yaml").read_text(encoding="utf-8"))
    config.update(years=[YEAR], min_n=MIN_N, indicatief_n=MIN_N + 50)
    (raw / "ivb.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    for name in ("staat_van_de_stad", "wijkprofielen"):
        shutil.copy(ROOT / "notebooks" / f"{name}.ipynb", notebooks)
    settings = load_settings(raw, output_dir=tmp / "outputs", processed_dir=tmp / "proc")
    assert not run(settings, notebooks, jobs=2, progress=False).failed
    survey, _ = pyreadstat.read_sav(str(settings.path("survey", YEAR)))
    return tmp / "outputs", survey


def _texts(folder):
    """Every output file as text (xlsx: the XML inside the zip)."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or path.suffix in {".png", ".pdf"}:
            continue
        if path.suffix in {".xlsx", ".pptx"}:  # the XML inside the zip (pptx: the deck)
            with zipfile.ZipFile(path) as book:
                yield path, "".join(book.read(n).decode("utf-8") for n in book.namelist()
                                    if n.endswith((".xml", ".rels")))
        else:
            yield path, path.read_text(encoding="utf-8")


def test_no_respondent_id_or_record_appears_in_any_output(outputs):
    folder, survey = outputs
    ids = {str(int(i)) for i in survey["respnr"]}
    token = re.compile(r"(?<![\w.])(\d{9})(?:\.0)?(?![\w])")
    checked = 0
    for path, text in _texts(folder):
        found = ids.intersection(token.findall(text))
        assert not found, f"{path}: respondent id {sorted(found)[0]}"
        assert "respnr" not in text and "weegfactor" not in text, path
        checked += 1
    assert checked > 40


def test_suppressed_wijk_has_no_row_in_any_table(outputs):
    folder, survey = outputs
    sizes = survey.groupby("wijk").size()
    assert sizes[9] < MIN_N <= sizes.drop(9).min()  # only Buitengebied is below min_n
    # police registrations are counts, not a sample: they are shown for every wijk
    tables = [p for p in sorted((folder / str(YEAR) / "tables").glob("*.csv"))
              if not p.name.startswith("politie")]
    wijk_tables = 0
    for path in tables:
        table = pd.read_csv(path)
        for column in ("wijk_naam", "wijk", "Wijk"):
            if column in table.columns:
                wijk_tables += 1
                assert "Buitengebied" not in table[column].astype(str).tolist(), path.name
        if "wijk_code" in table.columns and "n" in table.columns:
            assert "WK016409" not in table["wijk_code"].tolist(), path.name
    assert wijk_tables >= 8


def test_suppressed_wijk_is_never_a_table_cell_in_html(outputs):
    folder, _ = outputs
    pages = sorted((folder / str(YEAR)).glob("*.html"))
    assert len(pages) >= 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        # survey tables only: police registrations are counts for every wijk
        text = re.sub(r'<section id="sectie-politie">.*?</section>', "", text, flags=re.S)
        cells = re.findall(r"<t[dh][^>]*>\s*([^<]*?)\s*</t[dh]>", text)
        assert "Buitengebied" not in cells, page.name
        if "wijk_" in text:
            assert "Binnenstad" in cells, page.name  # the check does see wijk rows
