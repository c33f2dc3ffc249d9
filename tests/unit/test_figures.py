"""Figure functions on hand-built frames: the expected elements are there, the bytes are stable."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import Collection
from matplotlib.colors import to_hex, to_rgb
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.text import Text

from ivb_analysis import export, figures, style
from ivb_analysis.figures import AnnexFigure

SOURCE = "Bron: Veiligheidsmonitor 2015, bewerking gemeente Proefstad"
BANNER = "SYNTHETISCHE DEMODATA"


def _texts(fig: Figure) -> list[str]:
    """Every text drawn on the figure (figure texts, axes texts, tick labels, legends)."""
    out = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        out += [t.get_text() for t in ax.texts]
        out += [t.get_text() for t in ax.get_yticklabels() + ax.get_xticklabels()]
        out.append(ax.get_title(loc="left"))
    for legend in fig.legends:
        out += [t.get_text() for t in legend.get_texts()]
    return out


def _by_gid(fig: Figure, gid: str) -> list:
    return [a for a in fig.findobj() if a.get_gid() == gid]


def _bars(fig: Figure) -> list:
    return [p for ax in fig.axes for c in ax.containers if isinstance(c, BarContainer)
            for p in c.patches]


@pytest.fixture
def wijken() -> pd.DataFrame:
    return pd.DataFrame({
        "wijk_naam": ["Centrum", "Noord", "Oost", "Zuid", "West"],
        "estimate": [6.9, 7.4, 7.6, np.nan, 8.1],
        "ci_low": [6.7, 7.2, 7.4, np.nan, 7.9],
        "ci_high": [7.1, 7.6, 7.8, np.nan, 8.3],
        "n": [310, 95, 280, 30, 250],
        "suppressed": [False, False, False, True, False],
        "indicatief": [False, True, False, False, False],
        "verdict": ["slechter", "gelijk", "gelijk", None, "beter"],
        "difference": [-0.6, 0.0, 0.2, np.nan, 0.7],
    })


def test_wijk_bars_draws_only_shown_wijken_with_markers_and_notes(wijken):
    fig = figures.wijk_bars(wijken, title="Rapportcijfer leefbaarheid per wijk, 2015",
                            source=SOURCE, banner=BANNER, gemeente_value=7.45,
                            kind="rapportcijfer", gemeente_label="heel Proefstad")
    assert isinstance(fig, AnnexFigure)
    assert len(_bars(fig)) == 4  # Zuid (n = 30) is suppressed
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert ticks == ["Centrum", "Noord *", "Oost", "West"]  # low to high, indicatief marked
    markers = {m.get_text(): m.get_color() for m in _by_gid(fig, "significance-marker")}
    assert sorted(markers) == ["▲ beter", "▼ slechter"]  # arrow: direction; word: judgement
    assert markers["▲ beter"] == figures.PALETTE["groen"]
    assert markers["▼ slechter"] == figures.PALETTE["rood"]
    texts = " ".join(_texts(fig))
    assert "Niet getoond (minder dan 50 respondenten): Zuid." in texts
    assert "* indicatief: 50 tot 100 respondenten." in texts
    assert "heel Proefstad 7,5" in texts and SOURCE in texts
    assert f"{BANNER}: deze cijfers zijn verzonnen" in texts
    assert "8,1" in texts and "6,9" in texts  # value labels with a decimal comma
    assert "Zuid" in fig.alt_text and "West" in fig.alt_text and "Centrum" in fig.alt_text


def test_wijk_bars_without_banner_intervals_or_verdicts():
    frame = pd.DataFrame({"wijk_naam": ["A", "B"], "estimate": [12.5, 40.0],
                          "suppressed": [False, False]})
    fig = figures.wijk_bars(frame, title="Misdrijven per 1.000 inwoners", source=SOURCE,
                            banner=None, kind="rate")
    texts = " ".join(_texts(fig))
    assert BANNER not in texts and "95%" not in texts
    assert not _by_gid(fig, "significance-marker")
    assert len(_bars(fig)) == 2


def test_percentage_axes_and_labels_are_dutch():
    frame = pd.DataFrame({"wijk_naam": ["A", "B"], "estimate": [23.4, 4.56],
                          "ci_low": [20.0, 3.0], "ci_high": [27.0, 6.5],
                          "suppressed": [False, False]})
    fig = figures.wijk_bars(frame, title="Overlast", source=SOURCE, banner=None,
                            kind="percentage")
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert ticks[0] == "0%" and all(t.endswith("%") for t in ticks if t)
    texts = _texts(fig)
    assert "23%" in texts and "4,6%" in texts


def _series(years, indicators=("a", "b"), kind="percentage", unit="% eens"):
    rows = []
    for k, ind in enumerate(indicators):
        for y in years:
            value = 30.0 + 10 * k + (y - 2012) * 0.3
            rows.append({"indicator": ind, "label": f"Indicator {ind}", "kind": kind,
                         "unit": unit, "year": y, "estimate": value, "ci_low": value - 2,
                         "ci_high": value + 2})
    return pd.DataFrame(rows)


def test_trend_lines_stop_at_the_method_break():
    data = _series([2012, 2013, 2015, 2017, 2019, 2021, 2023])
    fig = figures.trend_lines(data, title="Inzet gemeente", source=SOURCE, banner=BANNER,
                              method_break=2021)
    lines = _by_gid(fig, "trend-line")
    assert len(lines) == 4  # two indicators x two sides of the break
    for line in lines:
        x = np.asarray(line.get_xdata(), dtype=float)
        assert (x < 2021).all() or (x >= 2021).all()  # no segment crosses the break
    breaks = _by_gid(fig, "method-break")
    assert len(breaks) == 1 and np.asarray(breaks[0].get_xdata(), float)[0] == 2020
    texts = " ".join(_texts(fig))
    assert "methodebreuk" in texts and "Vanaf 2021 is de Veiligheidsmonitor vernieuwd" in texts
    assert "Indicator a" in texts and "Indicator b" in texts
    assert "methodebreuk van 2021" in fig.alt_text


def test_trend_without_the_break_in_view_has_one_line_per_indicator():
    fig = figures.trend_lines(_series([2012, 2013, 2014, 2015]), title="T", source=SOURCE,
                              banner=None, method_break=2021)
    assert len(_by_gid(fig, "trend-line")) == 2
    assert not _by_gid(fig, "method-break")
    assert "methodebreuk" not in " ".join(_texts(fig))


def test_trend_panels_one_panel_per_indicator_with_dutch_ticks():
    data = _series([2012, 2013, 2014, 2015], indicators=("a", "b", "c", "d"),
                   kind="rapportcijfer", unit="cijfer 1-10")
    data["estimate"] = 7.2 + (data["year"] - 2012) * 0.1
    data["ci_low"], data["ci_high"] = data["estimate"] - 0.1, data["estimate"] + 0.1
    fig = figures.trend_panels(data, title="Leefbaarheid", source=SOURCE, banner=None,
                               method_break=2021)
    assert len(fig.axes) == 4
    fig.canvas.draw()
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_text()]
    assert ticks and all("," in t for t in ticks)
    assert "Cijfer 1-10" in _texts(fig)  # the common unit moves to the subtitle


def test_compact_year_labels_are_thinned():
    waves = np.array([2012, 2013, 2014, 2015, 2017, 2019, 2021, 2023], dtype=float)
    labels = figures._year_labels(waves, compact=True)
    assert labels == ["’12", "", "’14", "", "’17", "’19", "’21", "’23"]
    assert figures._year_labels(waves[:4], compact=True) == ["2012", "2013", "2014", "2015"]


def test_grouped_bars_one_bar_per_group_and_category_with_legend():
    data = pd.DataFrame({
        "label": ["Inbraak", "Fietsdiefstal"] * 2,
        "year": [2015, 2015, 2013, 2013],
        "estimate": [1.6, 6.9, 1.5, 7.4],
        "ci_low": [1.2, 6.0, 1.1, 6.5], "ci_high": [2.1, 7.9, 2.0, 8.4],
    })
    markers = pd.Series({"Inbraak": None, "Fietsdiefstal": "▲"})
    fig = figures.grouped_bars(data, category="label", group="year", title="Slachtofferschap",
                               source=SOURCE, banner=None, kind="percentage",
                               groups=[2015, 2013], markers=markers, marker_note="▲ beter")
    bars = _bars(fig)
    assert len(bars) == 4
    assert len({b.get_hatch() for b in bars}) == 2  # groups differ in hatch, not only colour
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2015", "2013"]
    assert [m.get_text() for m in _by_gid(fig, "significance-marker")] == ["▲"]
    assert "Fietsdiefstal" in fig.alt_text


def test_footprint_chart_symbols_words_and_colours():
    table = pd.DataFrame({
        "label": ["Rapportcijfer leefbaarheid", "Overlast totaal", "Preventie"],
        "position_2013": ["beter", "slechter", "hoger"],
        "position_2015": ["gelijk", "slechter", None],
        "development": ["slechter", "gelijk", "lager"],
        "difference_2013": [0.4, 5.0, 0.8],  # overlast higher than the G32: worse
        "difference_2015": [0.0, 6.0, np.nan],
        "development_difference": [-0.3, 1.0, -0.5],
    })
    columns = [("position_2013", "Positie 2013 t.o.v. G32"),
               ("position_2015", "Positie 2015 t.o.v. G32"),
               ("development", "Ontwikkeling 2013–2015 t.o.v. G32")]
    fig = figures.footprint_chart(table, columns, title="Footprint", source=SOURCE,
                                  banner=BANNER)
    symbols = [t.get_text() for t in _by_gid(fig, "footprint-symbol")]
    # cijfer higher and better; overlast higher and worse; a neutral indicator: hoger/lager
    assert symbols == ["▲", "●", "▼", "▲", "▲", "●", "▲", "–", "▼"]
    colours = {t.get_text(): t.get_color() for t in _by_gid(fig, "footprint-symbol")}
    assert colours["●"] != colours["▼"]
    texts = _texts(fig)
    for word in ("beter", "gelijk", "slechter", "hoger", "lager", "niet getoetst"):
        assert word in texts
    assert "Positie 2015 t.o.v. G32: gelijk 1, slechter 1, niet getoetst 1." in fig.alt_text


def test_figure_bytes_are_stable_and_carry_no_dates(wijken):
    def build() -> Figure:
        return figures.wijk_bars(wijken, title="T", source=SOURCE, banner=BANNER,
                                 gemeente_value=7.4, kind="rapportcijfer")

    for fmt in ("svg", "pdf", "png"):
        first = figures.figure_bytes(build(), fmt, dpi=100)
        assert first == figures.figure_bytes(build(), fmt, dpi=100), fmt
    pdf = figures.figure_bytes(build(), "pdf")
    assert b"CreationDate" not in pdf and b"Producer" not in pdf
    assert b"<dc:date>" not in figures.figure_bytes(build(), "svg")
    assert figures.png_bytes(build())[:8] == b"\x89PNG\r\n\x1a\n"


def test_save_figure_writes_three_formats_and_the_alt_text(tmp_path, wijken):
    fig = figures.wijk_bars(wijken, title="T", source=SOURCE, banner=None)
    written = export.save_figure(fig, tmp_path, "proef")
    assert sorted(p.name for p in written) == ["proef.alt.txt", "proef.pdf", "proef.png",
                                               "proef.svg"]
    assert (tmp_path / "proef.alt.txt").read_text(encoding="utf-8").startswith("Staafdiagram")
    assert (tmp_path / "proef.pdf").read_bytes().startswith(b"%PDF")
    with pytest.raises(ValueError, match="alt-tekst"):
        export.save_figure(Figure(), tmp_path, "leeg")


def test_finish_keeps_working_for_other_figures():
    fig = Figure(figsize=(figures.A4_WIDTH_INCH, 3))
    fig.add_subplot().plot([1, 2], [3, 4], color=figures.PALETTE["blauw"])
    figures.finish(fig, source=SOURCE, banner=BANNER, note="Een noot.")
    texts = _texts(fig)
    assert SOURCE in texts and "Een noot." in texts
    assert f"{BANNER}: deze cijfers zijn verzonnen" in texts
    assert figures.STYLE["svg.hashsalt"]


# --- paper: panels, text size, honest axes, marks -------------------------------------------------


def _all_figures(wijken) -> dict[str, Figure]:
    trend = _series([2012, 2013, 2014, 2015, 2017, 2019, 2021, 2023], indicators=("a", "b", "c"))
    victims = pd.DataFrame({
        "label": ["Inbraak", "Fietsdiefstal"] * 2, "year": [2015, 2015, 2013, 2013],
        "estimate": [1.6, 6.9, 1.5, 7.4], "ci_low": [1.2, 6.0, 1.1, 6.5],
        "ci_high": [2.1, 7.9, 2.0, 8.4]})
    footprint = pd.DataFrame({"label": ["Rapportcijfer leefbaarheid"], "position_2015": ["beter"],
                              "difference_2015": [0.3]})
    return {
        "wijk_bars": figures.wijk_bars(wijken, title="Cijfer", source=SOURCE, banner=BANNER,
                                       gemeente_value=7.4, kind="rapportcijfer"),
        "grouped_bars": figures.grouped_bars(
            victims, category="label", group="year", title="Slachtofferschap", source=SOURCE,
            banner=BANNER, kind="percentage", groups=[2015, 2013],
            verdicts=pd.Series({"Fietsdiefstal": "beter"})),
        "trend_lines": figures.trend_lines(trend, title="T", source=SOURCE, banner=BANNER,
                                           method_break=2021),
        "trend_panels": figures.trend_panels(trend, title="T", source=SOURCE, banner=BANNER,
                                             method_break=2021),
        "footprint": figures.footprint_chart(footprint, [("position_2015", "Positie 2015")],
                                             title="F", source=SOURCE, banner=BANNER),
    }


def test_no_text_below_8_points_at_the_printed_size(wijken):
    for name, fig in _all_figures(wijken).items():
        assert fig.get_figwidth() <= figures.A4_WIDTH_INCH, name  # printed at 100%: 16 cm
        fig.canvas.draw()
        sizes = {(t.get_text(), t.get_fontsize()) for t in fig.findobj(Text)
                 if t.get_visible() and t.get_text().strip()}
        small = {s for s in sizes if s[1] < figures.MIN_FONT_PT}
        assert sizes and not small, (name, sorted(small)[:5])


def test_eleven_indicators_become_two_figures_of_at_most_six_panels():
    names = tuple("abcdefghijk")
    data = _series([2013, 2015], indicators=names)
    figs = figures.trend_panel_figures(data, title="Overlast in de buurt", source=SOURCE,
                                       banner=None)
    assert [len(f.axes) for f in figs] == [6, 5]
    assert [t.get_text() for f in figs for t in f.texts if "Overlast" in t.get_text()] == [
        "Overlast in de buurt (1 van 2)", "Overlast in de buurt (2 van 2)"]
    titles = [ax.get_title(loc="left") for f in figs for ax in f.axes]
    assert titles == [f"Indicator {n}" for n in names]  # every series once, in order
    assert figures.split_panels(list("abcdef")) == [list("abcdef")]
    assert figures.split_panels(list("abcdefg")) == [list("abcd"), list("efg")]


def test_trend_axes_are_honest():
    cijfer = _series([2013, 2015], indicators=("a",), kind="rapportcijfer", unit="cijfer")
    cijfer["estimate"] = [7.3, 7.4]
    cijfer["ci_low"], cijfer["ci_high"] = cijfer["estimate"] - 0.1, cijfer["estimate"] + 0.1
    small = _series([2013, 2015], indicators=("b",))
    small["estimate"] = [4.0, 6.0]
    small["ci_low"], small["ci_high"] = [3.0, 5.0], [5.2, 7.1]
    mid = _series([2013, 2015], indicators=("c",))
    mid["estimate"] = [41.0, 42.0]
    mid["ci_low"], mid["ci_high"] = [40.0, 41.0], [42.0, 43.0]
    fig = figures.trend_panels(pd.concat([cijfer, small, mid]), title="T", source=SOURCE,
                               banner=None)
    (c_low, c_high), (s_low, s_high), (m_low, m_high) = [ax.get_ylim() for ax in fig.axes]
    assert c_high - c_low >= 1.0 and c_low <= 7.2 and c_high >= 7.5  # a cijfer: >= 1 point
    assert s_low == 0.0 and s_high >= 7.1  # small percentages from 0
    assert m_high - m_low >= 10.0 and m_low <= 40.0 <= 43.0 <= m_high
    assert figures.value_limits("rapportcijfer", np.array([9.7, 9.9])) == (9.0, 10.0)
    assert figures.value_limits("percentage", np.array([95.0, 99.0]))[1] == 100.0


def test_arrows_show_direction_and_words_and_colours_the_judgement():
    green, red = figures.PALETTE["groen"], figures.PALETTE["rood"]
    assert figures.change_mark("beter", -2.0) == ("▼", "beter", green)  # less overlast: good
    assert figures.change_mark("slechter", 3.0) == ("▲", "slechter", red)
    assert figures.change_mark("beter", 0.4) == ("▲", "beter", green)
    assert figures.change_mark("hoger", None)[:2] == ("▲", "hoger")
    assert figures.change_mark("gelijk", 0.1)[:2] == ("●", "gelijk")
    assert figures.change_mark(None, 1.0)[:2] == ("–", "niet getoetst")
    assert figures.change_mark("beter", None)[0] == ""  # no arrow without a direction
    data = pd.DataFrame({"label": ["Overlast", "Inbraak"] * 2, "year": [2015, 2015, 2013, 2013],
                         "estimate": [20.0, 3.0, 30.0, 2.0]})
    fig = figures.grouped_bars(data, category="label", group="year", title="T", source=SOURCE,
                               banner=None, kind="percentage", groups=[2015, 2013],
                               verdicts=pd.Series({"Overlast": "beter", "Inbraak": "slechter"}))
    marks = {m.get_text(): m.get_color() for m in _by_gid(fig, "significance-marker")}
    assert marks == {"▼ beter": green, "▲ slechter": red}
    lines = sorted(fig.texts, key=lambda t: -t.get_position()[1])  # top to bottom
    footer = " ".join(t.get_text() for t in lines)  # wrapped lines joined again
    assert footer.count("significant hoger") == 1  # one legend
    assert "▲ significant hoger, ▼ significant lager; groen: beter, oranje: slechter (gelet op " \
           "wat gunstig is), vergeleken met 2013" in footer


def test_the_significance_level_and_absent_indicators_come_from_the_caller():
    """alpha is the caller's (Settings.alpha), never a literal 5%; an indicator the delivery
    lacks reads 'niet in deze levering' across its footprint row, not 'niet getoetst'."""
    data = pd.DataFrame({"label": ["Overlast"] * 2, "year": [2015, 2013],
                         "estimate": [20.0, 30.0]})
    fig = figures.grouped_bars(data, category="label", group="year", title="T", source=SOURCE,
                               banner=None, kind="percentage", groups=[2015, 2013],
                               verdicts=pd.Series({"Overlast": "beter"}), alpha=0.01)
    footer = " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "toets op 1% met" in footer and "5%" not in footer
    assert figures.alpha_text(0.025) == "2,5%"
    table = pd.DataFrame({"label": ["Sociale cohesie", "Preventie"],
                          "position_2015": [None, "beter"], "difference_2015": [np.nan, 0.5],
                          "status": ["niet in deze levering", "beschikbaar"]})
    fig = figures.footprint_chart(table, [("position_2015", "Positie 2015")], title="F",
                                  source=SOURCE, banner=None, alpha=0.1)
    assert [t.get_text() for t in _by_gid(fig, "footprint-absent")] == ["niet in deze levering"]
    assert [t.get_text() for t in _by_gid(fig, "footprint-symbol")] == ["▲"]  # Preventie only
    assert "niet getoetst" not in [t.get_text() for t in fig.axes[0].texts]
    assert "toets op 10%" in " ".join(t.get_text() for t in fig.texts).replace("\n", " ")
    assert "Niet in deze levering: Sociale cohesie." in fig.alt_text
    assert "Positie 2015: beter 1." in fig.alt_text


# --- colours by role: one meaning each, contrast, one line to change -----------------------------


def _contrast(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two colours."""
    def luminance(colour: str) -> float:
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in to_rgb(colour))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _lab(colour: str) -> np.ndarray:
    """CIE L*a*b* (D65) of an sRGB colour, for the distance between two colours."""
    rgb = np.array([c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
                    for c in to_rgb(colour)])
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                    [0.0193, 0.1192, 0.9505]]) @ rgb / np.array([0.9505, 1.0, 1.089])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _role_colours(roles: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for role in roles:
        value = getattr(style, role)
        for k, colour in enumerate(value if isinstance(value, tuple) else (value,)):
            out[f"{role}[{k}]" if isinstance(value, tuple) else role] = colour
    return out


def test_judgement_colours_are_never_a_series_colour_and_differ_from_each_other():
    judgement = _role_colours(style.JUDGEMENT_ROLES)
    series = _role_colours(style.SERIES_ROLES)
    assert len(judgement) == 4 and len(series) >= 6
    every = {**judgement, **series, "BANNER": style.BANNER}
    assert len({c.lower() for c in every.values()}) == len(every)  # one meaning each
    for (a, ca), (b, cb) in itertools.combinations(every.items(), 2):
        if (a in judgement) != (b in judgement) or "BANNER" in (a, b):
            # CIE76 distance: a judgement colour is never mistaken for a series colour
            assert np.linalg.norm(_lab(ca) - _lab(cb)) > 20, (a, b)
    assert np.linalg.norm(_lab(style.BETTER) - _lab(style.WORSE)) > 40


def test_coloured_text_has_a_contrast_of_at_least_4_5(wijken):
    """Judgement words and every other text in a figure (WCAG 1.4.3, where axe cannot see):
    dark text against the lightest grey behind text (footprint rows), white on the band."""
    assert min(_contrast(c, "#ffffff") for c in _role_colours(style.JUDGEMENT_ROLES).values()) \
        >= 4.5
    figs = _all_figures(wijken)
    table = pd.DataFrame({"label": ["a", "b", "c", "d", "e"],
                          "position_2015": ["beter", "slechter", "hoger", "gelijk", None]})
    figs["footprint_all"] = figures.footprint_chart(table, [("position_2015", "P")], title="F",
                                                    source=SOURCE, banner=BANNER)
    checked = 0
    for name, fig in figs.items():
        for text in fig.findobj(Text):
            if not (text.get_visible() and text.get_text().strip()):
                continue
            colour = to_hex(text.get_color())
            background = style.BANNER if colour == "#ffffff" else "#f0f0f0"
            assert _contrast(colour, background) >= 4.5, (name, text.get_text(), colour)
            checked += 1
    assert checked > 100


def _colours(fig: Figure) -> list[str]:
    """Every colour drawn, artist by artist in a fixed order."""
    found: list[str] = []
    for artist in fig.findobj():
        if isinstance(artist, Text):
            found.append(to_hex(artist.get_color()))
        elif isinstance(artist, Line2D):
            found += [to_hex(artist.get_color()), to_hex(artist.get_markerfacecolor())]
        elif isinstance(artist, Patch):
            found += [to_hex(artist.get_facecolor()), to_hex(artist.get_edgecolor())]
        elif isinstance(artist, Collection):
            found += [to_hex(c) for c in artist.get_facecolors()]
            found += [to_hex(c) for c in artist.get_edgecolors()]
    return found


def _role_figures(wijken) -> list[Figure]:
    """One figure of every kind, with every role in it (G32 as the benchmark group)."""
    police = pd.DataFrame({"year": [2014, 2014, 2015, 2015],
                           "reeks": ["Proefstad", "G32 (gemiddelde)"] * 2,
                           "estimate": [60.0, 55.0, 58.0, 54.0]})
    table = pd.DataFrame({"label": ["a", "b", "c", "d", "e"],
                          "position_2015": ["beter", "slechter", "hoger", "gelijk", None],
                          "difference_2015": [1.0, 1.0, 1.0, 0.0, np.nan]})
    return [
        *_all_figures(wijken).values(),
        figures.grouped_bars(police, category="year", group="reeks", title="Politie",
                             source=SOURCE, banner=BANNER, kind="rate",
                             groups=["Proefstad", "G32 (gemiddelde)"], highlight="Proefstad",
                             benchmark="G32 (gemiddelde)"),
        figures.footprint_chart(table, [("position_2015", "P")], title="F", source=SOURCE,
                                banner=BANNER),
    ]


@pytest.mark.parametrize("role", ["GEMEENTE", "GEMEENTE_TOTAL", "EARLIER", "BENCHMARK",
                                  "BETTER", "WORSE", "NEUTRAL", "DIFFERENT", "BANNER"])
def test_changing_a_role_colour_recolours_exactly_that_role(role, wijken, monkeypatch):
    """A role is one line in style.py: changed there, every mark of that role and nothing else
    takes the new colour."""
    old = to_hex(getattr(style, role))
    before = [c for fig in _role_figures(wijken) for c in _colours(fig)]
    monkeypatch.setattr(style, role, "#123456")
    after = [c for fig in _role_figures(wijken) for c in _colours(fig)]
    assert len(before) == len(after)
    changed = [k for k, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed  # the role is drawn somewhere
    assert changed == [k for k, c in enumerate(before) if c == old]
    assert {after[k] for k in changed} == {"#123456"}


def test_the_benchmark_group_has_the_benchmark_colour_and_a_legend(wijken):
    fig = _role_figures(wijken)[-2]
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == ["Proefstad", "G32 (gemiddelde)"]  # the legend says what each colour is
    colours = [to_hex(p.get_facecolor()) for p in fig.legends[0].get_patches()]
    assert colours == [style.GEMEENTE.lower(), style.BENCHMARK.lower()]
    years = figures.group_colours([2015, 2013], years=True)
    assert years == [style.GEMEENTE, style.EARLIER]
