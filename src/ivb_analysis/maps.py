"""Wijk maps: a choropleth of one value per CBS wijk, or an ordered bar chart without geometry.

Geometry is read with geopandas (a GeoDataFrame or any file it reads, e.g. the CBS/Kadaster
wijk- en buurtkaart as GeoJSON) and drawn as one matplotlib patch per wijk on a
`matplotlib.figure.Figure` (no pyplot state). Colours come from a colour-blind-safe sequential
colormap (viridis by default; cividis also works), the legend uses the Dutch decimal comma and
wijken without a value are drawn grey and named in the note. A delivery without geometry (the
demo has none) gets the same values as horizontal bars, ordered by value.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib import patheffects
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.patches import Patch, PathPatch
from matplotlib.path import Path as MplPath
from matplotlib.ticker import FuncFormatter
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.polygon import orient

from ivb_analysis.errors import InputError
from ivb_analysis.figures import A4_WIDTH_INCH, PALETTE, STYLE, AnnexFigure, finish
from ivb_analysis.tables import dutch_number

_WIJK = re.compile(r"WK\d{6}")
MISSING_COLOUR = "#d9d9d9"
Values = pd.Series | Mapping[str, float]
Geometry = gpd.GeoDataFrame | str | Path | None


def wijk_choropleth(
    values: Values,
    geometry: Geometry = None,
    *,
    title: str,
    source: str,
    banner: str | None,
    label: str | None = None,
    names: Mapping[str, str] | None = None,
    decimals: int = 1,
    cmap: str = "viridis",
    code_column: str = "statcode",
    annotate: bool = True,
) -> Figure:
    """A map of one value per wijk (e.g. crimes per 1,000 inhabitants), or bars without geometry.

    `values` maps CBS wijk codes (`WK016400`) to numbers (a Series indexed by code or a dict);
    `geometry` is a GeoDataFrame or a path geopandas reads, with the wijk code in `code_column`.
    `label` titles the colour legend, `names` (code -> name) labels the bars of the fallback
    (else the code). Returns a Figure with one patch per
    wijk of the geometry (map) or per wijk with a value (bars).
    """
    series = _values(values)
    if geometry is None:
        return _bars(series, title=title, source=source, banner=banner, label=label,
                     names=names, decimals=decimals)
    shapes = _geometry(geometry, code_column)
    return _map(series, shapes, title=title, source=source, banner=banner, label=label,
                decimals=decimals, cmap=cmap, code_column=code_column, annotate=annotate)


def _values(values: Values) -> pd.Series:
    """Values as a float Series indexed by wijk code; codes are checked, duplicates refused."""
    series = pd.Series(values, dtype="object") if isinstance(values, Mapping) else values
    series = pd.to_numeric(series, errors="coerce").astype("float64")
    codes = pd.Index([str(c).strip() for c in series.index])
    bad = next((c for c in codes if not _WIJK.fullmatch(c)), None)
    if bad is not None:
        raise InputError("waarden moeten per CBS-wijkcode zijn", column="region_code",
                         expected="WK gevolgd door 6 cijfers, bijv. WK016400", found=bad)
    if codes.duplicated().any():
        raise InputError("wijkcode komt dubbel voor", column="region_code",
                         found=codes[codes.duplicated()][0])
    return pd.Series(series.to_numpy(), index=codes)


def _geometry(geometry: gpd.GeoDataFrame | str | Path, code_column: str) -> gpd.GeoDataFrame:
    if isinstance(geometry, str | Path):
        path = Path(geometry)
        if not path.is_file():
            raise InputError("kaartbestand niet gevonden", file=path)
        try:
            geometry = gpd.read_file(path)
        except Exception as exc:  # pyogrio raises several types for unreadable files
            raise InputError(f"kaartbestand kan niet gelezen worden: {exc}", file=path) from None
    if code_column not in geometry.columns:
        raise InputError("kolom met wijkcode ontbreekt in de kaart", column=code_column,
                         found=", ".join(map(str, geometry.columns)))
    shapes = geometry[geometry.geometry.notna()].copy()
    shapes[code_column] = shapes[code_column].astype(str).str.strip()
    return shapes.sort_values(code_column).reset_index(drop=True)


def _path(shape: Polygon | MultiPolygon) -> MplPath:
    """One compound path per wijk: exterior rings counter-clockwise, holes clockwise."""
    polygons = list(shape.geoms) if isinstance(shape, MultiPolygon) else [shape]
    rings = []
    for polygon in polygons:
        polygon = orient(polygon, sign=1.0)
        for ring in [polygon.exterior, *polygon.interiors]:
            rings.append(MplPath(np.asarray(ring.coords)[:, :2], closed=True))
    return MplPath.make_compound_path(*rings)


def _decimal_comma(decimals: int) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: dutch_number(x, decimals))


def _tick_decimals(span: float, decimals: int) -> int:
    """Whole numbers on the axis when the values span 10 or more, else the values' decimals."""
    return 0 if span >= 10 else decimals


