"""The pages in a real headless browser (Debian's chromium, driven through selenium and Debian's
chromium-driver): every HTML page of one demo year (the annex, the index, the reviewer and the
analyst pages) passes axe-core's WCAG 2.0/2.1 A and AA rules with no violation and has headings
that start at h1 and skip no level, and a reviewer's page is not blank.

axe-core comes from npm (`package.json`; `npm ci` puts it in node_modules/, which this test does
itself when npm is there). Without chromium, chromium-driver or axe-core the tests skip on a
developer's machine and FAIL under CI (`CI=true`): `.ci/run` installs them.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image

from ivb_analysis import style
from ivb_analysis.config import load_settings
from ivb_analysis.run import discover_notebooks, run
from tests.conftest import DEMO_DIR, ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or (
    "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").is_file() else None)
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
YEAR = 2015
#: The axe-core rule tags of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _missing(what: str) -> None:
    """Fail under CI (the tool is part of the test), skip on a machine without it."""
    message = f"{what} ontbreekt (.ci/run installeert het)"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def axe_source() -> str:
    """axe-core's browser bundle, installed from package.json/package-lock.json when missing."""
    npm = shutil.which("npm")
    if not AXE.is_file() and npm:
        subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT,
                       check=False, capture_output=True, timeout=300)
    if not AXE.is_file():
        _missing("axe-core (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def browser():
    """Headless chromium through selenium and Debian's chromium-driver (nothing downloaded)."""
    if CHROMIUM is None or DRIVER is None:
        _missing("chromium of chromium-driver")
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, "--window-size=1200,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(DRIVER))
    driver.set_script_timeout(180)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    """Every output page of the demo's 2015 (all notebooks, the annex, index.html)."""
    base = tmp_path_factory.mktemp("browser")
    raw = base / "raw" / "levering"
    shutil.copytree(DEMO_DIR, raw)
    config = yaml.safe_load((raw / "ivb.yaml").read_text(encoding="utf-8"))
    config["years"] = [2013, YEAR]
    config.pop("reference_year", None)
    (raw / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    settings = load_settings(raw, output_dir=base / "out", processed_dir=base / "proc")
    notebooks = base / "notebooks"
    notebooks.mkdir()
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(notebook, notebooks)
    assert not run(settings, notebooks, years=[YEAR], progress=False, annex=True).failed
    return base / "out"


def _violations(driver, page: Path, axe: str) -> list[dict]:
    driver.get(page.as_uri())
    driver.execute_script(axe)
    result = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}})"
        ".then(r => done({violations: r.violations, passes: r.passes.length}))"
        ".catch(e => done({error: String(e)}));", WCAG_TAGS)
    assert "error" not in result, result
    assert result["passes"] > 5  # axe really ran its rules on the page
    return result["violations"]


def _report(violations: list[dict]) -> str:
    return "; ".join(f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): "
                     f"{v['nodes'][0]['target']} {v['help']}" for v in violations)


@pytest.mark.slow
def test_every_page_passes_axe_wcag_21_a_and_aa(outputs, browser, axe_source):
    pages = [outputs / "index.html", *sorted((outputs / str(YEAR)).glob("*.html"))]
    names = {p.name for p in pages}
    notebooks = [p.stem for p in discover_notebooks(ROOT / "notebooks")]  # what `ivb run` runs
    assert len(notebooks) >= 5
    expected = {"index.html", "bijlage.html", *(f"{n}.html" for n in notebooks),
                *(f"{n}.analist.html" for n in notebooks)}
    assert names == expected  # every page is checked, none forgotten
    failures, skipped_levels = {}, {}
    for page in pages:
        violations = _violations(browser, page, axe_source)
        if violations:
            failures[page.name] = _report(violations)
        levels = browser.execute_script(
            "return [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')]"
            ".map(h => Number(h.tagName[1]));")
        if levels[:1] != [1] or any(b > a + 1 for a, b in itertools.pairwise(levels)):
            skipped_levels[page.name] = levels  # headings start at h1 and skip no level
    assert failures == {}
    assert skipped_levels == {}


@pytest.mark.slow
def test_every_page_declares_dutch(outputs):
    pages = [outputs / "index.html", *sorted((outputs / str(YEAR)).glob("*.html"))]
    assert len(pages) >= 12
    heads = {p.name: p.read_text(encoding="utf-8")[:400] for p in pages}
    assert {name for name, head in heads.items() if '<html lang="nl"' not in head} == set()


@pytest.mark.slow
def test_axe_finds_what_it_must(tmp_path, browser, axe_source):
    """The check can fail: a page with the faults this project fixed gets them reported."""
    page = tmp_path / "fout.html"
    rows = "".join(f"<tr><td>{'x' * 80} {k}</td></tr>" for k in range(40))
    page.write_text(
        '<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>Fout</title></head>'
        '<body><main><h1>Fout</h1><p style="color:#408080;background:#f5f5f5">commentaar</p>'
        '<div style="overflow:auto;width:100px;height:60px"><table>'
        f"{rows}</table></div><img src=\"data:image/gif;base64,R0lGODlhAQABAAAAACw=\">"
        "</main></body></html>", encoding="utf-8")
    found = {v["id"] for v in _violations(browser, page, axe_source)}
    assert {"color-contrast", "scrollable-region-focusable", "image-alt"} <= found


@pytest.mark.slow
def test_reviewer_page_renders_in_chromium(outputs, tmp_path):
    if CHROMIUM is None:
        _missing("chromium")
    page = outputs / str(YEAR) / "staat_van_de_stad.html"
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
    red = tuple(int(style.BANNER[k:k + 2], 16) for k in (1, 3, 5))
    banner = (np.abs(rgb - np.array(red)).sum(axis=2) < 30)  # the banner colour of style
    assert banner.sum() > 1200 * 20  # the SYNTHETISCHE DEMODATA bar spans the page
