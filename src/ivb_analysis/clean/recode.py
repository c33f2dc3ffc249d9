"""Raw answer codes -> catalogue items: every code to its meaning at once, and the wijk codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.catalogue import Catalogue, load_catalogue
from ivb_analysis.io.codebook import DESIGN_EXTRA_COLUMNS, Codebook

DESIGN_COLUMNS = ["year", "resp_id", "wijk_code", "stratum", "weight"]


def decode(values: pd.Series | np.ndarray, meaning: dict[int, int | None]) -> np.ndarray:
    """Raw codes -> values through one lookup (so `recode: {2: 3, 3: 2}` swaps; None = NA).

    Codes without a meaning become NA; `io.microdata.validate_survey` has refused them before.
    """
    raw = np.asarray(values, dtype="float64")
    out = np.full(raw.shape, np.nan)
    for code, value in meaning.items():
        if value is not None:
            out[raw == code] = value
    return out


def recode_items(
    validated: pd.DataFrame, codebook: Codebook, wijken: pd.DataFrame, year: int,
    catalogue: Catalogue | None = None,
) -> pd.DataFrame:
    """One row per respondent: design columns plus every mapped item as float (NA = no answer).

    Per variable the codebook says what each code means (`Codebook.meaning`): missing codes
    (98 weet niet, 99 geen antwoord, the variable's own `missing`) become NA, `recode` maps old
    codes onto the catalogue's scale, and `filter` codes carry the meaning of the filter question:
    97 'niet gevraagd' after '(bijna) nooit' means 'geen overlast' (3), while 97 after 'geen
    contact met de politie' means the question does not apply (NA). Items the delivery does not
    have get no column.
    """
    catalogue = catalogue or load_catalogue()
    codes = wijken.set_index("wijk")["wijk_code"]
    items = pd.DataFrame(
        {
            "year": np.full(len(validated), year, dtype="int64"),
            "resp_id": validated["resp_id"].to_numpy(),
            "wijk_code": validated["wijk"].map(codes).astype("string").to_numpy(),
            "weight": validated["weight"].to_numpy(dtype="float64"),
        }
    )
    # Sampling strata: the delivery's stratum variable, or the wijk when it names none.
    stratum = validated["stratum"] if "stratum" in validated else validated["wijk"]
    items.insert(3, "stratum", stratum.astype("int64").to_numpy())
    for column in DESIGN_EXTRA_COLUMNS:  # psu, fpc: only when the codebook declares them
        if column in validated:
            items.insert(len(items.columns), column, validated[column].to_numpy())
    for name, spec in codebook.variables.items():
        meaning = codebook.meaning(spec, catalogue.items[spec.item])
        items[spec.item] = decode(validated[name], meaning)
    return items
