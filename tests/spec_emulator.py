"""What a Vega-Lite spec of an explorable shows, computed in Python (no browser).

The explorables' layers read named data sets (or inline values) and pass them through a
few kinds of transforms: ``filter`` on the control values, ``calculate`` (a number, or a
column picked by a control: ``datum['phi_' + d]``), ``flatten`` of packed curves and
``lookup``. This module applies those transforms to give the records each named layer
draws at one setting of the controls, so the unit tests compare them with
``expected(**setting)`` of ``w2s_lib``. The browser tests (``test_site_browser.py``) read
the same records from what Vega really drew.
"""

from __future__ import annotations

import math
import re

__all__ = ["units", "layer_name", "layer_names", "shown", "same_records"]


def units(node):
    """Every unit spec (one with a mark) of a Vega-Lite spec tree."""
    if isinstance(node, dict):
        if "mark" in node:
            yield node
        for k, v in node.items():
            if k not in ("datasets", "data"):
                yield from units(v)
    elif isinstance(node, list):
        for v in node:
            yield from units(v)


def layer_name(unit):
    """A unit's layer name without the ``_<i>`` Altair appends inside layer charts."""
    return re.sub(r"_\d+$", "", unit["name"]) if "name" in unit else None


def layer_names(spec) -> set:
    """The names of every named layer of ``spec``."""
    return {layer_name(u) for u in units(spec) if "name" in u}


def _with_context(node, data=None, transforms=()):
    """(unit, data, transforms inherited from enclosing views + its own) for every unit."""
    if isinstance(node, dict):
        data = node.get("data", data)
        transforms = tuple(transforms) + tuple(node.get("transform", ()))
        if "mark" in node:
            yield node, data, transforms
        for k, v in node.items():
            if k not in ("datasets", "data", "transform"):
                yield from _with_context(v, data, transforms)
    elif isinstance(node, list):
        for v in node:
            yield from _with_context(v, data, transforms)


_PICK = re.compile(r"datum\['(\w+)' \+ (\w+)\]")
_FUNCS = {"abs": abs, "min": min, "max": max, "pow": pow, "sqrt": math.sqrt, "log": math.log, "exp": math.exp,
          "isFinite": lambda x: isinstance(x, (int, float)) and math.isfinite(x)}


def _eval(expr, row, setting):
    """A Vega expression of the kinds the specs use, evaluated in Python."""
    m = _PICK.fullmatch(expr.strip())
    if m:
        return row[m.group(1) + _js_str(setting[m.group(2)])]
    py = re.sub(r"datum\[['\"](\w+)['\"]\]", r"_row['\1']", expr)
    py = re.sub(r"datum\.(\w+)", r"_row['\1']", py)
    py = py.replace("&&", " and ").replace("||", " or ").replace("===", "==").replace("!==", "!=")
    py = re.sub(r"!(?!=)", " not ", py)
    py = re.sub(r"\btrue\b", "True", re.sub(r"\bfalse\b", "False", py))
    # a ? b : c  ->  (b if a else c), innermost first (no nested parentheses in our specs' ternaries)
    tern = re.compile(r"([^?:()]+)\?([^?:()]+):([^?:()]+)")
    while "?" in py:
        new = tern.sub(r"(\2 if \1 else \3)", py, count=1)
        if new == py:
            raise AssertionError(f"expression not understood: {expr!r}")
        py = new
    return eval(py, {"__builtins__": {}}, {"_row": row, **_FUNCS, **setting})  # noqa: S307 - our own specs


def _js_str(v):
    """A value as JavaScript's string concatenation writes it."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v == int(v) and abs(v) < 1e21:
        return str(int(v))
    return str(v)


def _is_label(expr: str) -> bool:
    return "format(" in expr or ("'" in expr and not _PICK.fullmatch(expr.strip()))


def shown(spec, layer, setting):
    """The records the unit named ``layer`` draws at ``setting``: its data through its transforms.

    Calculated text labels are skipped (the browser tests read them); any other transform
    this module does not understand is an error.
    """
    found = [(u, d, t) for u, d, t in _with_context(spec) if layer_name(u) == layer]
    assert len(found) == 1, f"{len(found)} layers named {layer!r}"
    _, data, transforms = found[0]
    values = spec["datasets"][data["name"]] if "name" in data else data["values"]
    rows = [dict(r) for r in values]
    for tr in transforms:
        if "filter" in tr:
            expr = tr["filter"]
            if not isinstance(expr, str):
                raise AssertionError(f"layer {layer!r}: filter {expr} not understood")
            rows = [r for r in rows if _eval(expr, r, setting)]
        elif "calculate" in tr:
            if _is_label(tr["calculate"]):
                continue
            for r in rows:
                r[tr["as"]] = _eval(tr["calculate"], r, setting)
        elif "flatten" in tr:
            fields = tr["flatten"]
            rows = [dict(r, **{f: r[f][i] for f in fields}) for r in rows for i in range(len(r[fields[0]]))]
        elif "lookup" in tr:
            src = tr["from"]
            rows_from = spec["datasets"][src["data"]["name"]] if "name" in src["data"] else src["data"]["values"]
            table = {r[src["key"]]: r for r in rows_from}
            for r in rows:
                hit = table[r[tr["lookup"]]]
                r.update({f: hit[f] for f in src["fields"]})
        else:
            raise AssertionError(f"layer {layer!r}: transform {tr} not understood by the emulator")
    return rows


def same_records(where, got, want, rtol=1e-6):
    """Assert two lists of records are equal up to order, floats to ``rtol`` (fields of ``want`` only)."""
    assert len(got) == len(want), f"{where}: {len(got)} records shown, w2s_lib gives {len(want)}"
    if not want:
        return
    keys = sorted(want[0])

    def order(r):  # round-off (|x| < 1e-12, or past 5 digits) must not change the pairing
        return tuple((f"{r[k]:.5g}" if abs(r[k]) >= 1e-12 else "0") if isinstance(r[k], float) else str(r[k])
                     for k in keys)

    def close(g, w):
        return all(math.isclose(g[k], w[k], rel_tol=rtol, abs_tol=1e-12)
                   if isinstance(w[k], float) and not isinstance(w[k], bool) else g[k] == w[k] for k in keys)

    pairs = list(zip(sorted(got, key=order), sorted(want, key=order)))
    if all(close(g, w) for g, w in pairs):
        return
    # Sorting can pair wrongly when records tie to 5 digits in the first keys (a plateau of a
    # curve): match each expected record with a shown record equal to it within rtol instead.
    left = list(got)
    for w in sorted(want, key=order):
        j = next((i for i, g in enumerate(left) if close(g, w)), None)
        assert j is not None, f"{where}: w2s_lib record {w} is not shown"
        left.pop(j)
