"""One Dutch sentence on the sampling design actually used, for the annex's method note."""

from __future__ import annotations

from ivb_analysis.survey.design import SurveyDesign

_LONELY = {
    "fail": "",
    "certainty": "een stratum met één PSU telt niet mee in de variantie",
    "adjust": "een stratum met één PSU wordt rond het totaalgemiddelde gecentreerd",
    "average": "een stratum met één PSU krijgt de gemiddelde variantie van de andere strata",
}


def describe_design(design: SurveyDesign, *, strata_text: str | None = None,
                    psu_text: str | None = None, fpc_fraction: bool | None = None) -> str:
    """'Standaardfouten houden rekening met ...': weights, strata, clusters, fpc, lonely rule.

    `strata_text` / `psu_text` name what the strata and PSUs are for a reader (default: the
    column names); `fpc_fraction` says whether the fpc column holds sampling fractions (True)
    or population sizes (False; None: not said).
    """
    parts = ["weging met steekproefgewichten"]
    if design.strata:
        parts.append(f"stratificatie naar {strata_text or design.strata}")
    if design.psu:
        parts.append(f"clustering: {psu_text or design.psu} als primaire steekproefeenheden "
                     "(PSU's) binnen de strata")
    else:
        parts.append("elke respondent als eigen steekproefeenheid")
    if design.fpc:
        what = ("de trekkingsfractie" if fpc_fraction else
                "de populatieomvang" if fpc_fraction is False else "de populatie")
        parts.append(f"eindige-populatiecorrectie naar {what} per stratum")
    if _LONELY[design.lonely_psu]:
        parts.append(_LONELY[design.lonely_psu])
    listed = ", ".join(parts[:-1]) + " en " + parts[-1]
    return ("Standaardfouten, intervallen en toetsen volgen het steekproefontwerp "
            f"(Taylor-linearisering, zoals R survey): {listed}.")
