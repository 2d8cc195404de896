"""The house style of every explorable: colours, fonts and title settings, written once.

The colours are matplotlib's ``tab10`` (those of the book's static figures), so a curve
has the same colour in a static figure and in an explorable.
"""

from __future__ import annotations

__all__ = ["PALETTE", "COLORS", "TITLE", "FONT_SIZE", "config"]

#: matplotlib's tab10, in its order.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
           "#bcbd22", "#17becf")
#: What each colour means throughout the book.
COLORS = {
    "theory": "black",          # exact / limit curves
    "simulation": PALETTE[0],   # a finite simulation, the student
    "student": PALETTE[0],
    "teacher": PALETTE[3],      # the weak teacher
    "strong": PALETTE[2],       # strong baseline
    "ceiling": PALETTE[4],      # strong ceiling
    "marker": PALETTE[4],       # the reader's current choice
    "rest": PALETTE[7],         # lumped / other
}
FONT_SIZE = 12
#: Keyword arguments of every panel title (``alt.Title(text, **TITLE)``).
TITLE = {"fontSize": FONT_SIZE}


def config() -> dict:
    """Vega-Lite ``config`` shared by every explorable (fonts and sizes of the static figures)."""
    return {"font": "DejaVu Sans, Arial, sans-serif", "axis": {"labelFontSize": 11, "titleFontSize": 12},
            "legend": {"labelFontSize": 11, "titleFontSize": 12}, "title": {"fontSize": FONT_SIZE}}
