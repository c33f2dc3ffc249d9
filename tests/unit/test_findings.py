"""The key-findings rules on hand-built results: only significant results become bullets,
judged by polarity; the rest is stabiel; the footprint sentence counts what is there."""

from __future__ import annotations

import pandas as pd
import pytest

from ivb_analysis import findings


def _results(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["anchor", "theme", "label", "kind", "estimate",
                                       "estimate_earlier", "verdict", "where"])


def test_only_significant_results_become_bullets_with_their_direction_and_link():
    results = _results([
        # higher and better (rapportcijfer, polarity +)
        ("rij-a", "leefbaarheid", "Rapportcijfer leefbaarheid", "rapportcijfer", 7.44, 7.04,
         "beter", None),
        # lower and better (overlast, polarity -)
        ("rij-b", "overlast", "Sociale overlast", "percentage", 8.2, 11.6, "beter", None),
        # higher and worse
        ("rij-c", "slachtofferschap", "Geweldsdelicten", "percentage", 4.4, 2.9, "slechter",
         None),
        # not significant, neutral verdicts and untested rows give no bullet
        ("rij-d", "leefbaarheid", "Sociale cohesie", "schaalscore", 6.1, 6.0, "gelijk", None),
        ("rij-e", "veiligheid", "Preventie", "percentage", 60.0, 50.0, "hoger", None),
        ("rij-f", "veiligheid", "Onveiligheid buurt", "percentage", 20.0, 10.0, None, None),
        # a wijk prefixes the text
        ("rij-g", "veiligheid", "Rapportcijfer veiligheid", "rapportcijfer", 7.1, 6.6,
         "beter", "Binnenstad"),
    ])
    bullets = findings.change_findings(results, 2015, 2013)
    assert [(b.theme, b.kind, b.text, b.anchor) for b in bullets] == [
        ("leefbaarheid", "positief",
         "Rapportcijfer leefbaarheid gestegen van 7,0 (2013) naar 7,4 (2015)", "rij-a"),
        ("overlast", "positief", "Sociale overlast gedaald van 12% (2013) naar 8,2% (2015)",
         "rij-b"),
        ("slachtofferschap", "aandachtspunt",
         "Geweldsdelicten gestegen van 2,9% (2013) naar 4,4% (2015)", "rij-c"),
        ("veiligheid", "positief",
         "Binnenstad: rapportcijfer veiligheid gestegen van 6,6 (2013) naar 7,1 (2015)",
         "rij-g"),
    ]
    assert findings.stable(results) == {"leefbaarheid": ["Sociale cohesie"]}


def test_a_worse_result_that_went_down_is_an_aandachtspunt():
    # polarity +: a significant fall of a rapportcijfer is judged 'slechter' upstream
    results = _results([("r", "leefbaarheid", "Rapportcijfer leefbaarheid", "rapportcijfer",
                         6.5, 7.0, "slechter", None)])
    (bullet,) = findings.change_findings(results, 2015, 2014)
    assert bullet.kind == "aandachtspunt"
    assert bullet.text == "Rapportcijfer leefbaarheid gedaald van 7,0 (2014) naar 6,5 (2015)"


def test_differences_with_the_rest_of_the_gemeente():
    results = _results([
        ("r1", "slachtofferschap", "Slachtofferschap totaal", "percentage", 31.0, 22.0,
         "slechter", "Binnenstad"),
        ("r2", "slachtofferschap", "Slachtofferschap totaal", "percentage", 20.0, 23.0,
         "gelijk", "Noord"),
    ])
    (bullet,) = findings.difference_findings(results, "de rest van de gemeente", 2015)
    assert bullet.kind == "aandachtspunt" and bullet.anchor == "r1"
    assert bullet.text == ("Binnenstad: slachtofferschap totaal hoger dan in de rest van de "
                           "gemeente: 31% tegen 22% (2015)")


def test_missing_columns_are_refused():
    with pytest.raises(ValueError, match="verdict"):
        findings.change_findings(pd.DataFrame({"anchor": [], "theme": [], "label": [],
                                               "kind": [], "estimate": [],
                                               "estimate_earlier": []}), 2015, 2013)


def _counts(**kw: int) -> dict[str, int]:
    base = {"present": 19}
    for name in ("2013", "2015", "development"):
        for word in ("beter", "slechter", "gelijk", "niet_getoetst"):
            base[f"{word}_{name}"] = 0
    return {**base, **kw}