def _map(
    values: pd.Series, shapes: gpd.GeoDataFrame, *, title: str, source: str,
    banner: str | None, label: str | None, decimals: int, cmap: str, code_column: str,
    annotate: bool,
) -> Figure:
    colormap = mpl.colormaps[cmap]
    codes = shapes[code_column].tolist()
    shown = values.reindex(codes)
    finite = shown[np.isfinite(shown)]
    low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
    norm = Normalize(vmin=low, vmax=high if high > low else low + 1)
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(A4_WIDTH_INCH, A4_WIDTH_INCH * 0.9))
        ax = fig.add_axes((0.02, 0.25, 0.96, 0.64))
        for code, shape in zip(codes, shapes.geometry, strict=True):
            value = shown.get(code, np.nan)
            has_value = bool(np.isfinite(value))
            ax.add_patch(PathPatch(
                _path(shape), facecolor=colormap(norm(value)) if has_value else MISSING_COLOUR,
                edgecolor="white", linewidth=0.9, hatch=None if has_value else "//",
                label=code))
            if annotate and has_value:
                point = shape.representative_point()
                ax.text(point.x, point.y, dutch_number(value, decimals), ha="center",
                        va="center", fontsize=8, color="black",
                        path_effects=[patheffects.withStroke(linewidth=2, foreground="white")])
        minx, miny, maxx, maxy = shapes.total_bounds
        pad_x, pad_y = (maxx - minx) * 0.02, (maxy - miny) * 0.02
        ax.set_xlim(minx - pad_x, maxx + pad_x)
        ax.set_ylim(miny - pad_y, maxy + pad_y)
        geographic = shapes.crs is None or shapes.crs.is_geographic
        ax.set_aspect(1 / math.cos(math.radians((miny + maxy) / 2)) if geographic else "equal")
        ax.set_axis_off()
        # on the figure, not the axes: an equal-aspect map axes is narrower than the page
        fig.text(0.02, 0.91, title, ha="left", va="bottom", fontsize=STYLE["axes.titlesize"],
                 fontweight=STYLE["axes.titleweight"])
        bar_ax = fig.add_axes((0.15, 0.17, 0.5, 0.025))
        bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colormap), cax=bar_ax,
                           orientation="horizontal")
        bar.ax.xaxis.set_major_formatter(_decimal_comma(_tick_decimals(high - low, decimals)))
        bar.outline.set_visible(False)
        if label:
            bar.set_label(label, fontsize=8)
        without = [c for c in codes if not np.isfinite(shown.get(c, np.nan))]
        if without:
            fig.legend(handles=[Patch(facecolor=MISSING_COLOUR, hatch="//", edgecolor="white",
                                      label="geen gegevens")],
                       loc="lower right", bbox_to_anchor=(0.98, 0.08), frameon=False,
                       fontsize=8)
        off_map = sorted(set(values.index[np.isfinite(values)]) - set(codes))
        note = _note(without, off_map)
        return finish(fig, source=source, banner=banner, note=note)


def _note(without: list[str], off_map: list[str]) -> str | None:
    parts = []
    if without:
        parts.append(f"geen gegevens: {', '.join(without)}")
    if off_map:
        parts.append(f"niet op de kaart: {', '.join(off_map)}")
    return "; ".join(parts) or None


def _bars(
    values: pd.Series, *, title: str, source: str, banner: str | None, label: str | None,
    names: Mapping[str, str] | None, decimals: int,
) -> Figure:
    """The fallback without geometry: one horizontal bar per wijk, the highest value on top."""
    finite = values[np.isfinite(values)].sort_values(kind="stable")
    without = sorted(values.index[~np.isfinite(values)])
    labels = [(names or {}).get(code, code) for code in finite.index]
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(A4_WIDTH_INCH, 0.32 * max(len(finite), 1) + 1.5))
        ax = fig.add_subplot()
        y = np.arange(len(finite))
        ax.barh(y, finite.to_numpy(), color=PALETTE["blauw"], height=0.6)
        for position, value in zip(y, finite, strict=True):
            text = dutch_number(value, decimals)
            ax.text(value, position, f" {text} " if value >= 0 else f"{text} ", va="center",
                    ha="left" if value >= 0 else "right", fontsize=8)
        ax.set_yticks(list(y), labels)
        low = min(0.0, float(finite.min())) if len(finite) else 0.0
        high = max(0.0, float(finite.max())) if len(finite) else 1.0
        high = high if high > low else low + 1.0
        ax.xaxis.set_major_formatter(_decimal_comma(_tick_decimals(high - low, decimals)))
        ax.set_xlim(low * 1.15, high * 1.15)
        if label:
            ax.set_xlabel(label)
        ax.set_title(title, loc="left")
        ax.grid(axis="y", visible=False)
        fig.subplots_adjust(left=0.25, bottom=0.22 if len(finite) < 6 else 0.14, top=0.88)
        note = "geen kaart beschikbaar: staafdiagram per wijk" + (
            f"; geen gegevens: {', '.join(without)}" if without else "")
        return finish(fig, source=source, banner=banner, note=note)


