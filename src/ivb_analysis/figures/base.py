"""The house style of every figure: sizes, fonts, Dutch number formats, the canvas with
title, unit line, notes, source and the synthetic-data band; figure bytes without dates."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import Formatter, MaxNLocator

from ivb_analysis import style
from ivb_analysis.tables import dutch_number, dutch_percent, format_value

#: Old names of the role colours, for code outside the figures (maps: bars per wijk are the
#: gemeente's). Figures read `style` when they draw; a colour is changed there, not here.
PALETTE = {"blauw": style.GEMEENTE, "groen": style.BETTER, "rood": style.WORSE,
           "paars": style.BENCHMARK, "zwart": style.GEMEENTE_TOTAL}
A4_WIDTH_INCH = 6.3  # text width of an A4 page with 2.5 cm margins
STYLE = {
    "font.family": ["DejaVu Sans", "sans-serif"],
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.labelsize": 8.5,
    "axes.edgecolor": "#666666",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "hatch.linewidth": 0.6,
    "svg.hashsalt": "ivb-analysis",
    # SVG text as text (not glyph paths): searchable and selectable in the HTML and the PDF,
    # editable, and several times faster for WeasyPrint; viewers without DejaVu Sans fall back
    # to another sans-serif.
    "svg.fonttype": "none",
}
# No timestamps or software versions in the files: the same data give the same bytes.
METADATA = {"png": {"Software": None},
            "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}
PRINT_DPI = 300
#: The smallest text on a figure at its printed size (A4 text width), in points.
MIN_FONT_PT = 8.0
#: At most this many panels in one figure of small multiples (more: split over figures).
MAX_PANELS = 6
#: The narrowest y-range of a trend panel, per kind of indicator (in its unit): a change of
#: 0,1 on a rapportcijfer must not look steep.
MIN_SPAN = {"rapportcijfer": 1.0, "schaalscore": 1.0, "percentage": 10.0}
#: Percentages whose highest value is below this are drawn from 0.
PERCENT_FROM_ZERO = 30.0
#: The range a kind of value can take (axes never extend beyond it).
VALUE_RANGE = {"rapportcijfer": (1.0, 10.0), "schaalscore": (0.0, 10.0),
               "percentage": (0.0, 100.0)}
#: Series styles besides the colour, for lines and grouped bars: marker, line style, hatch
#: (series stay apart in black and white too).
SERIES = (
    ("o", "-", ""),
    ("s", "--", "////"),
    ("^", ":", "...."),
    ("D", "-.", "xxxx"),
)


def series_colours() -> tuple[str, ...]:
    """Colours of the series of one gemeente's figure (several indicators): the gemeente's,
    then the further series colours; read from `style` when a figure is drawn."""
    return (style.GEMEENTE, *style.OTHERS)
BAND_ALPHA = 0.18
#: Value labels sit on a white patch, so a reference line behind them never cuts through text.
_LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.4, "alpha": 0.9}

# Vertical space (inches) of the fixed parts of a figure.
_BANNER_H = 0.24
_TITLE_LINE = 0.2
_SUBTITLE_LINE = 0.16
_FOOTER_LINE = 0.145
_LEGEND_ROW = 0.21
_TITLE_WRAP = 72
_FOOTER_WRAP = 96


class AnnexFigure(Figure):
    """A Figure with the short description that is saved beside it (`<name>.alt.txt`)."""

    alt_text: str = ""


def figure_bytes(fig: Figure, fmt: str, dpi: int = PRINT_DPI) -> bytes:
    """The figure as svg, pdf or png bytes, in the house style and without volatile metadata."""
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format=fmt, dpi=dpi, metadata=METADATA[fmt])
    return buffer.getvalue()


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG (for notebooks and HTML), without volatile metadata."""
    return figure_bytes(fig, "png", dpi)


# --- number formats -----------------------------------------------------------------------------


def value_formatter(kind: str | None, decimals: int = 1) -> Callable[[float], str]:
    """Reader's format of one value: percentages '23%' ('4,6%' below 10), counts '1.234',
    else '7,4'."""
    if kind == "percentage":
        return lambda v: format_value(v, "percentage")
    if kind == "count":
        return lambda v: dutch_number(v, 0)
    return lambda v: dutch_number(v, decimals)


class _DutchTicks(Formatter):
    """Tick labels in Dutch, with as many decimals as the tick step needs (0, 0,5, 1 -> '0,5')."""

    def __init__(self, kind: str | None) -> None:
        self.kind = kind
        self.decimals = 0

    def set_locs(self, locs: Sequence[float]) -> None:
        super().set_locs(locs)
        finite = [x for x in locs if np.isfinite(x)]
        self.decimals = next((d for d in range(4)
                              if all(abs(x * 10**d - round(x * 10**d)) < 1e-6 for x in finite)),
                             3)

    def __call__(self, x: float, pos: int | None = None) -> str:
        if self.kind == "percentage":
            return dutch_percent(x, self.decimals)
        return dutch_number(x, self.decimals)


def _axis_formatter(kind: str | None) -> _DutchTicks:
    return _DutchTicks(kind)


