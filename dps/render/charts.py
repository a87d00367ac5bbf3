"""PNG charts of the profile, drawn headless with matplotlib from the profile.json entries alone.

matplotlib's object API with the Agg canvas: no pyplot, no global backend, nothing needs a display.
"""

from __future__ import annotations

import io
import math
import textwrap
import warnings

from dps.render.format import pct

# Colour-blind-safe (Okabe-Ito); sources beyond eight reuse them with dashed lines.
COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
THRESHOLD_COLOR = "#C0143C"
# Fonts with Hangul that matplotlib uses after DejaVu Sans when they are installed (source names may be Korean).
_HANGUL_FONTS = ("Noto Sans CJK KR", "Noto Sans KR", "NanumGothic", "Malgun Gothic", "AppleGothic",
                 "Apple SD Gothic Neo", "UnDotum")


def _font_families() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ["DejaVu Sans", *[f for f in _HANGUL_FONTS if f in installed]]


def threshold_lines(entry: dict, sources: list[str]) -> list[str]:
    """Title lines: each configured threshold and the share of every source it would remove."""
    edges = entry["histogram"]["edges"]
    lines = []
    for t in entry["thresholds"]:
        if t["value"] is None:
            lines.append(f"{t['param']} off")
            continue
        where = "" if edges[0] <= t["value"] <= edges[-1] else " (beyond the axis)"
        removed = ", ".join(f"{s} {pct(t['removed'][s]['fraction'])}" for s in sources)
        condition = f" {t['condition']}" if t["condition"] else ""
        lines.append(f"{t['symbol']} {t['param']} = {t['value']:g}{condition}{where} removes: {removed}")
    return lines


def metric_png(entry: dict, sources: list[str]) -> bytes:
    """One histogram per source (share of the source's documents per bin) with the thresholds as lines."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    hist = entry["histogram"]
    edges = hist["edges"]
    title = [f"{entry['name']}: {entry['description']}" if entry["description"] else entry["name"]]
    for line in threshold_lines(entry, sources):
        title += textwrap.wrap(line, 110, subsequent_indent="    ")
    with matplotlib.rc_context({"font.family": "sans-serif", "font.sans-serif": _font_families()}), \
            warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")  # no Hangul font installed
        # Fixed margins in inches (a layout engine would double the drawing time): title lines on top, legend
        # rows below the x axis label.
        legend_rows = math.ceil(len(sources) / 3)
        top, bottom = 0.15 + 0.17 * len(title), 0.62 + 0.17 * legend_rows
        height = 2.6 + top + bottom
        fig = Figure(figsize=(9, height), dpi=90)
        FigureCanvasAgg(fig)
        fig.subplots_adjust(left=0.075, right=0.985, top=1 - top / height, bottom=bottom / height)
        ax = fig.add_subplot()
        fill = len(sources) <= 3
        for i, source in enumerate(sources):
            counts = hist["counts"][source]
            outside = hist["below"][source] + hist["above"][source]
            docs = sum(counts) + outside
            shares = [c / docs if docs else 0.0 for c in counts]
            color = COLORS[i % len(COLORS)]
            style = "-" if i < len(COLORS) else "--"
            label = f"{source} ({docs:,} docs" + (f", {pct(outside / docs)} beyond the axis)" if outside else ")")
            if fill:
                ax.stairs(shares, edges, fill=True, color=color, alpha=0.25)
            ax.stairs(shares, edges, color=color, linestyle=style, linewidth=1.4, label=label)
        if entry["scale"] in ("count", "positive"):
            ax.set_xscale("symlog", linthresh=1, linscale=0.4)  # heavy tails; symlog keeps 0 on the axis
            ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:,g}"))
        ax.set_xlim(edges[0], edges[-1])
        for j, t in enumerate(entry["thresholds"]):
            if t["value"] is not None and edges[0] <= t["value"] <= edges[-1]:
                ax.axvline(t["value"], color=THRESHOLD_COLOR, linestyle="--", linewidth=1.6)
                # Label on the side of the line with more room, so it stays inside the figure.
                right_half = ax.transAxes.inverted().transform(ax.transData.transform((t["value"], 0)))[0] > 0.6
                ax.annotate(f"{t['param']} = {t['value']:g}", xy=(t["value"], 1), xycoords=("data", "axes fraction"),
                            xytext=(-3 if right_half else 3, -12 - 11 * j), textcoords="offset points",
                            ha="right" if right_half else "left", color=THRESHOLD_COLOR, fontsize=8)
        ax.set_ylim(bottom=0)
        ax.set_xlabel(entry["metric"] + (" (log scale)" if entry["scale"] in ("count", "positive") else ""))
        ax.set_ylabel("share of the source's documents")
        fig.text(0.01, 1 - 0.08 / height, "\n".join(title), ha="left", va="top", fontsize=9.5)
        # Below the plot: never over a line or the title, whatever the number of sources.
        fig.legend(fontsize=8, loc="lower center", frameon=False, ncols=min(len(sources), 3),
                   bbox_to_anchor=(0.5, 0.0), borderaxespad=0.2)
        ax.grid(axis="y", alpha=0.3)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()
