"""Bounded parsing of delivery text (issue 19.5): YAML with an alias budget and a depth limit,
codes and numbers in ASCII digits only, names NFC before any join, control characters (bidi
overrides included) refused at read with a message naming file and line. Each case: exit 2, a
short sentence, no traceback, nothing written."""

from __future__ import annotations

import itertools
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest

from ivb_analysis.cli import main

WIJKEN = "wijken_SYNTHETISCH.csv"
CODEBOOK = "codeboek_SYNTHETISCH.yaml"
CASEWORK = "veiligheidshuis_casuistiek_SYNTHETISCH.csv"
MEMBERS = "g32_leden_SYNTHETISCH.csv"
GROUP_CRIME = "politie_47013NED_gemeenten_SYNTHETISCH.csv"
GROUP_POPULATION = "cbs_37230ned_bevolking_gemeenten_SYNTHETISCH.csv"


def _alias_bomb(levels: int = 9, width: int = 9) -> str:
    names = [f"n{i}" for i in range(levels + 1)]
    lines = [f"{names[0]}: &{names[0]} [{', '.join(['ha'] * width)}]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * width)}]")
    return "\n".join(lines) + "\n"


def _replace(name: str, old: str, new: str):
    def mutate(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    return mutate


def _settings_bomb(folder: Path) -> None:
    text = (folder / "ivb.yaml").read_text(encoding="utf-8")
    text = text.replace("gemeente_naam: Hengelo\n", "")
    (folder / "ivb.yaml").write_text(
        "bom:\n" + "".join("  " + line + "\n" for line in _alias_bomb().splitlines())
        + text + "gemeente_naam: *n9\n", encoding="utf-8")


def _settings_deep(folder: Path) -> None:
    text = (folder / "ivb.yaml").read_text(encoding="utf-8")
    (folder / "ivb.yaml").write_text(text + "extra: " + "[" * 5000 + "]" * 5000 + "\n",
                                     encoding="utf-8")


def _codebook_bomb(folder: Path) -> None:
    text = (folder / CODEBOOK).read_text(encoding="utf-8")
    bomb = _alias_bomb()
    (folder / CODEBOOK).write_text(text + "anker:\n" + "".join(
        "  " + line + "\n" for line in bomb.splitlines()), encoding="utf-8")


CASES = [
    ("settings-alias-bomb", _settings_bomb, ("ivb.yaml", "aliassen", "100.000")),
    ("settings-nested-5000-deep", _settings_deep, ("ivb.yaml", "dieper genest dan 50")),
    ("codebook-alias-bomb", _codebook_bomb, (CODEBOOK, "aliassen")),
    ("wijkcode-full-width-digits", _replace(WIJKEN, "WK016403", "WK０１６４０３"),
     (WIJKEN, "rij 5", "U+FF10", "FULLWIDTH DIGIT ZERO", "0-9", "WK０１６４０３")),
    ("casework-arabic-indic-count", _replace(CASEWORK, "Code Rood;16", "Code Rood;١٦"),
     (CASEWORK, "rij 2", "U+0661", "ARABIC-INDIC DIGIT ONE", "0-9")),
    ("wijknaam-right-to-left-override", _replace(WIJKEN, "Binnenstad", "Binnen\u202estad"),
     (WIJKEN, "rij 2", "U+202E", "RIGHT-TO-LEFT OVERRIDE", "stuurteken")),
    ("wijknaam-isolate", _replace(WIJKEN, "Binnenstad", "\u2067Binnenstad\u2069"),
     (WIJKEN, "rij 2", "U+2067")),
    ("settings-name-with-bidi-override", _replace("ivb.yaml", "gemeente_naam: Hengelo",
                                                  "gemeente_naam: Hen\u202egelo"),
     ("ivb.yaml", "U+202E")),
    ("group-crime-null-byte", _replace(GROUP_CRIME, '"Almere"', '"Alm\x00ere"'),
     (GROUP_CRIME, "U+0000")),
    ("codebook-escape-character", _replace(CODEBOOK, "rc_leefbaarheid", "rc_leef\x1bbaarheid"),
     (CODEBOOK, "U+001B")),
]


@pytest.mark.parametrize(("mutate", "fragments"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_hostile_text_is_refused_with_a_sentence(mutate, fragments, demo_copy, tmp_path,
                                                 capsys):
    raw = demo_copy()
    mutate(raw)
    start = time.perf_counter()
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert time.perf_counter() - start < 20  # the bomb is refused, never expanded
    assert err.startswith("Fout in de invoer:") and "Traceback" not in err
    assert len(err) < 600 and "ha, ha" not in err and "'ha'" not in err  # no value printed
    for fragment in fragments:
        assert fragment in err
    assert not (tmp_path / "p").exists()


def test_a_small_anchor_in_ivb_yaml_is_still_read(demo_copy, tmp_path):
    raw = demo_copy()
    path = raw / "ivb.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "reference_year: &ref 2013\n"
                    "benchmark_waves: [*ref, 2015]\n", encoding="utf-8")
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]) == 0


