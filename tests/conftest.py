"""Shared fixtures: project paths, the committed demo delivery and copies of it to break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DEMO_DIR = ROOT / "data" / "raw" / "demo"
SHARED = ROOT.parent / "shared"
PUBLIC = SHARED / "data" / "public"
REFERENCE = SHARED / "data" / "reference" / "r-survey"


@pytest.fixture
def public_dir() -> Path:
    """The real public CBS/Politie extracts beside the project (never copied into it)."""
    if not PUBLIC.is_dir():
        pytest.skip("../shared/data/public is not present on this machine")
    return PUBLIC


@pytest.fixture
def demo_copy(tmp_path: Path):
    """A writable copy of the demo delivery; call it with the years to keep (default: two)."""

    def make(years: tuple[int, ...] = (2013, 2015), **settings) -> Path:
        target = tmp_path / "raw" / "levering"
        shutil.copytree(DEMO_DIR, target)
        config = yaml.safe_load((target / "ivb.yaml").read_text(encoding="utf-8"))
        config["years"] = list(years)
        config.update(settings)
        (target / "ivb.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return target

    return make
