"""maps.py: a choropleth of the real Hengelo wijken and the bar chart fallback of the demo.

Expected rates are recomputed with the csv and json modules from the raw rows, independently of
the readers and of `benchmark.crime_rates`.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import matplotlib as mpl
import pandas as pd
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

from ivb_analysis.benchmark import crime_rates
from ivb_analysis.errors import InputError
from ivb_analysis.figures import png_bytes
from ivb_analysis.io.police import aggregate_to_wijk
from ivb_analysis.io.statline import read_crime_47018, read_kwb_json
from ivb_analysis.maps import MISSING_COLOUR, wijk_choropleth
from tests.conftest import BUURT_CRIME, KWB

GEOJSON = "geo_cartomap_wijk_2023_hengelo/hengelo_wijken_2023_wgs84.geojson"



def raw_wijk_rates(public: Path) -> dict[str, float]:
    """Crimes per 1,000 per wijk: buurt rows summed to wijken, KWB 2024 wijk populations."""
    with (public / BUURT_CRIME).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    code, count = rows[0].index("WijkenEnBuurten"), rows[0].index("GeregistreerdeMisdrijven_1")
    crimes: dict[str, int] = defaultdict(int)
    for row in rows[1:]:
        crimes["WK" + row[code].strip()[2:8]] += int(row[count])
    kwb = json.loads((public / KWB).read_text(encoding="utf-8"))
    return {wijk: n / kwb[wijk]["AantalInwoners_5"] * 1000 for wijk, n in crimes.items()}


def library_rates(public: Path) -> pd.Series:
    wijken = aggregate_to_wijk(read_crime_47018(public / BUURT_CRIME))
    rates = crime_rates(wijken, read_kwb_json(public / KWB))
    return rates.set_index("region_code")["rate_per_1000"]


def test_choropleth_of_the_real_hengelo_wijken(public: Path) -> None:
    expected = raw_wijk_rates(public)
    values = library_rates(public)
    assert values.to_dict() == pytest.approx(expected)
    assert values["WK016400"] == pytest.approx(863 / 3010 * 1000)
    fig = wijk_choropleth(values, public / GEOJSON, title="Misdrijven per 1.000 inwoners, 2023",
                          source="Bron: Politie, CBS", banner=None,
                          label="misdrijven per 1.000 inwoners")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.patches) == 10
    colours = {p.get_label(): p.get_facecolor() for p in ax.patches}
    assert sorted(colours) == sorted(expected)
    viridis = mpl.colormaps["viridis"]
    highest = max(expected, key=expected.get)
    lowest = min(expected, key=expected.get)
    assert highest == "WK016400"  # the Binnenstad
    assert colours[highest] == pytest.approx(viridis(1.0))
    assert colours[lowest] == pytest.approx(viridis(0.0))
    # the value of each wijk is written on the map with a decimal comma
    texts = {t.get_text() for t in ax.texts}
    assert "286,7" in texts and f"{expected[lowest]:.1f}".replace(".", ",") in texts
    # the colour legend uses the decimal comma / whole numbers, never a decimal point
    legend = fig.axes[1]
    labels = [legend.xaxis.get_major_formatter()(t, 0) for t in legend.get_xticks()]
    assert labels and all("." not in label for label in labels)
    assert png_bytes(fig, dpi=50).startswith(b"\x89PNG")


def test_choropleth_greys_out_wijken_without_a_value(public: Path) -> None:
    values = library_rates(public).drop("WK016405")
    fig = wijk_choropleth(values.to_dict(), public / GEOJSON, title="t", source="s",
                          banner="SYNTHETISCHE DEMODATA", decimals=0)
    ax = fig.axes[0]
    assert len(ax.patches) == 10
    grey = next(p for p in ax.patches if p.get_label() == "WK016405")
    assert grey.get_facecolor() == pytest.approx(to_rgba(MISSING_COLOUR))
    texts = " ".join(t.get_text() for t in fig.texts)
    assert "geen gegevens: WK016405" in texts and "SYNTHETISCHE DEMODATA" in texts


def test_bar_fallback_without_geometry() -> None:
    values = pd.Series({"WK016400": 286.7, "WK016401": 29.6, "WK016409": None,
                        "WK016402": 39.8})
    fig = wijk_choropleth(values, None, title="Misdrijven per 1.000 inwoners", source="Bron",
                          banner="SYNTHETISCHE DEMODATA", names={"WK016400": "Binnenstad"})
    ax = fig.axes[0]
    assert len(ax.patches) == 3  # one bar per wijk with a value
    widths = [p.get_width() for p in ax.patches]
    assert widths == sorted(widths)  # ordered: the highest on top
    assert widths[-1] == pytest.approx(286.7)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["WK016401", "WK016402",
                                                             "Binnenstad"]
    assert {t.get_text().strip() for t in ax.texts} == {"286,7", "29,6", "39,8"}
    notes = " ".join(t.get_text() for t in fig.texts)
    assert "geen kaart" in notes and "WK016409" in notes


def test_values_must_be_keyed_by_wijk_code() -> None:
    with pytest.raises(InputError, match="wijkcode"):
        wijk_choropleth({"BU01640000": 1.0}, None, title="t", source="s", banner=None)
    with pytest.raises(InputError, match="kaartbestand niet gevonden"):
        wijk_choropleth({"WK016400": 1.0}, "bestaat/niet.geojson", title="t", source="s",
                        banner=None)


def test_map_panels_give_each_indicator_its_own_scale_and_mark_the_tested_wijken():
    """Small multiples on the demo's real wijk map (shipped in the package): one axes per
    indicator with a patch per wijk, each colour scale from that indicator's own lowest to
    highest wijk (7,3 against 7,5 stays visible), the ▲/▼ of a tested difference on the wijk."""
    from ivb_analysis.demo.write import GEOMETRY_SOURCE
    from ivb_analysis.maps import wijk_map_panels

    codes = [f"WK01640{k}" for k in range(10)]
    cijfer = pd.Series([7.3 + k / 50 for k in range(10)], index=codes)  # 7,30 .. 7,48
    share = pd.Series([10.0 + 5 * k for k in range(10)], index=codes)
    fig = wijk_map_panels(
        [("Rapportcijfer", cijfer, {"WK016405": " ▼"}, 1), ("Overlast", share, {}, 0),
         ("Cohesie", cijfer, {}, 1)],
        GEOMETRY_SOURCE, title="Kaarten", source="Bron: test", banner=None)
    maps = [ax for ax in fig.axes if ax.patches]
    bars = [ax for ax in fig.axes if not ax.patches]
    assert len(maps) == 3 and len(bars) == 3
    assert all(len(ax.patches) == 10 for ax in maps)
    limits = [bar.collections[0].norm if bar.collections else None for bar in bars]
    ranges = sorted(tuple(round(v, 2) for v in ax.get_xlim()) for ax in bars)
    assert (7.3, 7.48) in ranges and (10.0, 55.0) in ranges, (ranges, limits)
    berflo = [t.get_text() for t in maps[0].texts]
    assert berflo == ["▼"]  # three in a row: only the mark; the values are in the matrix
    assert fig.texts[0].get_text() == "Kaarten" and png_bytes(fig)[:4] == b"\x89PNG"
    with pytest.raises(ValueError):
        wijk_map_panels([], GEOMETRY_SOURCE, title="", source="", banner=None)
