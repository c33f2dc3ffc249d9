"""Every failure is a sentence (issue 19.6) and realistic files are read (19, last bullet): broken
or wrongly shaped `ivb fetch` cache files, absurd values (10^20 inhabitants) in a download and in
a delivery, a truncated run.json in `ivb verify`, a delivery file saved during a command, a symlink
out of the delivery, a wijk with 0 inhabitants and a notebook whose cell raises."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import ivb_analysis.annex
import ivb_analysis.prepare
from ivb_analysis.cli import main
from ivb_analysis.config import load_settings
from ivb_analysis.errors import InputError
from ivb_analysis.fetch import CBS, CRIME_TOPIC, Downloader, fetch, fetch_kwb
from tests.e2e.test_run_parameters import contract_notebook, mini  # noqa: F401 (fixture)
from tests.robustness.test_run_staging import fake_annex

WIJKEN = "wijken_SYNTHETISCH.csv"
POPULATION_2015 = "kwb_85984NED_2015_wijken_SYNTHETISCH.csv"
GROUP_POPULATION = "cbs_37230ned_bevolking_gemeenten_SYNTHETISCH.csv"


def _sentence(err: str, *fragments: str) -> None:
    assert err.startswith(("Fout in de invoer:", "Fout:")), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


# --- ivb fetch: the cache and the downloads are validated like a delivery -----------------------


def _cache_file(out: Path) -> Path:
    """The cache file of the first request of `ivb fetch` (named by the offline miss)."""
    with pytest.raises(InputError, match="niet in de cache") as info:
        fetch("GM0164", [2023], out, geometry=False, offline=True)
    return Path(info.value.file)


@pytest.mark.parametrize(("content", "fragment"), [
    (b'{"url": "https://x", "retrieved": "2026-01-01T00:00:00Z", "bo', "beschadigd"),
    (b"\xff\xfe not json", "beschadigd"),
    (b'["een", "lijst"]', "beschadigd"),
    (b'{"url": 5, "retrieved": [], "body": []}', "beschadigd"),
    (b'{"url": "u", "retrieved": "r", "body": {"value": 1}}', "onverwachte vorm"),
    (b'{"url": "u", "retrieved": "r", "body": [1, 2]}', "onverwachte vorm"),
])
def test_a_broken_or_wrongly_shaped_cache_file_is_a_sentence(content, fragment, tmp_path, capsys):
    path = _cache_file(tmp_path / "uit")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    code = main(["fetch", "--gemeente", "GM0164", "--years", "2023", "--no-geometry",
                 "--out", str(tmp_path / "uit"), "--offline"])
    err = capsys.readouterr().err
    assert code == 2, err
    _sentence(err, fragment)
    assert sorted(p.name for p in (tmp_path / "uit").iterdir()) == [".cache"]


def _fake_kwb(inhabitants: str, key: str = "AantalInwoners_5"):
    def odata(catalog, table, name, filters, select):
        assert catalog == CBS
        return {
            "TableInfos": [{"Title": "Kerncijfers wijken en buurten 2023"}],
            "DataProperties": [{"Key": "WijkenEnBuurten", "Type": "GeoDimension"},
                               {"Key": key, "Type": "Topic", "Title": "Aantal inwoners"}],
            "UntypedDataSet": [{"ID": "0", "WijkenEnBuurten": "GM0164    ", key: inhabitants},
                               {"ID": "1", "WijkenEnBuurten": "WK016400  ", key: "      2940"}],
        }[name]
    return odata


def test_fetch_refuses_10_to_the_20_inhabitants_and_writes_nothing(tmp_path):
    dl = Downloader(tmp_path / ".cache", odata=_fake_kwb("100000000000000000000"))
    with pytest.raises(InputError, match="onmogelijke waarde voor inwoners") as info:
        fetch_kwb(dl, "GM0164", 2023)
    assert info.value.found == "100000000000000000000"
    good = fetch_kwb(Downloader(tmp_path / "c2", odata=_fake_kwb("  81190")), "GM0164", 2023)
    assert good.content.decode().splitlines()[1:] == ['"0","GM0164    ","81190"',
                                                      '"1","WK016400  ","2940"']


def test_fetch_names_a_row_of_the_wrong_shape_and_writes_nothing(tmp_path):
    def odata(catalog, table, name, filters, select):  # rows without the topic's column
        return {"TableInfos": [{"Title": "Misdrijven per wijk"}],
                "DataProperties": [{"Key": "GeregistreerdeMisdrijven_1", "Type": "Topic",
                                    "Title": CRIME_TOPIC}],
                "WijkenEnBuurten": [{"Key": "WK016400  ", "Title": "Wijk 00 Binnenstad"}],
                "UntypedDataSet": [{"WijkenEnBuurten": "WK016400  ", "Perioden": "2023JJ00"}],
                }[name]

    out = tmp_path / "uit"
    with pytest.raises(InputError, match="onverwachte vorm") as info:
        fetch("GM0164", [2023], out, geometry=False,
              downloader=Downloader(out / ".cache", odata=odata))
    assert "KeyError" in str(info.value) and "verwijder de cache" in str(info.value)
    assert sorted(p.name for p in out.iterdir()) == [".cache"]  # no source file written


# --- prepare: absurd numbers are refused with a message -----------------------------------------


@pytest.mark.parametrize(("name", "old", "new", "fragments"), [
    (POPULATION_2015, ",2940\n", ",100000000000000000000\n",
     (POPULATION_2015, "onmogelijk groot getal", "AantalInwoners_5", "rij 3")),
    (GROUP_POPULATION, '"Almere";"Bevolking aan het einde van de periode";"aantal";"195000"',
     '"Almere";"Bevolking aan het einde van de periode";"aantal";"1e20"',
     (GROUP_POPULATION, "geen getal")),
    (GROUP_POPULATION, '"Almere";"Bevolking aan het einde van de periode";"aantal";"195000"',
     '"Almere";"Bevolking aan het einde van de periode";"aantal";"100000000000000000000"',
     (GROUP_POPULATION, "onmogelijk groot getal")),
    (GROUP_POPULATION, '"Almere";"Bevolking aan het einde van de periode";"aantal";"195000"',
     '"Almere";"Bevolking aan het einde van de periode";"aantal";"5000000000"',
     (GROUP_POPULATION, "onmogelijk groot aantal", "Almere", "5000000000")),
])
def test_an_absurd_number_in_a_delivery_is_a_sentence(name, old, new, fragments, demo_copy,
                                                      tmp_path, capsys):
    raw = demo_copy()
    text = (raw / name).read_text(encoding="utf-8")
    assert old in text
    (raw / name).write_text(text.replace(old, new, 1), encoding="utf-8")
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2, err
    _sentence(err, *fragments)
    assert not (tmp_path / "p").exists()


# --- a file saved during a command, a symlink out of the delivery ------------------------------


def test_a_delivery_file_saved_during_a_command_is_reported_as_such(demo_copy, tmp_path, capsys,
                                                                    monkeypatch):
    raw = demo_copy()

    def saving_prepare(settings, force=False):  # the analyst saves ivb.yaml meanwhile
        path = raw / "ivb.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "# opgeslagen\n", encoding="utf-8")
        return {}

    monkeypatch.setattr(ivb_analysis.prepare, "prepare", saving_prepare)
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2
    _sentence(err, "tijdens de opdracht", "ivb.yaml", "buiten ivb opgeslagen",
              "start de opdracht opnieuw")


def test_a_symlink_out_of_the_delivery_names_the_link(demo_copy, tmp_path, capsys):
    raw = demo_copy()
    outside = tmp_path / "elders" / "lijst.csv"
    outside.parent.mkdir()
    outside.write_bytes((raw / WIJKEN).read_bytes())
    (raw / WIJKEN).unlink()
    (raw / WIJKEN).symlink_to(outside)
    code = main(["prepare", "--data-dir", str(raw), "--processed-dir", str(tmp_path / "p")])
    err = capsys.readouterr().err
    assert code == 2
    _sentence(err, f"{raw / WIJKEN}", "symlink", "buiten de levering", str(outside))


# --- realistic files ----------------------------------------------------------------------------


def test_a_wijk_with_0_inhabitants_gets_no_rate_and_a_reason(demo_copy):
    raw = demo_copy()
    path = raw / POPULATION_2015
    path.write_text(path.read_text(encoding="utf-8").replace(",2940\n", ",0\n"), encoding="utf-8")
    section = ivb_analysis.annex.Annex(load_settings(raw), 2015).section("politie")
    # the demo has wijk boundaries: a map (without geometry: ordered bars), 9 wijken rated
    shown = [item for item in section.figures if item.key in ("politie_kaart", "politie_totaal")]
    assert len(shown) == 1
    alt = shown[0].alt_text
    assert "()" not in alt and "nan" not in alt
    table = section.tables[0].data
    binnenstad = table[table["wijk_code"] == "WK016400"]
    assert len(binnenstad) > 0 and binnenstad["rate_per_1000"].isna().all()
    assert set(binnenstad["opmerking"]) == {"geen inwoners"}


@pytest.mark.slow
def test_a_notebook_whose_cell_raises_is_named_kept_and_the_others_complete(
        mini, tmp_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ivb_analysis.annex, "write_annex", fake_annex)
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "goed", "print(year)")
    contract_notebook(notebooks, "kapot", "x = 1", "raise ValueError('kapot in cel')")
    bare = nbformat.v4.new_notebook()  # a notebook without a parameters cell: runs all the same
    bare.metadata["kernelspec"] = {"name": "ivb-analysis", "language": "python",
                                   "display_name": "Python (ivb-analysis)"}
    bare.cells = [nbformat.v4.new_markdown_cell("# Kaal"),
                  nbformat.v4.new_code_cell("raise KeyError('zonder parameters')")]
    nbformat.write(bare, notebooks / "kaal.ipynb")
    out = tmp_path / "uit"
    code = main(["run", "--data-dir", str(mini), "--notebook-dir", str(notebooks),
                 "--output-dir", str(out), "--processed-dir", str(tmp_path / "p"),
                 "--years", "2015", "--quiet", "--no-pdf"])
    report = capsys.readouterr().out
    assert code == 1
    assert "MISLUKT 2015 kapot (cel 5): ValueError: kapot in cel" in report
    assert "MISLUKT 2015 kaal (cel 2): KeyError: 'zonder parameters'" in report
    assert "4 taken uitgevoerd (notebooks en bijlagen), 2 mislukt" in report  # + the annex
    assert (out / "2015" / "failed" / "kaal.ipynb").is_file()
    assert f"uitgevoerd notebook bewaard: {out / '2015' / 'failed' / 'kapot.ipynb'}" in report
    kept = json.loads((out / "2015" / "failed" / "kapot.ipynb").read_text(encoding="utf-8"))
    assert kept["cells"][-1]["outputs"][0]["evalue"] == "kapot in cel"
    assert (out / "2015" / "goed.html").is_file() and (out / "2015" / "bijlage.html").is_file()
    record = json.loads((out / "2015" / "run.json").read_text(encoding="utf-8"))
    assert record["ok"] is False


@pytest.mark.slow
def test_verify_names_a_truncated_run_json(mini, tmp_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setattr(ivb_analysis.annex, "write_annex", fake_annex)
    notebooks = tmp_path / "nb"
    contract_notebook(notebooks, "goed", "print(year)")
    out = tmp_path / "uit"
    args = ["--data-dir", str(mini), "--notebook-dir", str(notebooks), "--output-dir", str(out),
            "--processed-dir", str(tmp_path / "p")]
    assert main(["run", *args, "--quiet", "--no-pdf"]) == 0
    assert main(["verify", *args]) == 0
    record = out / "2015" / "run.json"
    record.write_bytes(record.read_bytes()[:40])
    capsys.readouterr()
    code = main(["verify", *args])
    captured = capsys.readouterr()
    assert code == 1 and "Traceback" not in captured.err
    assert "2015/run.json is onleesbaar" in captured.out and "NIET identiek" in captured.out
