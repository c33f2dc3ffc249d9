"""The footprint as a table-figure: per indicator a mark and a word per comparison."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from ivb_analysis import style
from ivb_analysis.figures.base import (
    A4_WIDTH_INCH,
    MIN_FONT_PT,
    STYLE,
    AnnexFigure,
    _canvas,
    _names,
)
from ivb_analysis.figures.marks import (
    DEFAULT_ALPHA,
    MARK_LEGEND,
    NOT_DELIVERED,
    NOT_TESTED,
    alpha_text,
    verdict_cell,
)


def _direction_column(table: pd.DataFrame, column: str) -> str | None:
    """The difference behind a footprint verdict column (benchmark.footprint's names)."""
    if column.startswith("position_") and f"difference_{column[9:]}" in table.columns:
        return f"difference_{column[9:]}"
    if column == "development" and "development_difference" in table.columns:
        return "development_difference"
    return None


def footprint_chart(
    table: pd.DataFrame, columns: Sequence[tuple[str, str]], *, title: str, source: str,
    banner: str | None, subtitle: str | None = None, notes: Sequence[str] = (),
    directions: dict[str, str] | None = None, alpha: float = DEFAULT_ALPHA,
) -> AnnexFigure:
    """The footprint as a table-figure: one row per indicator, a mark + word per column.

    `table` has `label` and the verdict columns named in `columns` ((column, Dutch header)
    pairs), with values beter/gelijk/slechter, hoger/lager for neutral indicators, or empty
    (not tested: shown as '– niet getoetst'). The arrow (▲ higher, ▼ lower) comes from the
    difference column of each verdict column: `directions` (verdict column -> difference
    column), by default `difference_<year>` for `position_<year>` and
    `development_difference` for `development`; word and colour give the judgement. A row
    whose `status` is 'niet in deze levering' (contract 4) says so across its columns.
    """
    n_rows = len(table)
    row_h = 0.23
    label_w = 2.45
    col_w = (A4_WIDTH_INCH - 0.24 - label_w) / max(len(columns), 1)
    header_lines = max(len(textwrap.wrap(h, 14)) for _, h in columns) if columns else 1
    sources = {c: (directions or {}).get(c) or _direction_column(table, c) for c, _ in columns}
    absent = (table["status"] == NOT_DELIVERED).to_numpy() if "status" in table.columns \
        else np.zeros(n_rows, dtype=bool)
    legend = (f"{MARK_LEGEND}: significant verschil met de benchmark (toets op "
              f"{alpha_text(alpha)}, "
              "Benjamini-Hochberg); bij ontwikkeling: sterker gestegen of gedaald dan de "
              "benchmark. ● gelijk: geen significant verschil. – niet getoetst (geen "
              "vergelijkbaar cijfer, te weinig respondenten of een methodebreuk).")
    with mpl.rc_context(STYLE):
        fig, _ = _canvas(row_h * (n_rows + header_lines * 0.7 + 0.6), title=title,
                         subtitle=subtitle, source=source, banner=banner,
                         notes=[legend, *notes], axis_labels=0.05, left=0.12, right=0.12)
        ax = fig.add_subplot()
        ax.set_axis_off()
        width = label_w + col_w * len(columns)
        header = header_lines * 0.7 + 0.5
        ax.set_xlim(0, width)
        ax.set_ylim(n_rows + header, 0)
        ax.text(0.05, header - 0.25, "Indicator", fontweight="bold", fontsize=MIN_FONT_PT,
                va="bottom")
        for c, (_, heading) in enumerate(columns):
            ax.text(label_w + (c + 0.5) * col_w, header - 0.25, textwrap.fill(heading, 14),
                    fontweight="bold", fontsize=MIN_FONT_PT, ha="center", va="bottom",
                    multialignment="center")
        ax.plot([0, width], [header - 0.1, header - 0.1], color="#333333", linewidth=0.8)
        for r, row in enumerate(table.itertuples(index=False)):
            y = header + r + 0.5
            if r % 2 == 0:
                ax.add_patch(Rectangle((0, y - 0.5), width, 1, facecolor="#f0f0f0",
                                       edgecolor="none", zorder=0))
            ax.text(0.05, y, str(row.label), va="center", fontsize=MIN_FONT_PT)
            if absent[r]:
                ax.text(label_w + len(columns) * col_w / 2, y, NOT_DELIVERED, va="center",
                        ha="center", fontsize=MIN_FONT_PT, style="italic",
                        color=style.TEXT_GREY, gid="footprint-absent")
                continue
            for c, (column, _) in enumerate(columns):
                source_column = sources[column]
                direction = (float(table[source_column].iloc[r])
                             if source_column is not None else None)
                symbol, word, colour = verdict_cell(getattr(row, column), direction)
                x = label_w + (c + 0.5) * col_w
                ax.text(x - 0.42, y, symbol, va="center", ha="center", fontsize=8.5,
                        color=colour, gid="footprint-symbol")
                ax.text(x - 0.3, y, word, va="center", ha="left", fontsize=MIN_FONT_PT,
                        color=colour if word in ("beter", "slechter") else (
                            "#222222" if word != NOT_TESTED[1] else style.NEUTRAL),
                        fontweight="bold" if word in ("beter", "slechter") else "normal")
        ax.plot([0, width], [n_rows + header, n_rows + header], color="#333333",
                linewidth=0.8)
    fig.alt_text = _footprint_alt(title, table, columns)
    return fig


def _footprint_alt(title: str, table: pd.DataFrame, columns: Sequence[tuple[str, str]]) -> str:
    parts = [f"Tabel als figuur: {title}, {len(table)} indicatoren."]
    if "status" in table.columns:
        absent = table["status"] == NOT_DELIVERED
        if absent.any():
            parts.append(f"Niet in deze levering: {_names(table.loc[absent, 'label'], 8)}.")
            table = table[~absent]
    for column, heading in columns:
        counts = table[column].map(lambda v: verdict_cell(v)[1]).value_counts()
        summary = ", ".join(f"{word} {counts[word]}" for word in
                            ("beter", "gelijk", "slechter", "hoger", "lager", NOT_TESTED[1])
                            if word in counts)
        parts.append(f"{heading}: {summary}.")
        for word in ("beter", "slechter"):
            names = table.loc[table[column] == word, "label"].astype(str).tolist()
            if names:
                parts.append(f"{word.capitalize()}: {_names(names, 8)}.")
    return " ".join(parts)