def wijk_map_panels(
    panels: list[tuple[str, Values, Mapping[str, str], int]],
    geometry: gpd.GeoDataFrame | str | Path,
    *,
    title: str,
    source: str,
    banner: str | None,
    note: str | None = None,
    cmap: str = "viridis",
    code_column: str = "statcode",
) -> Figure:
    """Small multiples: one map per indicator (at most four; three in a row, four as 2 x 2),
    each with its own
    colour scale so the differences between wijken show (a shared 0-10 scale would hide 7,3
    against 7,5). A panel is (title, values by wijk code, marks by wijk code such as '▼', the
    decimals of the labels); each wijk is labelled with its value and mark (three in a row:
    the mark only, the values are in the table beside the maps)."""
    if not 1 <= len(panels) <= 4:
        raise ValueError("1 tot 4 kaarten per figuur")
    shapes = _geometry(geometry, code_column)
    codes = shapes[code_column].tolist()
    minx, miny, maxx, maxy = shapes.total_bounds
    geographic = shapes.crs is None or shapes.crs.is_geographic
    aspect = 1 / math.cos(math.radians((miny + maxy) / 2)) if geographic else 1.0
    colormap = mpl.colormaps[cmap]
    ncols = min(len(panels), 3) if len(panels) != 4 else 2
    rows = (len(panels) + ncols - 1) // ncols
    cell = A4_WIDTH_INCH / ncols  # the width of one panel
    map_h = cell * 1.15
    row_h = map_h + 0.75
    header = 0.95  # the title and room for two-line panel titles
    height = header + rows * row_h + 0.75
    with mpl.rc_context(STYLE):
        fig = AnnexFigure(figsize=(A4_WIDTH_INCH, height))
        fig.text(0.02, 1 - 0.4 / height, title, ha="left", va="bottom",
                 fontsize=STYLE["axes.titlesize"], fontweight=STYLE["axes.titleweight"])
        for k, (name, raw, marks, decimals) in enumerate(panels):
            values = _values(raw).reindex(codes)
            finite = values[np.isfinite(values)]
            low, high = (finite.min(), finite.max()) if len(finite) else (0.0, 1.0)
            norm = Normalize(vmin=low, vmax=high if high > low else low + 1)
            row, col = divmod(k, ncols)
            top = 1 - (header + row * row_h) / height
            ax = fig.add_axes((0.01 + col / ncols, top - (map_h + 0.25) / height,
                               1 / ncols - 0.02, map_h / height))
            ax.set_title("\n".join(textwrap.wrap(name, 34 if ncols < 3 else 24)),
                         loc="left", fontsize=8.5)
            for code, shape in zip(codes, shapes.geometry, strict=True):
                value = values.get(code, np.nan)
                has_value = bool(np.isfinite(value))
                ax.add_patch(PathPatch(
                    _path(shape),
                    facecolor=colormap(norm(value)) if has_value else MISSING_COLOUR,
                    edgecolor="white", linewidth=0.7, hatch=None if has_value else "//",
                    label=code))
                label = (f"{dutch_number(value, decimals)}{marks.get(code, '')}" if ncols < 3
                         else marks.get(code, "").strip())
                if has_value and label:
                    point = shape.representative_point()
                    ax.text(point.x, point.y, label,
                            ha="center", va="center", fontsize=8, color="black",
                            path_effects=[patheffects.withStroke(linewidth=2,
                                                                 foreground="white")])
            pad_x, pad_y = (maxx - minx) * 0.02, (maxy - miny) * 0.02
            ax.set_xlim(minx - pad_x, maxx + pad_x)
            ax.set_ylim(miny - pad_y, maxy + pad_y)
            ax.set_aspect(aspect)
            ax.set_axis_off()
            bar_ax = fig.add_axes((0.04 + col / ncols, top - (map_h + 0.5) / height,
                                   1 / ncols - 0.1, 0.1 / height))
            bar = fig.colorbar(ScalarMappable(norm=norm, cmap=colormap), cax=bar_ax,
                               orientation="horizontal")
            bar.ax.xaxis.set_major_formatter(
                _decimal_comma(_tick_decimals(high - low, decimals)))
            bar.ax.tick_params(labelsize=8)
            bar.outline.set_visible(False)
        return finish(fig, source=source, banner=banner, note=note)