def test_footprint_sentence_counts_and_judges_the_position():
    counts = _counts(beter_2013=15, gelijk_2013=4, gelijk_2015=17, slechter_2015=2,
                     slechter_development=6, gelijk_development=13)
    text, finding = findings.footprint_sentence(counts, (2013, 2015), "G32")
    assert text == ("Beter dan de G32 op 0 van de 19 indicatoren in 2015, gelijk op 17, "
                    "slechter op 2 (in 2013: beter op 15, gelijk op 4, slechter op 0). "
                    "Ontwikkeling 2013–2015 t.o.v. de G32: slechter op 6, beter op 0, "
                    "gelijk op 13.")
    assert finding is not None and finding.kind == "aandachtspunt"
    assert finding.text == ("Positie ten opzichte van de G32 verslechtert (2013–2015): 6 "
                            "indicatoren ontwikkelen zich significant slechter dan in de G32, "
                            "0 beter")
    better = _counts(beter_2015=5, beter_development=2, gelijk_development=17)
    assert findings.footprint_sentence(better, (2013, 2015), "G40")[1].kind == "positief"
    text, finding = findings.footprint_sentence(
        _counts(beter_2015=4, slechter_2015=1, gelijk_2015=14), (2015,), "G32")
    assert text == ("Beter dan de G32 op 4 van de 19 indicatoren in 2015, gelijk op 14, "
                    "slechter op 1.")
    assert finding is None
    assert findings.footprint_sentence({}, (), "G32") == ("", None)


def test_position_statement_follows_only_the_tested_development():
    # The count of "beter" drops from 15 to 0 and "slechter" rises, but no development is
    # significant: no statement that the position worsens (issue 21).
    counts = _counts(beter_2013=15, gelijk_2013=4, gelijk_2015=16, slechter_2015=3,
                     gelijk_development=19)
    text, finding = findings.footprint_sentence(counts, (2013, 2015), "G32")
    assert finding is None
    assert "verslechtert" not in text and "slechter op 0, beter op 0, gelijk op 19" in text
    # Not tested (a method break between the waves) is counted apart from gelijk.
    untested = _counts(beter_2013=15, gelijk_2015=19, niet_getoetst_development=19)
    text, finding = findings.footprint_sentence(untested, (2013, 2015), "G32")
    assert finding is None
    assert text.endswith("slechter op 0, beter op 0, gelijk op 0, niet getoetst: 19.")


def test_many_wijken_with_the_same_change_share_one_bullet():
    rows = [(f"r{k}", "overlast", "Sociale overlast", "schaalscore", 1.0 + k / 10, 2.0,
             "beter", name) for k, name in enumerate(["Noord", "Woolde", "Es"])]
    rows.append(("r9", "overlast", "Sociale overlast", "schaalscore", 3.0, 2.0, "slechter",
                 "Zuid"))
    bullets = findings.change_findings(_results(rows), 2015, 2013)
    assert [(b.kind, b.text, b.anchor) for b in bullets] == [
        ("positief", "Sociale overlast gedaald tussen 2013 en 2015 in 3 wijken: Noord (van 2,0 "
         "naar 1,0), Woolde (van 2,0 naar 1,1) en Es (van 2,0 naar 1,2)", "r0"),
        ("aandachtspunt", "Zuid: sociale overlast gestegen van 2,0 (2013) naar 3,0 (2015)",
         "r9"),
    ]
    # below the threshold every wijk keeps its own bullet
    assert len(findings.change_findings(_results(rows), 2015, 2013, group_from=4)) == 4


def test_a_wijk_beside_a_hidden_one_is_compared_without_the_unpublished_rest():
    """Beside a hidden wijk the rest of the gemeente is not published (secondary suppression):
    page one then gives the wijk's value alone, never 'tegen )'."""
    from types import SimpleNamespace

    from ivb_analysis.annex.sections import hoofdlijnen

    annex = SimpleNamespace(catalogue={"x": SimpleNamespace(kind="schaalscore")})
    assert hoofdlijnen._against_rest(annex, "x", 4.8, 3.1) == "4,8 tegen 3,1"
    assert hoofdlijnen._against_rest(annex, "x", 4.8, float("nan")) == "4,8"
