"""House style and one function per figure type; each returns a Figure, saving lives in export.

Figures are built on `matplotlib.figure.Figure`, not pyplot: no global state, nothing shown
twice in a notebook. The house style lives here and only here: A4 text width, DejaVu Sans at
print sizes, the Okabe-Ito colour-blind-safe palette, symbols beside colours (readable in black
and white), Dutch labels and number format, a title and unit line on top, notes (n, suppression)
and the source line at the bottom, the "SYNTHETISCHE DEMODATA" band for synthetic data, and a
short alt text on every figure (`AnnexFigure.alt_text`).
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import Formatter, MaxNLocator

from ivb_analysis import style
from ivb_analysis.defaults import ALPHA, INDICATIEF_N, MIN_N, alpha_text
from ivb_analysis.tables import dutch_number, dutch_percent, format_value

#: Okabe-Ito by name (series colours); colours with a meaning come from `style` (roles).
PALETTE = {"blauw": style.BENCHMARK, "oranje": "#E69F00", "groen": style.BETTER,
           "rood": style.WORSE, "paars": "#CC79A7", "geel": "#F0E442", "lichtblauw": "#56B4E9",
           "grijs": "#999999", "zwart": "#000000"}
TEXT_GREY = style.TEXT_GREY
BANNER_RED = style.BANNER
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

#: Verdict -> default symbol, Dutch word, colour. The symbol is the DIRECTION (▲ higher,
#: ▼ lower); the word and the colour are the JUDGEMENT (beter green, slechter vermillion:
#: Okabe-Ito, told apart with colour blindness; the word keeps it readable in black and white).
#: beter/slechter have no default symbol: which way is better depends on the indicator, so the
#: arrow comes from the sign of the difference (`change_mark`).
VERDICTS = {
    "beter": ("", "beter", style.BETTER),
    "slechter": ("", "slechter", style.WORSE),
    "gelijk": ("●", "gelijk", style.NEUTRAL),
    "hoger": ("▲", "hoger", style.BENCHMARK),
    "lager": ("▼", "lager", style.BENCHMARK),
}
NOT_TESTED = ("–", "niet getoetst", style.NEUTRAL)
#: An indicator the delivery lacks (contract 4): said so, never 'niet getoetst'.
NOT_DELIVERED = "niet in deze levering"
#: The significance level when a caller gives none (callers pass `Settings.alpha`).
DEFAULT_ALPHA = ALPHA
#: The one legend of the symbols and colours (figures add what they are compared with).
MARK_LEGEND = ("▲ significant hoger, ▼ significant lager; groen: beter, oranje: slechter "
               "(gelet op wat gunstig is)")
#: Series styles for lines and grouped bars: colour, marker, line style, hatch.
SERIES = (
    (PALETTE["blauw"], "o", "-", ""),
    (PALETTE["oranje"], "s", "--", "////"),
    (PALETTE["groen"], "^", ":", "...."),
    (PALETTE["paars"], "D", "-.", "xxxx"),
)
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
        fig.text(0.12 / width, 1 - (y - 0.04) / height, line, fontsize=8, color=TEXT_GREY,
                 ha="left", va="baseline")
    for k, line in enumerate(reversed(layout.footer)):
        fig.text(0.12 / width, (0.06 + k * _FOOTER_LINE) / height, line, fontsize=MIN_FONT_PT,
                 color=TEXT_GREY, ha="left", va="bottom")
    return fig, layout


def _banner_band(fig: Figure, banner: str, height: float) -> None:
    """A full-width dark red band with white text at the top: unmistakable, also in grey."""
    band = _BANNER_H / height
    fig.patches.append(Rectangle((0, 1 - band), 1, band, transform=fig.transFigure,
                                 facecolor=BANNER_RED, edgecolor="none", zorder=-1))
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
                 color=TEXT_GREY, ha="left", va="bottom")
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


# --- bars per wijk ------------------------------------------------------------------------------


def change_mark(verdict: object, direction: float | None = None) -> tuple[str, str, str]:
    """Symbol, word and colour of a tested difference.

    The symbol is the direction (▲ higher, ▼ lower: the sign of `direction`, the difference);
    the word and colour are the judgement (beter / slechter / gelijk, or hoger / lager for a
    neutral indicator). A lower overlast that is better reads '▼ beter'. Without a direction a
    beter/slechter has no arrow, only its word; untested is '– niet getoetst'.
    """
    if not isinstance(verdict, str) or verdict not in VERDICTS:
        return NOT_TESTED
    symbol, word, colour = VERDICTS[verdict]
    if verdict in ("beter", "slechter") and direction is not None \
            and np.isfinite(direction) and direction != 0:
        symbol = "▲" if direction > 0 else "▼"
    return symbol, word, colour


def _mark_text(verdict: object, direction: float | None) -> str:
    """'▼ beter' beside a value (empty for gelijk or not tested)."""
    if not isinstance(verdict, str) or verdict not in VERDICTS or verdict == "gelijk":
        return ""
    symbol, word, _ = change_mark(verdict, direction)
    return f"{symbol} {word}".strip()


def _verdict_note(verdicts: pd.Series, compared_with: str,
                  alpha: float = DEFAULT_ALPHA) -> str | None:
    """The one legend of the marks that occur: direction by symbol, judgement by word/colour."""
    if not verdicts.isin(["beter", "slechter", "hoger", "lager"]).any():
        return None
    return (f"{MARK_LEGEND}, vergeleken met {compared_with}; toets op {alpha_text(alpha)} met "
            "Benjamini-Hochberg-correctie. Zonder teken: geen significant verschil.")


def _directions(frame: pd.DataFrame, reference: str | None = None) -> pd.Series:
    """The sign source of each row's arrow: `difference`, else estimate minus `reference`."""
    if "difference" in frame.columns:
        return frame["difference"].astype(float)
    if reference is not None and reference in frame.columns:
        return frame["estimate"].astype(float) - frame[reference].astype(float)
    return pd.Series(np.nan, index=frame.index)


