"""`ivb init` on the synthetic Enschede delivery: the codebook draft, the skeleton, no overwrites.

The expected matches below are written from the questionnaire in
`tests/fixtures/make_levering_enschede.py` (what each raw variable asks), not from the draft.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml

from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.onboard import codebook_text, draft_codebook, label_similarity, match_scale

FIXTURE = Path(__file__).parents[1] / "fixtures" / "levering_enschede"
SURVEYS = [FIXTURE / f"enquete_veiligheid_enschede_{y}_SYNTHETISCH.sav" for y in (2021, 2023)]

OVERLAST = {"graf": "graffiti", "rommel": "rommel", "hond": "hondenpoep",
            "vernield": "vernieling", "dronk": "dronken", "drugs": "drugs", "jong": "jongeren",
            "buren": "buurtbewoners", "snel": "hardrijden", "parkeer": "parkeren",
            "agress": "agressief_verkeer", "lawaai": "geluid"}
EXPECTED = {
    "cijf_leefb": "rc_leefbaarheid", "cijf_veilig": "rc_veiligheid",
    "buurt_ontw": "buurt_ontwikkeling",
    "gem_a": "gem_aandacht", "gem_b": "gem_informeert", "gem_c": "gem_betrekt",
    "gem_d": "gem_reageert", "gem_e": "gem_doet_genoeg",
    "soc_a": "coh_kennen", "soc_b": "coh_omgang", "soc_c": "coh_thuis",
    "soc_d": "coh_gezellig", "soc_e": "coh_contact",
    "voorz_a": "fv_wegen", "voorz_b": "fv_groen", "voorz_c": "fv_verlichting",
    "voorz_d": "fv_speelplekken", "voorz_e": "fv_jongeren",
    **{f"fr_{k}": f"ovf_{v}" for k, v in OVERLAST.items()},
    **{f"hi_{k}": f"ovh_{v}" for k, v in OVERLAST.items()},
    "onv_ooit": "onv_algemeen", "onv_eigenbuurt": "onv_buurt",
    "sl_inbr": "sl_inbraak", "sl_poging": "sl_poging_inbraak", "sl_fiets": "sl_fietsdiefstal",
    "sl_auto": "sl_diefstal_uit_auto", "sl_zakrol": "sl_overige_diefstal",
    "sl_mishand": "sl_mishandeling", "sl_bedreig": "sl_bedreiging",
    "sl_vern_auto": "sl_vernieling_auto", "sl_vern_ov": "sl_vernieling_overig",
    "pol_laatste": "pol_tevreden_contact", "pol_buurt": "pol_functioneren",
}
NOT_ASKED = ["ovf_horeca", "ovh_horeca", "prev_verlichting", "prev_waardevol", "prev_fiets",
             "prev_slot"]
REVERSED = {1: 5, 2: 4, 4: 2, 5: 1}


@pytest.fixture(scope="module")
def draft():
    return draft_codebook(SURVEYS)


def _tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def skeleton(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("init") / "enschede"
    args = ["init", "--gemeente", "GM0153", "--naam", "Enschede", "--out", str(out)]
    for path in SURVEYS:
        args += ["--survey", str(path)]
    before = _tree(FIXTURE)
    assert main(args) == 0
    assert _tree(FIXTURE) == before  # the delivery the .sav files came from is not touched
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["ivb.yaml", "codeboek.yaml", "wijken.csv", "INIT.txt", *(p.name for p in SURVEYS)])
    return out


def test_every_variable_gets_its_item(draft):
    assert {name: m.item for name, m in draft.matches.items()} == EXPECTED
    assert list(draft.unmatched) == ["leeftijd"]  # no value labels: not an item
    assert {role: v for role, (v, _) in draft.design.items()} == {
        "id": "volgnr", "wijk": "wijknr", "weight": "gewicht"}


def test_recodes_follow_the_value_labels(draft):
    recodes = {name: m.scale.recode for name, m in draft.matches.items() if m.scale.recode}
    # 1 vooruit / 2 achteruit / 3 gelijk onto 1 vooruit / 2 gelijk / 3 achteruit; the cohesion
    # items run from "helemaal mee oneens" (1) to "helemaal mee eens" (5): reversed.
    assert recodes == {"buurt_ontw": {2: 3, 3: 2},
                       **{f"soc_{k}": REVERSED for k in "abcde"}}


def test_missing_codes_from_spss_definitions(draft):
    assert draft.global_missing == {99: "geen antwoord"}
    own = {name: sorted(set(draft.variables[name].missing_codes) - {99})
           for name in draft.matches}
    assert own["cijf_leefb"] == [98]
    assert own["gem_a"] == own["soc_a"] == own["pol_buurt"] == [6]
    assert own["buurt_ontw"] == own["fr_graf"] == own["hi_graf"] == own["onv_ooit"] == [9]
    assert {n: sorted(draft.variables[n].filter_codes) for n in draft.matches
            if draft.variables[n].filter_codes} == {
        **{f"hi_{k}": [97] for k in OVERLAST}, "pol_laatste": [97]}


def test_items_not_found_are_listed(draft):
    assert [i.id for i in draft.not_found] == NOT_ASKED


def test_draft_codebook_file(skeleton):
    text = (skeleton / "codeboek.yaml").read_text(encoding="utf-8")
    book = yaml.safe_load(text)
    assert book["not_asked"] == NOT_ASKED
    assert book["missing_codes"] == {99: "geen antwoord"}
    assert book["variables"]["buurt_ontw"] == {"item": "buurt_ontwikkeling",
                                               "recode": {2: 3, 3: 2}, "missing": [9]}
    # 97 "niet gevraagd (komt (bijna) nooit voor)": the label proves "geen overlast"
    assert book["variables"]["hi_graf"]["filter"] == {97: 3}
    assert ('filter: {97: 3}  # bewijs: label "niet gevraagd (komt (bijna) nooit voor)" = 3 '
            '"geen overlast"') in text
    # evidence is written beside each match; open decisions are marked
    assert ('recode: {2: 3, 3: 2}  # waardelabels: 2 "achteruit gegaan" = 3 "achteruitgegaan"; '
            '3 "gelijk gebleven" = 2 "gelijk gebleven"') in text
    assert text.count("TE BESLISSEN: 97") == 1  # pol_laatste: no contact with the police
    assert text.count("    item: ") == 55 and text.count("zekerheid: ") == 55
    # a mapping the question text does not prove beside the next item on its scale is a decision
    assert text.count("# TE BESLISSEN: vraagtekst en antwoordlabels") == 11
    assert ('item: sl_poging_inbraak  # TE BESLISSEN: vraagtekst en antwoordlabels bewijzen de '
            'koppeling niet samen') in text and "daarna sl_inbraak (0.57)" in text
    assert '#   leeftijd: "Leeftijd in jaren": geen waardelabels' in text


def test_draft_with_its_decisions_taken_is_the_reviewed_codebook(skeleton):
    """The committed codebook = the draft with its open decisions taken (the filter codes are
    proven by the data; the doubtful mappings confirmed)."""
    draft = yaml.safe_load((skeleton / "codeboek.yaml").read_text(encoding="utf-8"))
    reviewed = yaml.safe_load((FIXTURE / "codeboek.yaml").read_text(encoding="utf-8"))
    assert draft == reviewed


def test_skeleton_settings_and_wijken(skeleton):
    settings = load_settings(skeleton)
    assert settings.gemeente_code == "GM0153" and settings.gemeente_naam == "Enschede"
    assert settings.years == (2021, 2023)
    assert settings.files.survey == "enquete_veiligheid_enschede_{year}_SYNTHETISCH.sav"
    assert settings.path("survey", 2023).read_bytes() == SURVEYS[1].read_bytes()
    # the wijk list from the value labels "Wijk 00 Binnensingelgebied", ...
    assert (skeleton / "wijken.csv").read_bytes() == (
        FIXTURE / "wijken_enschede_SYNTHETISCH.csv").read_bytes()
    text = (skeleton / "ivb.yaml").read_text(encoding="utf-8")
    for key in ("benchmark_share", "reference_year", "benchmark_waves", "lonely_psu",
                "# group_crime:", "# geometry:"):
        assert key in text
    assert all("#" in line for line in text.splitlines() if line.strip())  # every key commented


def test_rerun_is_byte_identical_and_never_overwrites(skeleton, tmp_path, capsys):
    other = tmp_path / "again"
    args = ["init", "--gemeente", "GM0153", "--naam", "Enschede", "--out", str(other)]
    for path in SURVEYS:
        args += ["--survey", str(path)]
    assert main(args) == 0
    for name in ("ivb.yaml", "codeboek.yaml", "wijken.csv", "INIT.txt"):
        expected = (skeleton / name).read_text(encoding="utf-8").replace(str(skeleton), "OUT")
        assert (other / name).read_text(encoding="utf-8").replace(str(other), "OUT") == expected
    (other / "codeboek.yaml").write_text("# mijn nagekeken codeboek\n", encoding="utf-8")
    capsys.readouterr()
    assert main(args) == 2
    assert "overschrijft niets zonder --force" in capsys.readouterr().err
    assert (other / "codeboek.yaml").read_text(encoding="utf-8") == "# mijn nagekeken codeboek\n"
    # --force replaces what ivb init wrote, never a user's edits: it names the lines that differ
    capsys.readouterr()
    assert main([*args, "--force"]) == 2
    err = capsys.readouterr().err
    assert "codeboek.yaml" in err and "na ivb init bewerkt" in err
    assert "-# mijn nagekeken codeboek" in err and "+# CONCEPT-codeboek" in err
    assert (other / "codeboek.yaml").read_text(encoding="utf-8") == "# mijn nagekeken codeboek\n"
    (other / "codeboek.yaml").unlink()  # the user's choice: start again
    (other / "wijken.csv").write_bytes((other / "wijken.csv").read_bytes())  # untouched
    assert main([*args, "--force"]) == 0
    assert "# CONCEPT-codeboek" in (other / "codeboek.yaml").read_text(encoding="utf-8")


def test_bad_gemeente_code_is_input_error(tmp_path, capsys):
    assert main(["init", "--gemeente", "0153", "--survey", str(SURVEYS[0]),
                 "--out", str(tmp_path / "x")]) == 2
    assert "GM gevolgd door 4 cijfers" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()


def test_matching_primitives():
    assert label_similarity("Geluidsoverlast", "Ervaart u overlast van geluidsoverlast?") > 0.5
    assert label_similarity("Rapportcijfer leefbaarheid", "") == 0.0
    fit = match_scale({1: "vooruit gegaan", 2: "achteruit gegaan", 3: "gelijk gebleven"},
                      "ontwikkeling", {1: "vooruitgegaan", 2: "gelijk gebleven",
                                       3: "achteruitgegaan"})
    assert fit.recode == {2: 3, 3: 2} and fit.score > 0.8
    assert match_scale({1: "ja", 2: "nee"}, "vaak3", {1: "vaak", 2: "soms", 3: "nooit"}) is None


def test_init_on_the_demo_bureaus_files(tmp_path, public):
    """Another bureau's files (the demo's: catalogue wording, 98/99 missing, names only in the
    wijk labels): the draft maps every variable as the demo's own codebook does, and the wijk
    codes come from the CBS names that `ivb fetch` writes (here the real 47018NED region list)."""
    mini = Path(__file__).parents[2] / "data" / "raw" / "mini"
    out = tmp_path / "hengelo"
    out.mkdir()
    regions = pd.read_csv(public / "politie_47018NED_buurt_2023_hengelo/"
                          "47018NED_WijkenEnBuurten_hengelo_slice.csv", dtype=str)
    wijken = regions[regions["Key"].str.startswith("WK")]
    pd.DataFrame({"wijkcode": wijken["Key"].str.strip(),
                  "wijknaam": wijken["Title"].str.replace(r"^Wijk \d+ ", "", regex=True),
                  "cbs_titel": wijken["Title"]}).to_csv(
        out / "cbs_wijken_GM0164.csv", sep=";", index=False)
    args = ["init", "--gemeente", "GM0164", "--naam", "Hengelo", "--out", str(out)]
    for year in (2013, 2015):
        args += ["--survey", str(mini / f"veiligheidsmonitor_{year}_SYNTHETISCH.sav")]
    assert main(args) == 0
    draft = yaml.safe_load((out / "codeboek.yaml").read_text(encoding="utf-8"))
    demo = yaml.safe_load((mini / "codeboek_SYNTHETISCH.yaml").read_text(encoding="utf-8"))

    def items(book: dict) -> dict[str, str]:
        return {k: v if isinstance(v, str) else v["item"] for k, v in book["variables"].items()}

    assert items(draft) == items(demo)
    assert draft["design"] == demo["design"]
    assert draft["missing_codes"] == demo["missing_codes"] == {98: "weet niet",
                                                                99: "geen antwoord"}
    assert draft["not_asked"] == []
    assert (out / "wijken.csv").read_bytes() == (mini / "wijken_SYNTHETISCH.csv").read_bytes()


def test_filter_codes_and_undeclared_missing(tmp_path):
    """97 labelled "niet gevraagd" is a filter decision even when SPSS declares it missing; a
    "weet niet" that SPSS does not declare is still proposed as missing, with that said; codes
    without a label are pointed out."""
    raw = pd.DataFrame({
        "nr": [1.0, 2.0, 3.0, 4.0], "wijk": [1.0, 1.0, 2.0, 2.0], "gewicht": [1.0, 2.0, 1.5, 1.0],
        "hinder_hond": [1.0, 97.0, 3.0, 8.0], "veilig_cijfer": [7.0, 12.0, 8.0, 6.0],
    })
    path = tmp_path / "peiling_2025.sav"
    pyreadstat.write_sav(raw, str(path), column_labels={
        "nr": "Respondentnummer", "wijk": "Wijk", "gewicht": "Weegfactor",
        "hinder_hond": "Overlast van hondenpoep", "veilig_cijfer": "Rapportcijfer veiligheid buurt",
    }, variable_value_labels={
        "wijk": {1.0: "Noord", 2.0: "Zuid"},
        "hinder_hond": {1.0: "veel overlast", 2.0: "een beetje overlast", 3.0: "geen overlast",
                        97.0: "niet gevraagd", 8.0: "weet niet"},
        "veilig_cijfer": {float(k): str(k) for k in range(1, 11)},
    }, missing_ranges={"hinder_hond": [97.0]})
    draft = draft_codebook([path])
    var = draft.variables["hinder_hond"]
    assert var.filter_codes == {97: "niet gevraagd"} and var.missing_codes == {8: "weet niet"}
    assert draft.matches["hinder_hond"].item == "ovh_hondenpoep"
    assert draft.matches["veilig_cijfer"].item == "rc_veiligheid"
    text = codebook_text(draft)
    assert ('    missing: [8]  # 8 "weet niet" (label; niet als user-missing gedeclareerd)'
            in text)
    assert '    filter: {97: null}  # TE BESLISSEN: 97 "niet gevraagd".' in text
    assert "    # let op: codes zonder waardelabel in de data: [12]" in text


def test_without_a_name_the_skeleton_says_what_to_fill_in(tmp_path, capsys):
    out = tmp_path / "zonder_naam"
    assert main(["init", "--gemeente", "GM0153", "--survey", str(SURVEYS[0]),
                 "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "gemeente_naam in ivb.yaml invullen" in summary
    text = (out / "ivb.yaml").read_text(encoding="utf-8")
    assert 'gemeente_naam: ""  # TE BESLISSEN: naam van de gemeente' in text
    # one wave: the file name is the pattern as it is, its year the wave
    settings = yaml.safe_load(text)
    assert settings["years"] == [2021]
    assert settings["files"]["survey"] == "enquete_veiligheid_enschede_{year}_SYNTHETISCH.sav"


ZWOLLE = Path(__file__).parents[1] / "fixtures" / "levering_zwolle"


def test_answering_only_what_check_lists_reaches_the_correct_codebook(tmp_path):
    """Another bureau (Zwolle: reversed scales, 7 "n.v.t." not user-missing, -2 "nooit
    onveilig"): from the draft, answering only the decisions `ivb check` lists (each with its
    evidence) gives a codebook that means exactly what the correct one means."""
    from ivb_analysis.catalogue import load_catalogue
    from ivb_analysis.check import check_delivery
    from ivb_analysis.io.codebook import read_codebook

    out = tmp_path / "zwolle"
    out.mkdir()
    wijken = pd.read_csv(ZWOLLE / "wijken.csv", sep=";")
    wijken[["wijkcode", "wijknaam"]].to_csv(out / "cbs_wijken_GM0193.csv", sep=";", index=False)
    surveys = sorted(ZWOLLE.glob("zwolle_vm_*.sav"))
    args = ["init", "--gemeente", "GM0193", "--naam", "Zwolle", "--out", str(out)]
    for path in surveys:
        args += ["--survey", str(path)]
    assert main(args) == 0

    report = check_delivery(load_settings(out))
    decisions = [f.text for f in report.of("fout") if f.topic == "beslissing"]
    assert not report.ok and 1 <= len(decisions) <= 10
    assert all(len(d.split("TE BESLISSEN", 2)[-1]) > 40 for d in decisions)  # explained

    catalogue = load_catalogue()
    truth = read_codebook(ZWOLLE / "codeboek.yaml", catalogue)
    lines = (out / "codeboek.yaml").read_text(encoding="utf-8").splitlines()
    variable = None
    for number, line in enumerate(lines):
        if line.startswith("  ") and not line.startswith("    ") and line.rstrip().endswith(":"):
            variable = line.strip().rstrip(":")
        if "TE BESLISSEN" not in line:
            continue
        assert any(f"regel {number + 1}:" in d for d in decisions)  # check listed this line
        spec = truth.variables[variable]
        if line.strip().startswith("item:"):
            lines[number] = f"    item: {spec.item}  # bevestigd"
        else:
            assert line.strip().startswith("filter:")
            codes = yaml.safe_load(line.split("#")[0].strip().removeprefix("filter:"))
            meaning = truth.meaning(spec, catalogue.items[spec.item])
            answer = ", ".join(f"{c}: {'null' if meaning[c] is None else meaning[c]}"
                               for c in codes)
            lines[number] = f"    filter: {{{answer}}}  # bevestigd"
    (out / "codeboek.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    answered = check_delivery(load_settings(out))
    assert answered.ok, answered.of("fout")
    draft = read_codebook(out / "codeboek.yaml", catalogue)
    assert draft.design == truth.design
    assert set(draft.not_asked) == set(truth.not_asked)
    assert {n: s.item for n, s in draft.variables.items()} == {
        n: s.item for n, s in truth.variables.items()}
    for name, spec in truth.variables.items():
        item = catalogue.items[spec.item]
        codes = set(truth.meaning(spec, item)) | set(draft.meaning(draft.variables[name], item))
        got, want = draft.meaning(draft.variables[name], item), truth.meaning(spec, item)
        assert {c: got.get(c, "ongeldig") for c in codes} == {
            c: want.get(c, "ongeldig") for c in codes}, name


def test_template_and_docs_take_their_defaults_from_settings():
    """One source: the ivb.yaml template and the defaults table of docs/levering.md against
    `Settings`; benchmark_share left out means 'from the group's population'."""
    import dataclasses

    from ivb_analysis.config import Settings
    from ivb_analysis.onboard import settings_text

    defaults = {f.name: f.default for f in dataclasses.fields(Settings)
                if f.default is not dataclasses.MISSING}
    template = yaml.safe_load(settings_text("GM0193", "Zwolle", "vm_{year}.sav", [2023]))
    assert "benchmark_share" not in template and defaults["benchmark_share"] is None
    for key in ("synthetic", "source_label", "benchmark_group", "min_n", "indicatief_n", "alpha",
                "method_break", "reference_year", "lonely_psu"):
        assert template[key] == defaults[key], key
    assert template["benchmark_waves"] == list(defaults["benchmark_waves"])
    assert template["accepted_deviations"] == list(defaults["accepted_deviations"])
    docs = (Path(__file__).parents[2] / "docs" / "levering.md").read_text(encoding="utf-8")
    table = {}
    for line in docs.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("| `") and len(cells) == 4:
            table[cells[0].strip("`")] = cells[2]
    shown = {"synthetic": "`false`", "source_label": "`Veiligheidsmonitor`",
             "benchmark_group": "`G32`", "min_n": "`50`", "indicatief_n": "`100`",
             "alpha": "`0.05`", "method_break": "`2021`", "reference_year": "`null`",
             "benchmark_waves": "`[]`", "lonely_psu": "`adjust`",
             "accepted_deviations": "`[]`"}
    for key, text in shown.items():
        assert table[key] == text, key
        value = yaml.safe_load(text.strip("`"))
        assert value == (list(defaults[key]) if isinstance(defaults[key], tuple)
                         else defaults[key]), key
    assert table["benchmark_share"].startswith("weggelaten: berekend")
