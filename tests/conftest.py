"""Shared fixtures: project paths, the committed demo delivery and copies of it to break."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "raw" / "demo"
# The project keeps the test data it needs (tests/data/README.md): real public CBS/Politie
# extracts with their provenance, and the R `survey` package's data sets the R reference values
# are computed on. A clone alone runs the whole suite; nothing is read from outside it.
TEST_DATA = ROOT / "tests" / "data"
PUBLIC = TEST_DATA / "public"
REFERENCE = TEST_DATA / "r-survey"


# Real public files under tests/data/public used by several test modules.
BUURT_CRIME = "politie_47018NED_buurt_2023_hengelo/PolRegCrime47018_2023_hengelo_rows.csv"
KWB = "cbs_85984NED_kwb2024_hengelo/kwb2024_stripped_GM0164_wijken.json"
POPULATION = "cbs_37230ned_bevolking_gemeente/bevolking_einde_periode_2002_2024_G40_slice.csv"
METADATA = "politie_47013NED_metadata/allemisdrijven_metadata_21122025.csv"
MEMBERS = "g32_membership/g32_g40_members_compiled.csv"


@pytest.fixture(scope="session")
def public() -> Path:
    """The real public CBS/Politie extracts the tests read (tests/data/public, PROVENANCE.md)."""
    return PUBLIC


def raw_rows(path: Path, sep: str) -> list[list[str]]:
    """All records of a file, BOM stripped, via the csv module (independent of the readers)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle, delimiter=sep))


@pytest.fixture
def demo_copy(tmp_path: Path):
    """A writable copy of the demo delivery; call it with the years to keep (default: two) and
    settings to change; without a reference year unless given."""

    def make(years: tuple[int, ...] = (2013, 2015), **settings) -> Path:
        target = tmp_path / "raw" / "levering"
        shutil.copytree(DEMO_DIR, target)
        config = yaml.safe_load((target / "ivb.yaml").read_text(encoding="utf-8"))
        config["years"] = list(years)
        config.pop("reference_year", None)  # the demo's 2013 is not among every test's years
        config.update(settings)
        (target / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return target

    return make
