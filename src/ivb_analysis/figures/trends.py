"""Trends: indicators over the waves with 95% bands, broken at the method break; small
multiples of at most six panels."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from ivb_analysis import style
from ivb_analysis.figures.base import (
    A4_WIDTH_INCH,
    BAND_ALPHA,
    MAX_PANELS,
    MIN_FONT_PT,
    MIN_SPAN,
    PERCENT_FROM_ZERO,
    SERIES,
    STYLE,
    VALUE_RANGE,
    AnnexFigure,
    _axis_formatter,
    _canvas,
    _legend,
    _style_axes,
    series_colours,
    value_formatter,
)


def _segments(years: np.ndarray, method_break: int | None) -> list[np.ndarray]:
    """Positions of the waves on each side of the method break (no line crosses it)."""
    if method_break is None:
        return [np.arange(len(years))] if len(years) else []
    before = np.flatnonzero(years < method_break)
    after = np.flatnonzero(years >= method_break)
    return [s for s in (before, after) if len(s)]


def _draw_series(
    ax: Axes, series: pd.DataFrame, look: tuple[str, str, str, str], method_break: int | None,
) -> Line2D:
    """Line with markers and a 95% band per side of the break; single waves as a whisker."""
    colour, marker, linestyle, _ = look
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
        colours = series_colours()
        handles = [_draw_series(ax, data[data["indicator"] == ind],
                                (colours[k], *SERIES[k]), method_break)
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
            _draw_series(ax, series, (style.GEMEENTE, *SERIES[0]), method_break)
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


