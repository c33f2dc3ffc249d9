"""Settings: read from the delivery's ivb.yaml, overridden by CLI/notebook parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from tests.conftest import DEMO_DIR


def test_demo_settings_and_overrides():
    settings = load_settings(DEMO_DIR)
    assert settings.gemeente_code == "GM0164"
    assert (settings.benchmark_group, settings.min_n) == ("G32", 50)
    assert settings.processed_dir == DEMO_DIR.parent.parent / "processed"
    assert settings.reference_year == 2013  # the seed compares with 2013
    changed = settings.replace(min_n=100, output_dir="elders", years=[2013, 2015],
                               benchmark_group=None)
    assert (changed.min_n, changed.output_dir, changed.years) == (100, Path("elders"),
                                                                  (2013, 2015))
    assert changed.benchmark_group == "G32"  # None means: keep the delivery's setting


def test_missing_settings_file(tmp_path):
    with pytest.raises(InputError, match="instellingenbestand ontbreekt") as info:
        load_settings(tmp_path)
    assert info.value.file == tmp_path / "ivb.yaml"


@pytest.mark.parametrize(
    ("text", "fragment", "column"),
    [
        ("gemeente_naam: X\nyears: [2015]\nfiles: {}\n", "verplichte instelling", "gemeente_code"),
        ("gemeente_code: GM1\ngemeente_naam: X\nyears: [2015]\nfiles: {survey: a}\nmin_nn: 5\n",
         "onbekende instelling", "min_nn"),
        ("- a\n- b\n", "YAML-mapping", None),
    ],
)
def test_bad_settings(tmp_path, text, fragment, column):
    (tmp_path / "ivb.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=fragment) as info:
        load_settings(tmp_path)
    assert info.value.column == column


def test_catalogue_holds_the_seed_footprint_in_order_with_polarity():
    catalogue = load_catalogue()
    footprint = [(i.label, i.polarity) for i in catalogue.footprint]
    assert footprint == [
        ("Rapportcijfer leefbaarheid", 1), ("Buurt gaat achteruit", -1),
        ("Functioneren gemeente", 1), ("Sociale cohesie", 1), ("Fysieke voorzieningen", 1),
        ("Overlast totaal", -1), ("Fysieke verloedering", -1), ("Verkeersoverlast", -1),
        ("Sociale overlast", -1), ("Rapportcijfer veiligheid", 1), ("Onveiligheid algemeen", -1),
        ("Onveiligheid buurt", -1), ("Slachtofferschap totaal", -1), ("Geweldsdelicten", -1),
        ("Vermogensdelicten", -1), ("Vernielingen", -1), ("Tevredenheid contact politie", 1),
        ("Oordeel functioneren politie", 1), ("Preventie", 0),
    ]
    kinds = {i.kind for i in catalogue.indicators.values()}
    assert kinds == {"rapportcijfer", "schaalscore", "percentage"}
    for extra in ("veel_overlast_jongeren", "veel_overlast_drugs", "veel_overlast_buurtbewoners",
                  "gemeente_aandacht", "gemeente_informeert", "gemeente_betrekt",
                  "slachtoffer_woninginbraak"):
        assert extra in catalogue.indicators
    assert catalogue["sociale_cohesie"].reversed == ("coh_kennen",)


def test_unknown_indicator_is_a_clear_error():
    with pytest.raises(InputError, match="onbekende indicator"):
        load_catalogue()["rapportcijfer_geluk"]


def test_no_gemeente_is_named_in_library_code_outside_the_demo():
    root = Path(__file__).resolve().parents[2] / "src" / "ivb_analysis"
    offenders = [p.relative_to(root) for p in root.rglob("*.py")
                 if "demo" not in p.parts and ("Hengelo" in p.read_text(encoding="utf-8")
                                               or "GM0164" in p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.parametrize(("change", "column"), [
    ({"min_n": 0}, "min_n"), ({"indicatief_n": 49}, "indicatief_n"), ({"alpha": 0}, "alpha"),
    ({"alpha": 0.51}, "alpha"), ({"benchmark_share": 1.0}, "benchmark_share"),
    ({"benchmark_share": -0.1}, "benchmark_share"), ({"lonely_psu": "remove"}, "lonely_psu"),
    ({"reference_year": 2016}, "reference_year"), ({"benchmark_waves": [2013, 2016]},
                                                   "benchmark_waves"),
    ({"years": ["2015"]}, "years"), ({"years": [2015, 2015]}, "years"),
    ({"benchmark_group": ["GM0153", 153]}, "benchmark_group"), ({"min_n": 50.5}, "min_n"),
])
def test_every_settings_object_is_checked_also_after_an_override(change, column):
    with pytest.raises(InputError) as info:
        load_settings(DEMO_DIR).replace(**change)
    assert info.value.column == column
    assert info.value.file == DEMO_DIR / "ivb.yaml"


def test_limits_that_are_allowed():
    settings = load_settings(DEMO_DIR).replace(
        min_n=1, indicatief_n=1, alpha=0.5, benchmark_share=0.0, lonely_psu="average",
        reference_year=2013, benchmark_waves=[2013, 2015], benchmark_group=["GM0153", "GM0141"])
    assert (settings.min_n, settings.benchmark_waves) == (1, (2013, 2015))


def test_settings_file_with_a_bom_is_read_and_cp1252_is_refused_with_line_and_byte(tmp_path):
    text = (DEMO_DIR / "ivb.yaml").read_text(encoding="utf-8")
    (tmp_path / "ivb.yaml").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert load_settings(tmp_path).gemeente_code == "GM0164"
    lines = text.splitlines()
    lines[3] = lines[3].replace("Hengelo", "Hengelo é")  # line 4: gemeente_naam
    (tmp_path / "ivb.yaml").write_bytes("\n".join(lines).encode("cp1252"))
    with pytest.raises(InputError, match="Windows-1252") as info:
        load_settings(tmp_path)
    assert info.value.row == 4 and "0xe9" in info.value.message
