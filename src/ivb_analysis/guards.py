"""What must hold before any table or annex is made: no open decision, every mapping backed by
the delivery's own evidence, and plausible numbers. `ivb check` reports every finding of every
category in one run (`findings_before`, `findings_after`); `prepare` (and so `run`, `annex`
and the notebooks, which prepare first) refuses with all of them (`require_sound`,
`require_plausible`).
"""

from __future__ import annotations

import pandas as pd

from ivb_analysis.catalogue import Catalogue, load_catalogue
from ivb_analysis.config import Settings
from ivb_analysis.decisions import TODO, open_decisions
from ivb_analysis.errors import InputError
from ivb_analysis.evidence import (
    Flag,
    code_flags,
    consistency_flags,
    mapping_flags,
    weight_flags,
)
from ivb_analysis.io.codebook import Codebook, read_codebook
from ivb_analysis.io.microdata import read_raw_survey
from ivb_analysis.io.sav_labels import SavMeta
from ivb_analysis.plausibility import accepted, apply_accepted, plausibility_flags


def decision_flags(settings: Settings) -> list[Flag]:
    return [Flag("fout", "beslissing", f"{TODO} open in {d}", d.file.name)
            for d in open_decisions(settings)]


def wave_flags(settings: Settings, codebook: Codebook, catalogue: Catalogue, year: int,
               raw: pd.DataFrame | None = None) -> list[Flag]:
    """Mapping, code and weight evidence of one wave (the .sav's labels and the data)."""
    if raw is None:
        raw = read_raw_survey(settings.path("survey", year))
    meta = raw.attrs.get("sav_meta")
    flags = weight_flags(codebook, raw, meta if isinstance(meta, SavMeta) else None)
    flags += consistency_flags(codebook, catalogue, raw)
    if isinstance(meta, SavMeta):
        flags += mapping_flags(codebook, catalogue, meta)
        flags += code_flags(codebook, catalogue, meta, raw)
    else:
        flags += code_flags(codebook, catalogue, SavMeta(), raw)
    return flags


def findings_before(settings: Settings, codebook: Codebook | None = None,
                    catalogue: Catalogue | None = None) -> list[Flag]:
    """Open decisions and the evidence of every wave (deduplicated), accepted ones as info."""
    catalogue = catalogue or load_catalogue()
    flags = decision_flags(settings)
    if codebook is None:
        codebook = read_codebook(settings.path("codebook"), catalogue)
    seen: set[str] = set()
    for year in settings.years:
        try:
            found = wave_flags(settings, codebook, catalogue, year)
        except InputError:
            continue  # the survey reader reports it
        for flag in found:
            if flag.text not in seen:
                seen.add(flag.text)
                flags.append(flag)
    return apply_accepted(flags, accepted(settings))


def findings_after(settings: Settings, tables: dict[str, pd.DataFrame],
                   codebook: Codebook | None = None) -> list[Flag]:
    """The plausibility guards on the validated tables."""
    catalogue = load_catalogue()
    if codebook is None:
        codebook = read_codebook(settings.path("codebook"), catalogue)
    return plausibility_flags(settings, tables, catalogue, codebook)


def _refuse(flags: list[Flag], settings: Settings, what: str) -> None:
    errors = [f for f in flags if f.level == "fout"]
    if errors:
        raise InputError(
            f"{len(errors)} fout(en) {what}: " + " | ".join(f"[{f.topic}] {f.text}"
                                                          for f in errors),
            file=settings.data_dir, expected="los ze op (ivb check toont alles); een nagekeken "
            "afwijking kan in ivb.yaml onder accepted_deviations met een reden")


def require_sound(settings: Settings) -> None:
    """Refuse while a decision is open or a mapping contradicts the delivery's evidence."""
    _refuse(findings_before(settings), settings, "in codeboek of ivb.yaml")


def require_plausible(settings: Settings, tables: dict[str, pd.DataFrame]) -> None:
    """Refuse numbers that cannot be right (before anything is written)."""
    _refuse(findings_after(settings, tables), settings, "in de cijfers (plausibiliteit)")