def _bar_limits(kind: str | None, high: float) -> float:
    """Upper end of a bar axis: 10 for cijfers and 0-10 scores, else a little above the data."""
    if kind in ("rapportcijfer", "schaalscore"):
        return 10.0
    top = high * 1.18 if np.isfinite(high) and high > 0 else 1.0
    return min(top, 100.0) if kind == "percentage" else top


def wijk_bars(
    estimates: pd.DataFrame, *, title: str, source: str, banner: str | None,
    gemeente_value: float | None = None, decimals: int = 1, kind: str | None = None,
    subtitle: str | None = None, gemeente_label: str = "gemeente",
    compared_with: str = "de rest van de gemeente", min_n: int = MIN_N,
    indicatief_n: int = INDICATIEF_N,
    note: str | None = None, what: str = "respondenten", alpha: float = DEFAULT_ALPHA,
) -> AnnexFigure:
    """Horizontal bars per wijk, highest on top, with 95% intervals and significance symbols.

    `estimates` has `wijk_naam`, `estimate`, `suppressed`; optional `ci_low`/`ci_high`
    (whiskers), `n` (the note gives its range), `indicatief` (name marked with *) and
    `verdict` (beter/slechter/hoger/lager put a mark beside the value, gelijk or empty none):
    the arrow is the direction, from `difference` (or `estimate` minus `estimate_rest`), the
    word and its colour the judgement ('▼ beter': significantly lower, and that is good).
    Suppressed wijken are not drawn and are named in the note.
    """
    frame = estimates.copy()
    for column, default in (("ci_low", np.nan), ("ci_high", np.nan), ("indicatief", False),
                            ("verdict", None)):
        if column not in frame.columns:
            frame[column] = default
    suppressed = frame["suppressed"].astype(bool)
    shown = frame[~suppressed].sort_values("estimate", kind="stable", ignore_index=True)
    hidden = sorted(frame.loc[suppressed, "wijk_naam"].astype(str))
    fmt = value_formatter(kind, decimals)
    has_ci = shown["ci_low"].notna().any()

    notes = []
    if has_ci:
        notes.append("Lijnen: 95%-betrouwbaarheidsinterval.")
    verdict_note = _verdict_note(shown["verdict"], compared_with, alpha)
    if verdict_note:
        notes.append(verdict_note)
    if "n" in shown.columns and len(shown):
        notes.append(f"Aantal {what} per wijk: {dutch_number(shown['n'].min(), 0)} tot "
                     f"{dutch_number(shown['n'].max(), 0)}.")
    if shown["indicatief"].astype(bool).any():
        notes.append(f"* indicatief: {min_n} tot {indicatief_n} {what}.")
    if hidden:
        notes.append(f"Niet getoond (minder dan {min_n} {what}): {_names(hidden)}.")
    if note:
        notes.append(note)

    directions = _directions(shown, "estimate_rest")
    marked = shown["verdict"].isin(["beter", "slechter", "hoger", "lager"]).any()
    plot_height = 0.26 * max(len(shown), 1) + 0.1
    legend = 1 if gemeente_value is not None and np.isfinite(gemeente_value) else 0
    with mpl.rc_context(STYLE):
        fig, layout = _canvas(plot_height, title=title, subtitle=subtitle, source=source,
                              banner=banner, notes=notes, legend_rows=legend,
                              right=1.25 if marked else 0.45)
        ax = fig.add_subplot()
        y = np.arange(len(shown))
        ax.barh(y, shown["estimate"], color=PALETTE["blauw"], height=0.62, zorder=2)
        high = shown["ci_high"].where(shown["ci_high"].notna(), shown["estimate"])
        if has_ci:
            ax.errorbar(shown["estimate"], y,
                        xerr=[shown["estimate"] - shown["ci_low"],
                              shown["ci_high"] - shown["estimate"]],
                        fmt="none", ecolor="#222222", elinewidth=0.8, capsize=1.8, zorder=3)
        top = _bar_limits(kind, float(high.max()) if len(shown) else np.nan)
        ax.set_xlim(0, top)
        pad = top * 0.012
        for k, row in shown.iterrows():
            x = float(high.iloc[k]) + pad
            label = ax.text(x, k, fmt(row["estimate"]), va="center", ha="left",
                            fontsize=MIN_FONT_PT, zorder=6, bbox=_LABEL_BOX)
            mark = _mark_text(row["verdict"], directions.iloc[k])
            if mark:
                ax.annotate(mark, xy=(1, 0.5), xycoords=label, xytext=(2, 0),
                            textcoords="offset points", va="center", ha="left",
                            fontsize=MIN_FONT_PT, color=change_mark(row["verdict"])[2],
                            fontweight="bold", gid="significance-marker", zorder=6,
                            bbox=_LABEL_BOX)
        names = [f"{n} *" if ind else str(n)
                 for n, ind in zip(shown["wijk_naam"], shown["indicatief"].astype(bool),
                                   strict=True)]
        ax.set_yticks(list(y), names)
        ax.set_ylim(-0.6, len(shown) - 0.4)
        ax.xaxis.set_major_locator(_locator())
        ax.xaxis.set_major_formatter(_axis_formatter(kind))
        _style_axes(ax, grid_axis="x")
        if legend:
            line = ax.axvline(gemeente_value, color=PALETTE["oranje"], linewidth=1.6,
                              linestyle="--", zorder=5)
            _legend(fig, layout, [line],
                    [f"{gemeente_label} {fmt(gemeente_value)}"], ncol=1)
    fig.alt_text = _wijk_alt(title, shown, hidden, fmt, gemeente_label, gemeente_value,
                             compared_with)
    return fig


