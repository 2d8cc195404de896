"""The library's layering: no import cycle between w2s_lib modules, and the explorables
(figures drawn by Vega-Lite) import no matplotlib figure module.

Imports are read from the source (module level and inside functions), so a cycle hidden
behind a lazy import inside a function is found too.
"""

from __future__ import annotations

import ast
import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[1] / "w2s_lib"


def _module_name(path: pathlib.Path) -> str:
    rel = path.relative_to(ROOT.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: pathlib.Path) -> set[str]:
    """Every w2s_lib module ``path`` imports, anywhere in the file."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.startswith("w2s_lib"):
                out.add(mod)
                out.update(f"{mod}.{a.name}" for a in node.names)  # `from . import x` of a module
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("w2s_lib"))
    return out


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        graph[name] = {m for m in _imports(path) if m in files and m != name}
    return graph


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = set()
            while True:
                w = stack.pop()
                on.discard(w)
                comp.add(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_w2s_lib_modules():
    graph = {k: {m for m in v if not (k.startswith(m + ".") or m == "w2s_lib")} for k, v in _graph().items()}
    assert _cycles(graph) == []


def test_explorables_import_no_matplotlib_module():
    """An explorable is the one definition of its figure: it draws with Vega-Lite and takes
    its numbers from the science modules, never from a matplotlib figure module."""
    graph = _graph()
    bad = {}
    for name, deps in graph.items():
        if name.startswith("w2s_lib.explorables"):
            path = ROOT.parent / (name.replace(".", "/") + ".py")
            if not path.exists():
                path = ROOT.parent / name.replace(".", "/") / "__init__.py"
            src_imports = {n.names[0].name for n in ast.walk(ast.parse(path.read_text()))
                           if isinstance(n, ast.Import)} | {n.module or "" for n in ast.walk(ast.parse(path.read_text()))
                                                           if isinstance(n, ast.ImportFrom) and not n.level}
            figure_deps = sorted(d for d in deps if d.split(".")[-1].startswith("figures_") or d.endswith(".interactive"))
            mpl = sorted(m for m in src_imports if m.split(".")[0] == "matplotlib")
            if figure_deps or mpl:
                bad[name] = figure_deps + mpl
    assert not bad, bad


#: Private matplotlib attributes the removed widget machinery relied on.
_MPL_PRIVATE = ("._children", "._process_plot_var_args", "._get_lines", "._autotitlepos", "._left_title",
                "._suptitle", "._loc", "._ncols", "._dash_pattern", "._base", "._set_artist_props")


def test_no_matplotlib_private_attribute_in_w2s_lib():
    hits = [f"{p.relative_to(ROOT.parent)}: {attr}" for p in ROOT.rglob("*.py") for attr in _MPL_PRIVATE
            if attr in p.read_text()]
    assert not hits, hits


#: Explorable modules of chapters written after issue 24 set the 4,000-line budget of chapters
#: 1-8 (figures, explorables and their machinery); each is held to its own budget below.
_LATER_CHAPTERS = {"mechanism.py": 160}


def test_the_figure_layer_stays_small():
    """The figure layer of chapters 1-8 (matplotlib figures, explorables, their machinery) at most
    4,000 lines (issue 24); a later chapter's explorable module at most its own budget."""
    files = list(ROOT.glob("figures_*.py")) + list((ROOT / "explorables").glob("*.py")) + \
        list((ROOT / "explorables").glob("*.js"))
    assert not (ROOT / "interactive.py").exists(), "the matplotlib widget layer is gone"
    later = {p for p in files if p.name in _LATER_CHAPTERS}
    lines = sum(len(p.read_text().splitlines()) for p in files if p not in later)
    assert lines <= 4000, f"the figure layer of chapters 1-8 has {lines} lines"
    for p in later:
        n = len(p.read_text().splitlines())
        assert n <= _LATER_CHAPTERS[p.name], f"{p.name} has {n} lines"
