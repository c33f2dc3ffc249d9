"""Raw answer codes -> canonical items: missing codes to NA, skip codes to their meaning, wijken."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ivb_analysis.io.microdata import Codebook

DESIGN_COLUMNS = ["year", "resp_id", "wijk_code", "stratum", "weight"]


def recode_items(
    validated: pd.DataFrame, codebook: Codebook, wijken: pd.DataFrame, year: int
) -> pd.DataFrame:
    """One row per respondent: design columns plus every canonical item as float (NA = no answer).

    Missing codes (e.g. 98 weet niet, 99 geen antwoord) become NA. Skip codes carry the meaning of
    the filter question: e.g. 97 'niet gevraagd' after '(bijna) nooit' means 'geen overlast' (3),
    while 97 after 'geen contact met de politie' means the question does not apply (NA).
    """
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
    missing = list(codebook.missing_codes)
    for name, spec in codebook.variables.items():
        values = validated[name].astype("float64")
        values = values.mask(values.isin(missing))
        for code, meaning in spec.skip.items():
            values = values.mask(values == code, np.nan if meaning is None else float(meaning))
        items[spec.item] = values.to_numpy()
    return items