def _locator() -> MaxNLocator:
    return MaxNLocator(nbins=5, steps=[1, 2, 5, 10])


# --- layout ---------------------------------------------------------------------------------


def _wrap(text: str | None, width: int) -> list[str]:
    if not text:
        return []
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width) or [""]
    return lines


@dataclass(frozen=True)
class _Layout:
    """Inches reserved around the plot area, and the texts that fill them."""

    title: list[str]
    subtitle: list[str]
    footer: list[str]
    banner: str | None
    legend_rows: float
    axis_labels: float  # space for the x tick labels (and x label) below the plot

    @property
    def top(self) -> float:
        return (0.08 + (_BANNER_H if self.banner else 0.0) + _TITLE_LINE * len(self.title)
                + _SUBTITLE_LINE * len(self.subtitle) + 0.12)

    @property
    def bottom(self) -> float:
        return (0.06 + _FOOTER_LINE * len(self.footer) + _LEGEND_ROW * self.legend_rows
                + self.axis_labels)


def _canvas(
    plot_height: float, *, title: str, subtitle: str | None, source: str, banner: str | None,
    notes: Sequence[str] = (), legend_rows: float = 0, axis_labels: float = 0.3,
    left: float = 1.55, right: float = 0.45, width: float = A4_WIDTH_INCH,
) -> tuple[AnnexFigure, _Layout]:
    """A figure with title, unit line, banner, notes and source placed, and the plot area set."""
    footer = [line for note in notes if note for line in _wrap(note, _FOOTER_WRAP)]
    footer += _wrap(source, _FOOTER_WRAP)
    layout = _Layout(_wrap(title, _TITLE_WRAP), _wrap(subtitle, _TITLE_WRAP + 14), footer,
                     banner, legend_rows, axis_labels)
    height = layout.top + plot_height + layout.bottom
    fig = AnnexFigure(figsize=(width, height))
    fig.subplots_adjust(left=left / width, right=1 - right / width,
                        top=1 - layout.top / height, bottom=layout.bottom / height)
    y = 0.08
    if banner:
        _banner_band(fig, banner, height)
        y += _BANNER_H
    for line in layout.title:
        y += _TITLE_LINE
        fig.text(0.12 / width, 1 - (y - 0.05) / height, line, fontsize=10.5,
                 fontweight="bold", ha="left", va="baseline")
    for line in layout.subtitle:
        y += _SUBTITLE_LINE
        fig.text(0.12 / width, 1 - (y - 0.04) / height, line, fontsize=8, color=style.TEXT_GREY,
                 ha="left", va="baseline")
    for k, line in enumerate(reversed(layout.footer)):
        fig.text(0.12 / width, (0.06 + k * _FOOTER_LINE) / height, line, fontsize=MIN_FONT_PT,
                 color=style.TEXT_GREY, ha="left", va="bottom")
    return fig, layout


def _banner_band(fig: Figure, banner: str, height: float) -> None:
    """A full-width dark red band with white text at the top: unmistakable, also in grey."""
    band = _BANNER_H / height
    fig.patches.append(Rectangle((0, 1 - band), 1, band, transform=fig.transFigure,
                                 facecolor=style.BANNER, edgecolor="none", zorder=-1))
    fig.text(0.5, 1 - band / 2, style.banner_text(banner, short=True), fontsize=8,
             color="white", fontweight="bold", ha="center", va="center")


def _legend(fig: Figure, layout: _Layout, handles: list, labels: list[str], ncol: int) -> None:
    """The legend below the plot, above the notes, aligned with the plot's left edge."""
    height = fig.get_figheight()
    top = (layout.bottom - layout.axis_labels) / height
    left = fig.subplotpars.left
    fig.legend(handles, labels, loc="upper left", bbox_to_anchor=(left, top), ncol=ncol,
               frameon=False, handlelength=2.2, columnspacing=1.6, borderaxespad=0.0)


def finish(fig: Figure, *, source: str, banner: str | None, note: str | None = None) -> Figure:
    """Add the source line (and note) at the bottom and the synthetic-data band on top.

    For figures not built by this module (e.g. maps): leave about 0.45 inch free at the bottom
    (plus 0.145 inch per note line) and 0.3 inch at the top when there is a banner.
    """
    lines = [*_wrap(note, _FOOTER_WRAP), *_wrap(source, _FOOTER_WRAP)]
    height = fig.get_figheight()
    for k, line in enumerate(reversed(lines)):
        fig.text(0.01, (0.06 + k * _FOOTER_LINE) / height, line, fontsize=MIN_FONT_PT,
                 color=style.TEXT_GREY, ha="left", va="bottom")
    if banner:
        _banner_band(fig, banner, height)
    return fig


def _style_axes(ax: Axes, *, grid_axis: str) -> None:
    ax.grid(axis="y" if grid_axis == "x" else "x", visible=False)
    ax.grid(axis=grid_axis, visible=True)
    ax.tick_params(length=2.5, color="#666666")


def _names(values: Sequence[str], limit: int = 6) -> str:
    """'A, B en C' (a long list shortened)."""
    items = list(values)
    if len(items) > limit:
        items = [*items[:limit], f"nog {len(items) - limit}"]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} en {items[-1]}"


