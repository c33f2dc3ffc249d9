"""House style and one function per figure type; each returns a Figure, saving lives in export.

Figures are built on `matplotlib.figure.Figure`, not pyplot: no global state, nothing shown
twice in a notebook. The house style lives in this package and only here: A4 text width, DejaVu
Sans at print sizes, colours by role from `style` (read when a figure is drawn), symbols and
words beside colours (readable in black and white), Dutch labels and number format, a title and
unit line on top, notes (n, suppression) and the source line at the bottom, the "SYNTHETISCHE
DEMODATA" band for synthetic data, and a short alt text on every figure
(`AnnexFigure.alt_text`).

`base` (style, canvas, formats), `marks` (significance marks and their legend), `bars` (per
wijk, grouped), `trends` (lines and small multiples), `footprint` (the table-figure).
"""

from ivb_analysis.figures.bars import category_word, group_colours, grouped_bars, wijk_bars
from ivb_analysis.figures.base import (
    A4_WIDTH_INCH,
    MAX_PANELS,
    MIN_FONT_PT,
    PALETTE,
    PRINT_DPI,
    SERIES,
    STYLE,
    AnnexFigure,
    figure_bytes,
    finish,
    png_bytes,
    series_colours,
    value_formatter,
)
from ivb_analysis.figures.footprint import footprint_chart
from ivb_analysis.figures.marks import (
    DEFAULT_ALPHA,
    MARK_LEGEND,
    NOT_DELIVERED,
    NOT_TESTED,
    VERDICTS,
    alpha_text,
    change_mark,
    verdict_cell,
)
from ivb_analysis.figures.trends import (
    _year_labels,
    break_note,
    split_panels,
    trend_lines,
    trend_panel_figures,
    trend_panels,
    value_limits,
)

__all__ = [
    "A4_WIDTH_INCH", "DEFAULT_ALPHA", "MARK_LEGEND", "MAX_PANELS", "MIN_FONT_PT",
    "NOT_DELIVERED", "NOT_TESTED", "PALETTE", "PRINT_DPI", "SERIES", "STYLE", "VERDICTS",
    "AnnexFigure", "_year_labels", "alpha_text", "break_note", "category_word", "change_mark",
    "figure_bytes", "finish", "footprint_chart", "group_colours", "grouped_bars", "png_bytes",
    "series_colours", "split_panels", "trend_lines", "trend_panel_figures", "trend_panels",
    "value_formatter", "value_limits", "verdict_cell", "wijk_bars",
]
