"""A reviewer's page opened in a real headless browser (Debian's chromium) is not blank."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest
from PIL import Image

from ivb_analysis.config import load_settings
from ivb_analysis.run import run
from tests.conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed on this machine")
def test_reviewer_page_renders_in_chromium(demo_copy, tmp_path):
    settings = load_settings(demo_copy(years=(2013, 2015)), output_dir=tmp_path / "out",
                             processed_dir=tmp_path / "proc")
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "staat_van_de_stad.ipynb", notebooks)
    assert not run(settings, notebooks, years=[2015], progress=False, annex=False).failed
    page = tmp_path / "out" / "2015" / "staat_van_de_stad.html"
    shot = tmp_path / "shot.png"
    subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,1600",
         f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    pixels = np.asarray(Image.open(shot).convert("L"), dtype=float)
    assert pixels.shape == (1600, 1200)
    inked = (pixels < 200).mean()  # share of non-white pixels: text, tables, the red banner
    assert 0.02 < inked < 0.9
    rgb = np.asarray(Image.open(shot).convert("RGB")).astype(int)
    banner = (rgb[:, :, 0] > 150) & (rgb[:, :, 1] < 80) & (rgb[:, :, 2] < 80)  # #b2182b
    assert banner.sum() > 1200 * 20  # the SYNTHETISCHE DEMODATA bar spans the page
