"""House style and figure functions: each returns a matplotlib Figure; saving lives elsewhere.

Figures are built on `matplotlib.figure.Figure`, not pyplot: no global state, nothing shown
twice in a notebook. Style: Okabe-Ito colour-blind-safe palette, Dutch labels and decimal comma,
a source line under every figure and the "SYNTHETISCHE DEMODATA" banner for synthetic data.
"""

from __future__ import annotations

import io

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ivb_analysis.tables import dutch_number

PALETTE = {"blauw": "#0072B2", "oranje": "#E69F00", "groen": "#009E73", "rood": "#D55E00",
           "paars": "#CC79A7", "geel": "#F0E442", "lichtblauw": "#56B4E9", "grijs": "#999999"}
A4_WIDTH_INCH = 6.3  # text width of an A4 page with 2.5 cm margins
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titleweight": "bold",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "figure.dpi": 100,
    "svg.hashsalt": "ivb-analysis",
}
# No timestamps or software versions in the files: the same data give the same bytes.
METADATA = {"png": {"Software": None}, "svg": {"Date": None, "Creator": None},
            "pdf": {"CreationDate": None, "ModDate": None, "Producer": None, "Creator": None}}


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    """The figure as PNG (for notebooks and HTML), without volatile metadata."""
    buffer = io.BytesIO()
    with mpl.rc_context(STYLE):
        fig.savefig(buffer, format="png", dpi=dpi, metadata=METADATA["png"])
    return buffer.getvalue()


def _decimal_comma(decimals: int = 1) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: dutch_number(x, decimals))


def finish(fig: Figure, *, source: str, banner: str | None, note: str | None = None) -> Figure:
    """Add the source line (and note) at the bottom and the synthetic-data banner on top."""
    text = source if note is None else f"{note}\n{source}"
    fig.text(0.01, 0.01, text, fontsize=7, color="#444444", ha="left", va="bottom")
    if banner:
        fig.text(0.99, 0.995, banner, fontsize=8, color="white", ha="right", va="top",
                 fontweight="bold", bbox={"facecolor": "#b2182b", "edgecolor": "none", "pad": 2})
    return fig


def wijk_bars(
    estimates: pd.DataFrame, *, title: str, source: str, banner: str | None,
    gemeente_value: float | None = None, decimals: int = 1,
) -> Figure:
    """Horizontal bars per wijk with 95% intervals, ordered by value; suppressed wijken omitted.

    `estimates` has columns `wijk_naam`, `estimate`, `ci_low`, `ci_high`, `suppressed`.
    """
    shown = estimates[~estimates["suppressed"]].sort_values("estimate", kind="stable")
    with mpl.rc_context(STYLE):
        fig = Figure(figsize=(A4_WIDTH_INCH, 0.32 * len(shown) + 1.4))
        ax = fig.add_subplot()
        y = range(len(shown))
        ax.barh(y, shown["estimate"], color=PALETTE["blauw"], height=0.6)
        ax.errorbar(shown["estimate"], y,
                    xerr=[shown["estimate"] - shown["ci_low"],
                          shown["ci_high"] - shown["estimate"]],
                    fmt="none", ecolor="#222222", elinewidth=0.9, capsize=2)
        ax.set_yticks(list(y), shown["wijk_naam"])
        ax.xaxis.set_major_formatter(_decimal_comma(decimals))
        if gemeente_value is not None:
            ax.axvline(gemeente_value, color=PALETTE["oranje"], linewidth=1.5,
                       label=f"gemeente {dutch_number(gemeente_value, decimals)}")
            ax.legend(loc="lower right", frameon=False)
        ax.set_title(title, loc="left")
        ax.grid(axis="y", visible=False)
        fig.subplots_adjust(left=0.25, bottom=0.22 if len(shown) < 6 else 0.14, top=0.9)
        omitted = len(estimates) - len(shown)
        note = (f"{omitted} wijk(en) met te weinig respondenten niet getoond; "
                if omitted else "") + "lijnen: 95%-betrouwbaarheidsinterval"
        return finish(fig, source=source, banner=banner, note=note)
