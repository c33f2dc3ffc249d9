"""Bars: per wijk (with the gemeente as reference line) and grouped (per year, gemeente or
benchmark), with intervals, value labels and significance marks."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from ivb_analysis import style
from ivb_analysis.defaults import INDICATIEF_N, MIN_N
from ivb_analysis.figures.base import (
    _LABEL_BOX,
    MIN_FONT_PT,
    SERIES,
    STYLE,
    AnnexFigure,
    _axis_formatter,
    _canvas,
    _legend,
    _locator,
    _names,
    _style_axes,
    value_formatter,
)
from ivb_analysis.figures.marks import (
    DEFAULT_ALPHA,
    VERDICTS,
    _directions,
    _mark_text,
    _verdict_note,
    change_mark,
)
from ivb_analysis.tables import dutch_number


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
        ax.barh(y, shown["estimate"], color=style.GEMEENTE, height=0.62, zorder=2)
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
            line = ax.axvline(gemeente_value, color=style.GEMEENTE_TOTAL, linewidth=1.6,
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
    alpha: float = DEFAULT_ALPHA, benchmark: object | None = None,
) -> AnnexFigure:
    """Horizontal bars per `category`, one bar per `group` (e.g. year or gemeente), with labels.

    `data` has the two key columns and `estimate`; optional `ci_low`/`ci_high` (whiskers).
    Categories keep their order of appearance (first on top). Groups get colour, hatch and a
    legend, so they stay apart in black and white; `highlight` draws that group first. Colours
    by role (`group_colours`): the first group is the gemeente's (or the annex year's), the
    `benchmark` group the benchmark's, a second year the earlier wave's. `verdicts` (indexed
    by category: beter/slechter/gelijk/hoger/lager, the test of the first group against the
    second) puts a mark after the category's bars: the arrow from the sign of first minus
    second group, word and colour from the verdict, explained in the note. `markers` (old
    form: a symbol per category, drawn as given) is used without `verdicts`.
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
                verdict = next((v for v, (s, _) in VERDICTS.items() if s and s == symbol), None)
                marks[cat] = (symbol, style.verdict_colour(verdict) if verdict else "#222222")
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
        colours = group_colours(order, years=group == "year", benchmark=benchmark)
        for k, key in enumerate(order):
            colour, hatch = colours[k], SERIES[k % len(SERIES)][2]
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


def group_colours(order: Sequence, *, years: bool, benchmark: object | None = None) -> list[str]:
    """The colour of each group by its role: the first is the gemeente (or the year of the
    annex), `benchmark` the benchmark group, a second year an earlier wave; any other group
    takes the further series colours in turn. Never a judgement colour."""
    others = iter(style.OTHERS * (len(order) + 1))
    colours = []
    for k, key in enumerate(order):
        if benchmark is not None and key == benchmark:
            colours.append(style.BENCHMARK)
        elif k == 0:
            colours.append(style.GEMEENTE)
        elif years and k == 1:
            colours.append(style.EARLIER)
        else:
            colours.append(next(others))
    return colours


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


