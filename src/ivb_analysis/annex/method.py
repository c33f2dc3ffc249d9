"""The annex's method note and glossary (Dutch), built from the settings: no literal levels."""

from __future__ import annotations

from ivb_analysis.annex import common
from ivb_analysis.annex.interface import Context as Annex
from ivb_analysis.config import Settings


def method_note(annex: Annex) -> list[str]:
    """The short method note, one paragraph per point; the break point only when a wave of this
    annex lies on each side of it."""
    s = annex.settings
    group = common.group_name(s)
    points = [
        "Gewogen uitkomsten: de antwoorden van de Veiligheidsmonitor zijn gewogen met de "
        "steekproefgewichten. De standaardfouten zijn design-based (Taylor-linearisatie, "
        "gestratificeerd), dus met de weging en de steekproefopzet meegerekend.",
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
    if annex.lonely_note:
        points.append(annex.lonely_note)
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
        ("Betrouwbaarheidsinterval",
         "Omdat niet alle inwoners zijn ondervraagd, ligt de echte waarde met 95% zekerheid "
         "tussen de onder- en bovengrens."),
        ("Significant",
         f"Een verschil is significant als het bij een kans op toeval van {alpha} niet meer "
         "door toeval te verklaren is; anders heet het 'gelijk' of 'stabiel'."),
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
