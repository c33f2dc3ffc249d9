"""`ivb check`: the report on data/raw/mini and on modified copies (content, levels, exit)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyreadstat
import pytest
import yaml

from ivb_analysis.catalogue import load_catalogue
from ivb_analysis.check import check_delivery
from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from tests.conftest import ROOT

MINI = ROOT / "data" / "raw" / "mini"
SAV_2015 = "veiligheidsmonitor_2015_SYNTHETISCH.sav"
CODEBOOK = "codeboek_SYNTHETISCH.yaml"


def _copy(tmp_path: Path) -> Path:
    target = tmp_path / "raw" / "levering"
    shutil.copytree(MINI, target)
    return target


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _respondents(sav: Path, wijk: int) -> int:
    """Counted from the raw file itself, independently of the pipeline."""
    data, _ = pyreadstat.read_sav(str(sav), usecols=["wijk"])
    return int((data["wijk"] == wijk).sum())


def test_mini_report(tmp_path, capsys):
    settings = load_settings(MINI, processed_dir=tmp_path / "processed")
    report = check_delivery(settings)
    assert report.ok and report.of("fout") == [] and report.of("waarschuwing") == []
    assert (report.indicators["status"] == "beschikbaar").all()
    assert len(report.indicators) == len(load_catalogue().indicators)
    sample = report.sample.set_index(["wijk_naam", "year"])
    buitengebied_2013 = _respondents(MINI / "veiligheidsmonitor_2013_SYNTHETISCH.sav", 9)
    assert buitengebied_2013 == 48
    assert tuple(sample.loc[("Buitengebied", 2013), ["n", "mark"]]) == (48, "onderdrukt")
    assert tuple(sample.loc[("Buitengebied", 2015), ["n", "mark"]]) == (
        _respondents(MINI / SAV_2015, 9), "indicatief")
    assert sample["n"].sum() == sum(
        len(pyreadstat.read_sav(str(MINI / f"veiligheidsmonitor_{y}_SYNTHETISCH.sav"),
                                usecols=["wijk"])[0]) for y in (2013, 2015))
    assert {lab.severity for lab in report.labels} == {"ok"}
    # every labelled code of every mapped variable except the filter code 97, once (the two
    # waves carry the same labels)
    _, meta = pyreadstat.read_sav(str(MINI / SAV_2015), metadataonly=True)
    book = yaml.safe_load((MINI / CODEBOOK).read_text(encoding="utf-8"))["variables"]
    expected = sum(len([c for c in meta.variable_value_labels[v]
                        if not (isinstance(spec, dict) and c == 97)])
                   for v, spec in book.items())
    assert len(report.labels) == expected == 343

    assert main(["check", "--data-dir", str(MINI), "--processed-dir",
                 str(tmp_path / "processed")]) == 0
    out = capsys.readouterr().out
    assert (f"Indicatoren: {len(load_catalogue().indicators)} beschikbaar, 0 gedeeltelijk, 0 "
            "niet in deze levering") in out
    assert "Buitengebied         48 onderdrukt     50 indicatief" in out
    assert "onderdrukt (n onder 50): Buitengebied 2013 (n = 48)" in out
    assert "passen: 343 in elk van de 2 .sav-bestanden" in out
    assert "benchmark_share in ivb.yaml: 0,0180" in out
    assert "gebruikt: 2013 p = 0,0180 (instelling); 2015 p = 0,0180 (instelling)" in out
    assert "Conclusie: geen fouten" in out
    assert not (tmp_path / "processed").exists()  # check writes nothing


def test_modified_copy_reports_warnings_but_exit_0(tmp_path, capsys):
    delivery = _copy(tmp_path)
    # preventie not asked, ovh_horeca left out, a wijk without name and 2019 population, a
    # group member without 2013 crime figures
    book = yaml.safe_load((delivery / CODEBOOK).read_text(encoding="utf-8"))
    for name in ("prev_1", "prev_2", "prev_3", "prev_4", "ovl_hi_13"):
        del book["variables"][name]
    book["not_asked"] = ["prev_verlichting", "prev_waardevol", "prev_fiets", "prev_slot"]
    (delivery / CODEBOOK).write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    _edit(delivery / "wijken_SYNTHETISCH.csv", "7;WK016407;Woolde", "7;WK016407;")
    population = delivery / "kwb_85984NED_2019_wijken_SYNTHETISCH.csv"
    lines = population.read_text(encoding="utf-8").splitlines(keepends=True)
    population.write_text("".join(x for x in lines if "WK016407" not in x), encoding="utf-8")
    _edit(delivery / "politie_47013NED_gemeenten_SYNTHETISCH.csv",
          '"\'s-Hertogenbosch";"14457";"14873"', '"\'s-Hertogenbosch";"14457";"."')
    # The .sav still has the variables: declaring their items not asked is flagged by name ...
    args = ["check", "--data-dir", str(delivery), "--processed-dir", str(tmp_path / "processed"),
            "--json"]
    assert main(args) == 2
    errors = [f["tekst"] for f in json.loads(capsys.readouterr().out)["bevindingen"]
              if f["niveau"] == "fout"]
    assert len(errors) == 5
    assert any("prev_verlichting" in e and "Koppel prev_1 aan prev_verlichting" in e
               for e in errors)
    assert any("item ovh_horeca" in e and "ovl_hi_13" in e for e in errors)
    # ... until the user accepts it with a reason (a checked deviation)
    with (delivery / "ivb.yaml").open("a", encoding="utf-8") as settings:
        settings.write("accepted_deviations:\n" + "".join(
            f"  - {{item: {i}, reason: in deze levering bewust weggelaten}}\n"
            for i in ("prev_verlichting", "prev_waardevol", "prev_fiets", "prev_slot",
                      "ovh_horeca")))

    code = main(args)
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["ok"] is True
    status = {r["indicator"]: r for r in report["indicatoren"]}
    assert (status["preventie"]["status"], status["preventie"]["items_present"]) == (
        "niet in deze levering", 0)
    assert (status["overlast_totaal"]["status"], status["overlast_totaal"]["items_present"],
            status["overlast_totaal"]["missing_items"]) == ("gedeeltelijk", 12, "ovh_horeca")
    assert status["veel_overlast_overig"]["status"] == "niet in deze levering"
    warnings = [f["tekst"] for f in report["bevindingen"] if f["niveau"] == "waarschuwing"]
    assert warnings == [
        "1 item(s) staan niet in het codeboek en niet onder not_asked; ze tellen als niet "
        "gevraagd: ovh_horeca. Zet ze onder not_asked als dat klopt, of koppel ze aan een "
        "variabele",
        "overlast_totaal wordt berekend op 12 van 13 items (ontbreekt: ovh_horeca); de "
        "benchmark telt alle items: de vergelijking is gemarkeerd",
        "wijk 7 (WK016407) heeft geen naam in het wijkenbestand: figuren en tabellen tonen "
        "alleen de code",
        "WK016407 heeft geen bevolkingscijfer in 2019: geen misdrijven per 1.000 inwoners, en "
        "de wijk telt niet mee in het gemeentecijfer",
        "2013: geen misdrijven per gemeente voor GM0796 ('s-Hertogenbosch) (1 van 32 "
        "gemeenten; het groepsgemiddelde van 2013 is zonder hen berekend)",
    ]
    info = [f["tekst"] for f in report["bevindingen"] if f["niveau"] == "info"]
    assert ("niet in deze levering: preventie, veel_overlast_overig") in info


def test_years_of_the_group_files_against_the_waves(tmp_path):
    delivery = _copy(tmp_path)
    # a wave beyond every police and group file (2012-2023): the 2015 file relabelled 2024
    shutil.copy(delivery / SAV_2015, delivery / "veiligheidsmonitor_2024_SYNTHETISCH.sav")
    book = yaml.safe_load((delivery / CODEBOOK).read_text(encoding="utf-8"))
    del book["design"]["year"]  # the file's own year column would (rightly) refuse it
    (delivery / CODEBOOK).write_text(yaml.safe_dump(book, sort_keys=False), encoding="utf-8")
    bench = delivery / "g32_benchmark_SYNTHETISCH.csv"
    lines = bench.read_text(encoding="utf-8").splitlines()
    bench.write_text("\n".join(lines + [x.replace("2015;", "2024;", 1) for x in lines
                                        if x.startswith("2015;")]) + "\n", encoding="utf-8")
    settings = load_settings(delivery, processed_dir=tmp_path / "p").replace(
        years=(2013, 2015, 2024))
    report = check_delivery(settings)
    assert report.ok
    years = [f.text for f in report.of("waarschuwing") if f.topic == "jaren"]
    assert years == [
        "de politiecijfers (2012-2023) hebben geen cijfers voor meetjaar 2024",
        "de bevolkingscijfers (2012-2023) hebben geen cijfers voor meetjaar 2024",
        "de misdrijven per gemeente (2012-2023) hebben geen cijfers voor meetjaar 2024",
        "de bevolking per gemeente (2012-2023) hebben geen cijfers voor meetjaar 2024",
    ]


def test_swapped_labels_are_a_fout_with_exit_2(tmp_path, capsys):
    delivery = _copy(tmp_path)
    path = delivery / SAV_2015
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    labels = dict(meta.variable_value_labels)
    labels["buurt_ontw"] = {1.0: "vooruit", 2.0: "achteruit", 3.0: "gelijk",
                            98.0: "weet niet", 99.0: "geen antwoord"}
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels,
                         missing_ranges=meta.missing_ranges)
    assert main(["check", "--data-dir", str(delivery), "--processed-dir",
                 str(tmp_path / "processed")]) == 2
    out = capsys.readouterr().out
    fouten = out.split("Fouten (de bijlage zou niet kloppen):\n")[1].split("\n\n")[0]
    lines = fouten.splitlines()
    # the two mixed-up codes, each with what it matched and the one recode that fixes both
    assert len(lines) == 2
    assert "code 2 (label 'achteruit') wordt 'gelijk gebleven' (code 2)" in lines[0]
    assert "'achteruitgegaan' (code 3" in lines[0] and "recode: {2: 3, 3: 2}" in lines[0]
    assert "code 3 (label 'gelijk') wordt 'achteruitgegaan' (code 3)" in lines[1]
    assert "Conclusie: 2 fout(en)" in out
    # prepare refuses the same delivery with the same message
    assert main(["prepare", "--data-dir", str(delivery), "--processed-dir",
                 str(tmp_path / "processed")]) == 2
    assert "recode: {2: 3, 3: 2}" in capsys.readouterr().err


@pytest.mark.parametrize(("edit", "fragment"), [
    (lambda d: _edit(d / CODEBOOK, "  id: respnr", "  id: respnr\n  id: respnr"),
     "sleutel id staat twee keer"),
    (lambda d: _edit(d / CODEBOOK, "      97: 3", "      niet gevraagd: 3"),
     "filtercode is geen geheel getal"),
    (lambda d: _edit(d / "ivb.yaml", "- 2015", "- 2014"), "veiligheidsmonitor_2014"),
])
def test_bad_delivery_is_one_fout(tmp_path, capsys, edit, fragment):
    delivery = _copy(tmp_path)
    edit(delivery)
    assert main(["check", "--data-dir", str(delivery), "--processed-dir",
                 str(tmp_path / "processed")]) == 2
    captured = capsys.readouterr()
    assert fragment in captured.out + captured.err
    assert "Traceback" not in captured.out + captured.err


def test_item_without_answers_and_a_far_benchmark_share_are_warnings(tmp_path):
    delivery = _copy(tmp_path)
    path = delivery / SAV_2015
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    data["prev_2"] = 98.0  # everybody 'weet niet': the question was probably not asked
    pyreadstat.write_sav(data, str(path), variable_value_labels=meta.variable_value_labels,
                         missing_ranges=meta.missing_ranges)
    _edit(delivery / "ivb.yaml", "benchmark_share: 0.018", "benchmark_share: 0.05")
    report = check_delivery(load_settings(delivery, processed_dir=tmp_path / "p"))
    assert report.ok
    assert [f.text for f in report.of("waarschuwing")] == [
        f"geen enkel geldig antwoord in {SAV_2015}: prev_2 (prev_waardevol); niet gesteld? "
        "Dan hoort het item onder not_asked",
        "benchmark_share 0,0500 wijkt sterk af van het bevolkingsaandeel 0,0191; controleer "
        "de instelling",
    ]
    assert report.to_dict()["benchmark_share"] == 0.05
    assert "gebruikt: 2013 p = 0,0500 (instelling); 2015 p = 0,0500 (instelling)" in report.text()


def test_benchmark_share_left_to_the_data(tmp_path):
    delivery = _copy(tmp_path)
    _edit(delivery / "ivb.yaml", "benchmark_share: 0.018", "benchmark_share: null")
    report = check_delivery(load_settings(delivery, processed_dir=tmp_path / "p"))
    assert report.ok and report.benchmark_share is None
    assert "benchmark_share in ivb.yaml: niet gezet: uit de bevolking van de groep" in (
        report.text())
    # Hengelo's 2015 population over that of the 32 G32 members, from the raw files
    from tests.conftest import raw_rows

    g32 = {r[1] for r in raw_rows(delivery / "g32_leden_SYNTHETISCH.csv", ";")[1:]
           if r[2] == "G32"}
    rows = raw_rows(delivery / "cbs_37230ned_bevolking_gemeenten_SYNTHETISCH.csv", ";")
    column = rows[3].index("2015")
    people = {r[0]: int(r[column]) for r in rows[4:] if r and r[0] in g32}
    assert len(people) == 32
    share = people["Hengelo (O.)"] / sum(people.values())
    expected = f"{share:.4f}".replace(".", ",")
    assert expected == "0,0191"
    assert (f"bevolkingsaandeel van Hengelo in de groep in 2015: {expected}"
            in [f.text for f in report.of("info")])
    assert report.to_dict()["benchmark_share"] is None
