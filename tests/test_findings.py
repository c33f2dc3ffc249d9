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


def test_footprint_sentence_counts_and_judges_the_position():
    counts = {"present": 19, "beter_2013": 15, "slechter_2013": 0, "beter_2015": 0,
              "slechter_2015": 2, "development_slechter": 6, "development_beter": 0}
    text, finding = findings.footprint_sentence(counts, (2013, 2015), "G32")
    assert text == ("Beter dan de G32 op 0 van de 19 indicatoren in 2015, in 2013 op 15; "
                    "slechter dan de G32 op 2 in 2015, in 2013 op 0. Ontwikkeling 2013–2015 "
                    "ten opzichte van de G32: slechter op 6, beter op 0.")
    assert finding is not None and finding.kind == "aandachtspunt"
    assert finding.text == "Positie ten opzichte van de G32 verslechtert (2013–2015)"
    # 18 indicators present (one not in the delivery): counted over what is there
    same = {"present": 18, "beter_2013": 3, "slechter_2013": 1, "beter_2015": 3,
            "slechter_2015": 1, "development_slechter": 0, "development_beter": 0}
    text, finding = findings.footprint_sentence(same, (2013, 2015), "G40")
    assert "op 3 van de 18 indicatoren in 2015" in text and finding is None
    better = {**same, "beter_2015": 5, "development_beter": 2}
    assert findings.footprint_sentence(better, (2013, 2015), "G40")[1].kind == "positief"
    text, finding = findings.footprint_sentence(
        {"present": 19, "beter_2015": 4, "slechter_2015": 1}, (2015,), "G32")
    assert text == "Beter dan de G32 op 4 van de 19 indicatoren in 2015, slechter op 1."
    assert finding is None
    assert findings.footprint_sentence({}, (), "G32") == ("", None)


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