def test_a_member_named_in_nfd_in_one_file_and_nfc_in_another_is_one_member(demo_copy, tmp_path):
    raw = demo_copy()
    nfc, nfd = "Almére", unicodedata.normalize("NFD", "Almére")
    assert nfc != nfd
    _replace(MEMBERS, "GM0034;Almere;", f"GM0034;{nfd};")(raw)
    _replace(GROUP_CRIME, '"Almere"', f'"{nfc}"')(raw)
    _replace(GROUP_POPULATION, '"Almere"', f'"{nfc}"')(raw)
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]) == 0
    crime = pd.read_parquet(tmp_path / "p" / "levering" / "group_crime.parquet")
    almere = crime[(crime["region_code"] == "GM0034") & (crime["year"] == 2012)]
    assert almere["count"].tolist() == [15478]
    assert almere["region_name"].tolist() == [nfc]
    population = pd.read_parquet(tmp_path / "p" / "levering" / "group_population.parquet")
    assert (population["region_code"] == "GM0034").sum() >= 12


def test_a_wijk_list_saved_by_excel_with_trailing_empty_rows_is_read(demo_copy, tmp_path):
    raw = demo_copy()
    path = raw / WIJKEN
    path.write_bytes(path.read_text(encoding="utf-8").replace("\n", "\r\n").encode("utf-8")
                     + b";;\r\n;;\r\n;;\r\n")
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]) == 0
    wijken = pd.read_parquet(tmp_path / "p" / "levering" / "wijken.parquet")
    assert wijken["wijk"].tolist() == list(range(10))
    assert wijken["wijk_naam"].iloc[0] == "Binnenstad"


def test_an_empty_row_between_wijken_is_still_refused(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    _replace(WIJKEN, "\n1;", "\n;;\n1;")(raw)
    assert main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")]) == 2
    assert "rij 3" in capsys.readouterr().err


# --- right-to-left names never turn the numbers beside them around ---------------------------


def test_a_right_to_left_name_is_isolated_in_every_text_node_but_not_in_attributes():
    """A wijk named in Arabic script in a sentence and a table: its run is in <bdi> (so '12,3'
    stays after it), attributes and the <title> keep the bare (escaped) text, nothing twice."""
    from ivb_analysis.annex.model import Section
    from ivb_analysis.annex.page import isolate_bidi, section_html

    name = "حي الشرق"
    section = Section("wijk", f"Wijk {name}", f"In {name} 12,3 per 1.000 inwoners.")
    page = section_html(section)
    assert f"<h2>Wijk <bdi>{name}</bdi></h2>" in page
    assert f"<p>In <bdi>{name}</bdi> 12,3 per 1.000 inwoners.</p>" in page
    assert page.count("<bdi>") == 2 and isolate_bidi(page) == page
    document = isolate_bidi(f'<title>{name}</title><p><img alt="{name}">{name} (4)</p>')
    assert document == f'<title>{name}</title><p><img alt="{name}"><bdi>{name}</bdi> (4)</p>'
    assert isolate_bidi("<p>Berflo Es 7,1</p>") == "<p>Berflo Es 7,1</p>"  # left-to-right: as is
