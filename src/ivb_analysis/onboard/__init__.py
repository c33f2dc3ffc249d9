"""`ivb init`: a delivery skeleton and a codebook draft from the survey's own SPSS metadata.

The .sav files carry what every code means: variable labels, value labels and user-missing
definitions. `metadata` reads them; `matching` matches them against the catalogue (item labels
and answer scales, with `labelmatch`, the label comparison the checks use too; an optimal
one-to-one assignment with scipy); `draft` writes the codebook draft, where only what the labels
prove is mapped and every other choice is a `TE BESLISSEN` line with evidence and alternatives;
`skeleton` writes ivb.yaml (defaults from `Settings`), the wijk list and the summary, and never
overwrites a user's edits. `ivb check`, `prepare`, `run` and `annex` refuse while a decision is
open (`decisions`).
"""

from ivb_analysis.onboard.draft import Draft, codebook_text, draft_codebook
from ivb_analysis.onboard.matching import (
    ItemMatch,
    ScaleMatch,
    find_design,
    label_similarity,
    match_items,
    match_scale,
)
from ivb_analysis.onboard.metadata import Variable, read_survey_metadata
from ivb_analysis.onboard.skeleton import (
    CODEBOOK_FILE,
    WIJKEN_FILE,
    defaults,
    init_delivery,
    settings_text,
    survey_pattern,
    wijken_frame,
)

__all__ = ["CODEBOOK_FILE", "WIJKEN_FILE", "Draft", "ItemMatch", "ScaleMatch", "Variable",
           "codebook_text", "defaults", "draft_codebook", "find_design", "init_delivery",
           "label_similarity", "match_items", "match_scale", "read_survey_metadata",
           "settings_text", "survey_pattern", "wijken_frame"]