def _wijk_alt(
    title: str, shown: pd.DataFrame, hidden: list[str], fmt: Callable[[float], str],
    gemeente_label: str, gemeente_value: float | None, compared_with: str,
) -> str:
    if shown.empty:
        return f"{title}: geen wijk met genoeg waarnemingen om te tonen."
    best, worst = shown.iloc[-1], shown.iloc[0]
    parts = [f"Staafdiagram: {title}, {len(shown)} wijken van hoog naar laag"
             + (" met 95%-betrouwbaarheidsintervallen." if shown["ci_low"].notna().any()
                else ".")]
    parts.append(f"Hoogste waarde {best['wijk_naam']} ({fmt(best['estimate'])}), laagste "
                 f"{worst['wijk_naam']} ({fmt(worst['estimate'])}).")
    if gemeente_value is not None and np.isfinite(gemeente_value):
        parts.append(f"{gemeente_label[:1].upper()}{gemeente_label[1:]}: "
                     f"{fmt(gemeente_value)}.")
    for verdict in ("beter", "slechter", "hoger", "lager"):
        names = shown.loc[shown["verdict"] == verdict, "wijk_naam"].astype(str).tolist()
        if names:
            parts.append(f"Significant {verdict} dan {compared_with}: {_names(names)}.")
    if hidden:
        parts.append(f"Niet getoond wegens te weinig waarnemingen: {_names(hidden)}.")
    return " ".join(parts)


