"""The house style of every explorable: colours, fonts and title settings, written once.

The colours are matplotlib's ``tab10`` (those of the book's static figures), so a curve
has the same colour in a static figure and in an explorable.
"""

from __future__ import annotations

__all__ = ["PALETTE", "COLORS", "TITLE", "FONT_SIZE", "config", "power_labels"]

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


_SUPERSCRIPTS = dict(zip("-0123456789", "\u207b\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079"))


def power_labels(low: float = 0.01, high: float = 1e4) -> str:
    """A Vega ``labelExpr`` for a log axis whose ticks are powers of ten, written as a reader
    reads them (other ticks unlabelled): plain decimals in ``[low, high)`` (``0.01``, ``1``, ``100``), ``10\u2074``,
    ``10\u207b\u00b3`` outside (``alt.Axis(labelExpr=power_labels())``)."""
    exp = "'' + round(log(datum.value) / LN10)"
    for a, b in _SUPERSCRIPTS.items():
        exp = f"replace({exp}, regexp('{a}', 'g'), '{b}')"
    decade = "abs(log(datum.value) / LN10 - round(log(datum.value) / LN10)) < 1e-6"
    return (f"!({decade}) ? '' : datum.value >= {low:g} && datum.value < {high:g} ? format(datum.value, '~g') "
            f": '10' + {exp}")
