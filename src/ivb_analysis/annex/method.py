"""The annex's method note and glossary (Dutch), built from the settings: no literal levels."""

from __future__ import annotations

from ivb_analysis import estimates, plausibility
from ivb_analysis.annex import common
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.config import Settings


def method_note(annex: Annex) -> list[str]:
    """The short method note, one paragraph per point; the break point only when a wave of this
    annex lies on each side of it."""
    s = annex.settings
    group = common.group_name(s)
    points = [
        "Gewogen uitkomsten met design-based standaardfouten. "
        + estimates.design_note(annex.long, s),
        "Elke uitkomst heeft een 95%-betrouwbaarheidsinterval; bij percentages op de "
        "logit-schaal, zodat een grens nooit onder 0% of boven 100% komt.",
        "Significantie: elk verschil is getoetst als verschil (z-toets op het verschil, niet "
        f"'overlappen de intervallen'), op {common.alpha_text(s)}, met "
        "Benjamini-Hochberg-correctie voor het aantal toetsen binnen een tabel of figuur. Een "
        "wijk is vergeleken met de rest van de gemeente; omdat beide uit dezelfde steekproef "
        "komen, is hun samenhang in de standaardfout meegenomen. Twee metingen zijn "
        "onafhankelijke steekproeven.",
        f"Vergelijkingsjaren: {annex.comparison.sentence()}.",
        f"Kleine aantallen: een uitkomst op minder dan {s.min_n} respondenten wordt niet "
        f"getoond; van {s.min_n} tot {s.indicatief_n} respondenten is ze indicatief "
        "(gemarkeerd met *).",
        f"Benchmark ({group}): {common.share_note(s, annex.shares, annex.comparison.benchmark)}"
        " De ontwikkeling ten opzichte van de benchmark is het verschil van de twee "
        "veranderingen (verschil van verschillen).",
    ]
    fieldwork = _per_year(s.extra.get("veldwerk"), annex.year)
    response = _per_year(s.extra.get("respons"), annex.year)
    n = annex.long.loc[annex.long["year"] == annex.year, "resp_id"].nunique() \
        if "resp_id" in annex.long.columns else None
    sample = []
    if fieldwork:
        sample.append(f"veldwerk {fieldwork}")
    if n:
        sample.append(f"{common.count_word(int(n))} respondenten")
    if response is not None:
        sample.append(f"respons {_response_text(response)}")
    if sample:
        points.insert(0, f"Onderzoek {annex.year}: " + ", ".join(sample) + ".")
    if annex.lonely_note:
        points.append(annex.lonely_note)
    checked = [a for a in plausibility.accepted(s) if a.year in (None, annex.year)]
    if checked:
        points.append("Nagekeken afwijkingen: de controles vóór publicatie vonden hier een "
                      "opvallende uitkomst die na controle klopt: " + "; ".join(
                          f"{_subject(annex, a.subject)}{f' ({a.year})' if a.year else ''}: "
                          f"{a.reason}"
                          for a in checked) + ".")
    if common.spans_break(annex.waves, s.method_break):
        points.append(
            f"Methodebreuk: vanaf {s.method_break} is de Veiligheidsmonitor vernieuwd en "
            "niet één op één vergelijkbaar met eerdere jaren. Er is geen toets over de breuk "
            "heen en de trendlijnen zijn daar onderbroken.")
    points.append("Politiecijfers zijn registraties (geen steekproef) en hebben daarom geen "
                  "betrouwbaarheidsinterval. De tabellen bevatten alleen uitkomsten voor "
                  "groepen, nooit gegevens van individuele respondenten.")
    return points


def glossary(settings: Settings, waves: list[int] | None = None) -> list[tuple[str, str]]:
    """'Begrippen': term -> one plain sentence, with the settings' own numbers; the break year
    is named only when `waves` (the annex's waves; None: all) lie on both sides of it."""
    spans = common.spans_break(list(waves if waves is not None else settings.years),
                               settings.method_break)
    group = common.group_name(settings)
    alpha = common.alpha_text(settings)
    return [
        (f"{group} / benchmarkgroep",
         f"De groep gemeenten waarmee {settings.gemeente_naam} zich vergelijkt; het "
         f"{group}-cijfer is het gemiddelde van die gemeenten."),
        ("Betrouwbaarheidsinterval (95%)",
         "De marge rond een uitkomst omdat niet alle inwoners zijn ondervraagd: de gebruikte "
         "werkwijze levert in 95 van de 100 mogelijke steekproeven een interval op dat de "
         "echte waarde voor alle inwoners bevat. Het is geen garantie voor dit ene interval."),
        ("p-waarde",
         "De kans om een verschil te vinden dat minstens zo groot is als het gevonden "
         "verschil, als er in werkelijkheid geen verschil zou zijn. Het is niet de kans dat "
         "het verschil toeval is."),
        ("Significant",
         f"Een verschil heet significant als de (gecorrigeerde) p-waarde kleiner is dan "
         f"{alpha}: zo'n verschil zou zelden door de steekproef alleen ontstaan. Niet "
         "significant ('gelijk') betekent niet dat er zeker geen verschil is, alleen dat het "
         "niet is aangetoond."),
        ("Niet getoetst",
         "Er is geen toets gedaan, bijvoorbeeld omdat de meting over een methodebreuk heen "
         "vergelijkt of te weinig respondenten heeft; dat is iets anders dan 'gelijk'."),
        ("Benjamini-Hochberg",
         "Wie veel verschillen tegelijk toetst, vindt er een paar door toeval; deze correctie "
         "maakt de toets daarom strenger naarmate een tabel meer toetsen bevat."),
        ("Effectieve n",
         "Het aantal respondenten waarmee de gewogen uitkomst even nauwkeurig is als een "
         "gewone steekproef; door de weging is dat kleiner dan het echte aantal (n)."),
        ("Indicatief",
         f"Een uitkomst op {settings.min_n} tot {settings.indicatief_n} respondenten: "
         "getoond, maar met een ruime marge (gemarkeerd met *)."),
        ("Onbetrouwbaar",
         "Een uitkomst met een zeer breed interval ten opzichte van de waarde; lees haar als "
         "een grove schatting."),
        ("Niet getoond",
         f"Een uitkomst op minder dan {settings.min_n} respondenten wordt weggelaten, omdat "
         "ze te onzeker is en respondenten herkenbaar zouden kunnen worden."),
        ("Methodebreuk",
         (f"Vanaf {settings.method_break} is de Veiligheidsmonitor anders opgezet; cijfers "
          "van daarvoor en daarna zijn niet één op één vergelijkbaar en worden niet tegen "
          "elkaar getoetst.") if spans else
         "Een wijziging in de opzet van het onderzoek waardoor cijfers ervoor en erna niet "
         "één op één vergelijkbaar zijn."),
        ("Niet in deze levering",
         "De levering bevat de vragen voor deze indicator niet; er is dus geen cijfer."),
    ]


def _per_year(values: object, year: int) -> object:
    """A per-wave value from `extra` (a mapping year -> value, keys as numbers or text)."""
    if not isinstance(values, dict):
        return None
    return values.get(year, values.get(str(year)))


def _response_text(value: object) -> str:
    """35 -> '35%'; a text is given as written."""
    if isinstance(value, int | float):
        return f"{common.count_word(round(value))}%"
    return str(value)


def _subject(annex: Annex, subject: str) -> str:
    """An accepted deviation's indicator by its label (a variable or item by its name)."""
    try:
        return annex.catalogue[subject].label
    except KeyError:
        return subject