# --- grouped bars (slachtofferschap per delict, casuïstiek per overleg) -----------------------


def grouped_bars(
    data: pd.DataFrame, *, category: str, group: str, title: str, source: str,
    banner: str | None, kind: str | None = None, subtitle: str | None = None,
    groups: Sequence | None = None, group_labels: Callable[[object], str] = str,
    markers: pd.Series | None = None, marker_note: str | None = None,
    notes: Sequence[str] = (), highlight: object | None = None,
    category_name: str | None = None, verdicts: pd.Series | None = None,
    alpha: float = DEFAULT_ALPHA,
) -> AnnexFigure:
    """Horizontal bars per `category`, one bar per `group` (e.g. year or gemeente), with labels.

    `data` has the two key columns and `estimate`; optional `ci_low`/`ci_high` (whiskers).
    Categories keep their order of appearance (first on top). Groups get colour, hatch and a
    legend, so they stay apart in black and white; `highlight` draws that group first and in
    blue. `verdicts` (indexed by category: beter/slechter/gelijk/hoger/lager, the test of the
    first group against the second) puts a mark after the category's bars: the arrow from the
    sign of first minus second group, word and colour from the verdict, explained in the
    note. `markers` (old form: a symbol per category, drawn as given) is used without
    `verdicts`.
    """
    categories = list(dict.fromkeys(data[category].tolist()))
    order = list(groups) if groups is not None else list(dict.fromkeys(data[group].tolist()))
    if highlight is not None and highlight in order:
        order = [highlight, *[g for g in order if g != highlight]]
    n_groups = max(len(order), 1)
    fmt = value_formatter(kind)
    has_ci = "ci_low" in data.columns and data["ci_low"].notna().any()
    bar = 0.8 / n_groups
    plot_height = len(categories) * (0.19 * n_groups + 0.14) + 0.1
    marks: dict[object, tuple[str, str]] = {}
    if verdicts is not None:
        values = data.pivot_table(index=category, columns=group, values="estimate",
                                  aggfunc="first")
        for cat, verdict in verdicts.items():
            direction = (values.at[cat, order[0]] - values.at[cat, order[1]]
                         if len(order) > 1 and cat in values.index
                         and order[1] in values.columns and order[0] in values.columns
                         else None)
            direction = None if direction is None or pd.isna(direction) else float(direction)
            text = _mark_text(verdict, direction)
            if text:
                marks[cat] = (text, change_mark(verdict)[2])
        if marks and not marker_note and len(order) > 1:
            marker_note = _verdict_note(verdicts, str(group_labels(order[1])), alpha)
        shown_note = bool(marks) and bool(marker_note)
    elif markers is not None:
        for cat, symbol in markers.items():
            if isinstance(symbol, str) and symbol:
                marks[cat] = (symbol, next((c for s, _, c in VERDICTS.values() if s == symbol),
                                           "#222222"))
        shown_note = bool(marks) and bool(marker_note)
    else:
        shown_note = False
    all_notes = [*(["Lijnen: 95%-betrouwbaarheidsinterval."] if has_ci else []),
                 *([marker_note] if shown_note else []), *notes]
    legend_cols = min(n_groups, 4)
    with mpl.rc_context(STYLE):
        fig, layout = _canvas(plot_height, title=title, subtitle=subtitle, source=source,
                              banner=banner, notes=all_notes,
                              legend_rows=-(-n_groups // legend_cols), left=2.2,
                              right=1.25 if marks else 0.45)
        ax = fig.add_subplot()
        centres = np.arange(len(categories))[::-1].astype(float)
        position = dict(zip(categories, centres, strict=True))
        handles = []
        ends: dict[object, float] = {}
        top_value = float(np.nanmax(data["ci_high"] if has_ci else data["estimate"])) \
            if len(data) else 1.0
        top = _bar_limits(kind, top_value)
        ax.set_xlim(0, top)
        for k, key in enumerate(order):
            colour, _, _, hatch = SERIES[k % len(SERIES)]
            part = data[data[group] == key]
            y = np.array([position[c] for c in part[category]]) + (
                (n_groups - 1) / 2 - k) * bar
            ax.barh(y, part["estimate"], height=bar * 0.9, color=colour, hatch=hatch,
                    edgecolor="white", linewidth=0.4, zorder=2)
            handles.append(Patch(facecolor=colour, hatch=hatch, edgecolor="white"))
            high = part["ci_high"].to_numpy() if has_ci else part["estimate"].to_numpy()
            high = np.where(np.isfinite(high), high, part["estimate"].to_numpy())
            if has_ci:
                ax.errorbar(part["estimate"], y,
                            xerr=[part["estimate"] - part["ci_low"],
                                  part["ci_high"] - part["estimate"]],
                            fmt="none", ecolor="#222222", elinewidth=0.7, capsize=1.5, zorder=3)
            for yy, value, end, cat in zip(y, part["estimate"], high, part[category],
                                           strict=True):
                ax.text(end + top * 0.01, yy, fmt(value), va="center", ha="left",
                        fontsize=MIN_FONT_PT)
                ends[cat] = max(ends.get(cat, 0.0), float(end))
        for cat, (text, colour) in marks.items():
            if cat in position:
                ax.text(ends.get(cat, 0.0) + top * 0.1, position[cat], text, va="center",
                        ha="left", fontsize=MIN_FONT_PT, fontweight="bold", color=colour,
                        gid="significance-marker")
        ax.set_yticks(centres, [textwrap.fill(str(c), 34) for c in categories])
        ax.set_ylim(-0.6, len(categories) - 0.4)
        ax.xaxis.set_major_locator(_locator())
        ax.xaxis.set_major_formatter(_axis_formatter(kind))
        _style_axes(ax, grid_axis="x")
        _legend(fig, layout, handles, [group_labels(g) for g in order], ncol=legend_cols)
    marked = pd.Series({c: t for c, (t, _) in marks.items()}, dtype=object) if marks else None
    fig.alt_text = _grouped_alt(title, data, category_name or category_word(category), group,
                                order, group_labels, fmt, marked, category)
    return fig


def _grouped_alt(
    title: str, data: pd.DataFrame, word: str, group: str, order: list,
    group_labels: Callable[[object], str], fmt: Callable[[float], str],
    markers: pd.Series | None, category: str,
) -> str:
    groups = _names([group_labels(g) for g in order])
    parts = [f"Staafdiagram: {title}; per {word} een staaf voor {groups}."]
    if len(data):
        focus = data[data[group] == order[0]] if order else data.iloc[0:0]
        if len(focus):
            top_row = focus.loc[focus["estimate"].idxmax()]
            parts.append(f"Hoogste waarde bij {group_labels(order[0])}: {top_row[category]} "
                         f"({fmt(top_row['estimate'])}).")
    if markers is not None:
        marked = [str(c) for c, s in markers.items() if isinstance(s, str) and s]
        if marked:
            parts.append(f"Significant veranderd: {_names(marked)}.")
    return " ".join(parts)


def category_word(column: str) -> str:
    """Dutch word for a category column in alt texts."""
    return {"label": "indicator", "overleg": "overleg", "wijk_naam": "wijk"}.get(column, column)


# --- trends -------------------------------------------------------------------------------------


def _segments(years: np.ndarray, method_break: int | None) -> list[np.ndarray]:
    """Positions of the waves on each side of the method break (no line crosses it)."""
    if method_break is None:
        return [np.arange(len(years))] if len(years) else []
    before = np.flatnonzero(years < method_break)
    after = np.flatnonzero(years >= method_break)
    return [s for s in (before, after) if len(s)]


def _draw_series(
    ax: Axes, series: pd.DataFrame, style: tuple[str, str, str, str], method_break: int | None,
) -> Line2D:
    """Line with markers and a 95% band per side of the break; single waves as a whisker."""
    colour, marker, linestyle, _ = style
    data = series[series["estimate"].notna()].sort_values("year")
    years = data["year"].to_numpy(dtype=float)
    handle = Line2D([], [], color=colour, marker=marker, linestyle=linestyle, markersize=3.5,
                    linewidth=1.4)
    for seg in _segments(years, method_break):
        part = data.iloc[seg]
        if len(part) > 1:
            ax.fill_between(part["year"], part["ci_low"], part["ci_high"], color=colour,
                            alpha=BAND_ALPHA, linewidth=0, zorder=1)
        else:
            ax.errorbar(part["year"], part["estimate"],
                        yerr=[part["estimate"] - part["ci_low"],
                              part["ci_high"] - part["estimate"]],
                        fmt="none", ecolor=colour, elinewidth=0.9, capsize=2, zorder=2)
        ax.plot(part["year"], part["estimate"], color=colour, marker=marker,
                linestyle=linestyle, markersize=3.5, linewidth=1.4, zorder=3, gid="trend-line")
    return handle


def _draw_break(ax: Axes, years: np.ndarray, method_break: int | None) -> bool:
    """A dotted vertical line between the last wave before and the first after the break."""
    if method_break is None:
        return False
    before, after = years[years < method_break], years[years >= method_break]
    if not len(before) or not len(after):
        return False
    x = (before.max() + after.min()) / 2
    ax.axvline(x, color="#555555", linestyle=(0, (1.5, 1.5)), linewidth=0.9, zorder=4,
               gid="method-break")
    ax.text(x, 1.0, "methodebreuk", transform=ax.get_xaxis_transform(), rotation=90,
            ha="right", va="top", fontsize=MIN_FONT_PT, color="#555555")
    return True


def break_note(method_break: int | None) -> str:
    """The reader's note under a trend figure that spans the method break."""
    return (f"Vanaf {method_break} is de Veiligheidsmonitor vernieuwd: de uitkomsten zijn niet "
            "één op één vergelijkbaar met eerdere jaren, daarom is de lijn daar onderbroken.")


def _year_labels(waves: np.ndarray, compact: bool) -> list[str]:
    """Every wave a tick; in small panels over many years short labels ('’17'), thinned so
    that labelled waves are at least two years apart (the last wave always labelled)."""
    if not compact or len(waves) <= 4 or waves.max() - waves.min() <= 6:
        return [str(int(y)) for y in waves]
    keep = [False] * len(waves)
    last = -np.inf
    for k, y in enumerate(waves):
        if y - last >= 2:
            keep[k], last = True, y
    if not keep[-1]:
        previous = max(k for k in range(len(waves) - 1) if keep[k])
        if waves[-1] - waves[previous] < 2:
            keep[previous] = False
        keep[-1] = True
    return [f"’{int(y) % 100:02d}" if shown else "" for y, shown in zip(waves, keep,
                                                                        strict=True)]


def _year_axis(ax: Axes, years: np.ndarray, compact: bool) -> None:
    waves = np.unique(years)
    ax.set_xticks(waves, _year_labels(waves, compact))
    if len(waves):
        ax.set_xlim(waves.min() - 0.5, waves.max() + 0.5)


def value_limits(kind: str | None, values: np.ndarray) -> tuple[float, float]:
    """An honest y-range for a trend: the data with some room, at least `MIN_SPAN` of the
    unit wide (a rapportcijfer at least one point), from 0 for small percentages and for
    counts and rates, never outside the possible values of the kind."""
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low, high = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    floor, ceiling = VALUE_RANGE.get(kind or "", (0.0, np.inf))
    if kind not in MIN_SPAN or (kind == "percentage" and high < PERCENT_FROM_ZERO):
        return 0.0, min(max(high * 1.15, 1.0), ceiling)
    pad = 0.15 * (high - low)
    low, high = low - pad, high + pad
    missing = MIN_SPAN[kind] - (high - low)
    if missing > 0:
        low, high = low - missing / 2, high + missing / 2
    if low < floor:
        low, high = floor, high + (floor - low)
    if high > ceiling:
        low, high = max(low - (high - ceiling), floor), ceiling
    return low, high


def _value_axis(ax: Axes, kind: str | None, values: np.ndarray) -> None:
    ax.set_ylim(*value_limits(kind, values))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(_axis_formatter(kind))


def trend_lines(
    data: pd.DataFrame, *, title: str, source: str, banner: str | None,
    method_break: int | None = None, subtitle: str | None = None,
    notes: Sequence[str] = (),
) -> AnnexFigure:
    """Several indicators of one unit over the waves in one plot, with 95% bands (max 4).

    `data`: `indicator`, `label`, `kind`, `year`, `estimate`, `ci_low`, `ci_high`. The line
    stops at the method break and a dotted vertical line with a note marks it.
    """
    indicators = list(dict.fromkeys(data["indicator"]))[: len(SERIES)]
    kind = str(data["kind"].iloc[0]) if len(data) else None
    years = data["year"].to_numpy(dtype=float)
    spans = _spans(years, method_break)
    all_notes = ["Banden: 95%-betrouwbaarheidsinterval.",
                 *([break_note(method_break)] if spans else []), *notes]
    labels = [str(data.loc[data["indicator"] == i, "label"].iloc[0]) for i in indicators]
    one_column = any(len(label) > 28 for label in labels)
    rows = len(labels) if one_column else 1
    with mpl.rc_context(STYLE):
        fig, layout = _canvas(2.4, title=title, subtitle=subtitle, source=source,
                              banner=banner, notes=all_notes, legend_rows=rows + 0.2,
                              left=0.6, right=0.3)
        ax = fig.add_subplot()
        handles = [_draw_series(ax, data[data["indicator"] == ind], SERIES[k], method_break)
                   for k, ind in enumerate(indicators)]
        _draw_break(ax, years, method_break)
        _year_axis(ax, years, compact=False)
        _value_axis(ax, kind, data[["ci_low", "ci_high", "estimate"]].to_numpy(float).ravel())
        _style_axes(ax, grid_axis="y")
        _legend(fig, layout, handles, labels, ncol=1 if one_column else len(handles))
    fig.alt_text = _trend_alt(title, data, indicators, method_break if spans else None)
    return fig


def _spans(years: np.ndarray, method_break: int | None) -> bool:
    return method_break is not None and bool((years < method_break).any()) and bool(
        (years >= method_break).any())


def trend_panels(
    data: pd.DataFrame, *, title: str, source: str, banner: str | None,
    method_break: int | None = None, subtitle: str | None = None, ncols: int = 3,
    notes: Sequence[str] = (),
) -> AnnexFigure:
    """Small multiples: one panel per indicator over the waves, each with its own scale and unit.

    `data` as for `trend_lines` plus `unit`. Panel order follows the order of appearance.
    """
    indicators = list(dict.fromkeys(data["indicator"]))
    n = max(len(indicators), 1)
    ncols = max(1, min(ncols, n))
    nrows = -(-n // ncols)
    years = data["year"].to_numpy(dtype=float)
    spans = _spans(years, method_break)
    all_notes = ["Banden: 95%-betrouwbaarheidsinterval.",
                 *([break_note(method_break)] if spans else []), *notes]
    units = list(dict.fromkeys(data["unit"].astype(str)))
    common_unit = units[0] if len(units) == 1 else None
    if common_unit and subtitle is None:
        subtitle = f"{common_unit[:1].upper()}{common_unit[1:]}"
    wrap = int((A4_WIDTH_INCH - 0.8) / ncols * 13)  # characters of a panel title line
    headings = {}
    for ind in indicators:
        first = data[data["indicator"] == ind].iloc[0]
        label, unit = str(first["label"]), str(first["unit"])
        headings[ind] = textwrap.fill(
            label if common_unit or unit in label else f"{label} ({unit})", wrap)
    title_h = 0.04 + 0.14 * max(h.count("\n") + 1 for h in headings.values())
    axes_h, gap = 1.1, 0.32 + title_h  # gap: tick labels of one row + titles of the next
    with mpl.rc_context(STYLE):
        fig, layout = _canvas(nrows * axes_h + (nrows - 1) * gap + title_h, title=title,
                              subtitle=subtitle, source=source, banner=banner, notes=all_notes,
                              left=0.5, right=0.3)
        height = fig.get_figheight()
        grid = fig.add_gridspec(nrows, ncols, hspace=gap / axes_h, wspace=0.38,
                                top=1 - (layout.top + title_h) / height)
        for k, ind in enumerate(indicators):
            ax = fig.add_subplot(grid[k // ncols, k % ncols])
            series = data[data["indicator"] == ind]
            _draw_series(ax, series, SERIES[0], method_break)
            _draw_break(ax, years, method_break)
            _year_axis(ax, years, compact=True)
            _value_axis(ax, str(series["kind"].iloc[0]),
                        series[["ci_low", "ci_high", "estimate"]].to_numpy(float).ravel())
            _style_axes(ax, grid_axis="y")
            ax.set_title(headings[ind], loc="left", fontsize=MIN_FONT_PT, fontweight="bold")
    fig.alt_text = _trend_alt(title, data, indicators, method_break if spans else None)
    return fig


def split_panels(indicators: Sequence[str], max_panels: int = MAX_PANELS) -> list[list[str]]:
    """Indicators in balanced groups of at most `max_panels` (11 -> 6 + 5), order kept."""
    items = list(indicators)
    if not items:
        return [[]]
    parts = -(-len(items) // max_panels)
    size = -(-len(items) // parts)
    return [items[k:k + size] for k in range(0, len(items), size)]


def trend_panel_figures(
    data: pd.DataFrame, *, title: str, source: str, banner: str | None,
    method_break: int | None = None, subtitle: str | None = None, ncols: int = 3,
    notes: Sequence[str] = (), max_panels: int = MAX_PANELS,
) -> list[AnnexFigure]:
    """`trend_panels` split over figures of at most `max_panels` panels each (a theme with
    eleven indicators gives two figures, titled '... (1 van 2)' and '(2 van 2)')."""
    groups = split_panels(list(dict.fromkeys(data["indicator"])), max_panels)
    out = []
    for k, group in enumerate(groups, start=1):
        part = data[data["indicator"].isin(group)] if len(groups) > 1 else data
        heading = f"{title} ({k} van {len(groups)})" if len(groups) > 1 else title
        out.append(trend_panels(part, title=heading, source=source, banner=banner,
                                method_break=method_break, subtitle=subtitle, ncols=ncols,
                                notes=notes))
    return out


def _trend_alt(
    title: str, data: pd.DataFrame, indicators: list[str], method_break: int | None,
) -> str:
    years = sorted(int(y) for y in data["year"].unique())
    span = f"{years[0]} tot en met {years[-1]}" if years else "geen metingen"
    parts = [f"Lijndiagram: {title}, metingen {span}, met 95%-betrouwbaarheidsbanden."]
    for ind in indicators:
        series = data[(data["indicator"] == ind) & data["estimate"].notna()].sort_values("year")
        if series.empty:
            continue
        fmt = value_formatter(str(series["kind"].iloc[0]))
        first, last = series.iloc[0], series.iloc[-1]
        text = f"{series['label'].iloc[0]}: {fmt(first['estimate'])} in {int(first['year'])}"
        if len(series) > 1:
            text += f", {fmt(last['estimate'])} in {int(last['year'])}"
        parts.append(text + ".")
    if method_break is not None:
        parts.append(f"De lijnen zijn onderbroken bij de methodebreuk van {method_break}.")
    return " ".join(parts)


# --- footprint ----------------------------------------------------------------------------------


def verdict_cell(verdict: object, direction: float | None = None) -> tuple[str, str, str]:
    """Symbol, word and colour of a verdict (anything unknown or missing: not tested)."""
    return change_mark(verdict, direction)


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
                            "#222222" if word != NOT_TESTED[1] else "#666666"),
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
