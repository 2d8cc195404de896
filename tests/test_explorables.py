"""The explorable layer's contract (w2s_lib.explorables), tested without a browser.

The chapter explorables' numbers are compared with w2s_lib in a real browser by the
explorable tests of ``test_site_browser.py``; here: the contract itself, the registry,
the site glue (myst-nb plugin, Sphinx extension), the vendored JavaScript, and the
Python half of every registered explorable (its spec, its size, its controls).
"""

from __future__ import annotations

import base64
import json
import math
import pathlib
import re

import altair as alt
import pytest

from w2s_lib import explorables as ex
from w2s_lib.explorables import site

ROOT = pathlib.Path(__file__).resolve().parents[1]
VENDOR = pathlib.Path(site.STATIC_DIR) / "vendor" / "vega"


# --------------------------------------------------------------------------- Control
def test_range_control_needs_evenly_spaced_increasing_numbers():
    c = ex.Control("t", (0.0, 0.5, 1.0, 1.5), 0.5)
    assert c.ends == (0.0, 1.5) and c.step == 0.5
    assert c.binding() == {"input": "range", "min": 0.0, "max": 1.5, "step": 0.5, "name": "t"}
    with pytest.raises(ValueError, match="evenly spaced"):
        ex.Control("t", (0, 1, 3), 1)
    with pytest.raises(ValueError, match="evenly spaced"):
        ex.Control("t", (2, 1, 0), 1)
    with pytest.raises(ValueError, match="at least two"):
        ex.Control("t", (1,), 1)


def test_control_default_must_be_one_of_its_values():
    with pytest.raises(ValueError, match="default 7 is not one of its values"):
        ex.Control("M", (1, 2, 4), 7, kind="select")


@pytest.mark.parametrize("name", ["1x", "a-b", "with space", ""])
def test_control_name_must_be_an_identifier(name):
    with pytest.raises(ValueError, match="identifier"):
        ex.Control(name, (0, 1), 0)


def test_select_and_radio_controls_carry_options_and_labels():
    c = ex.Control("M", (1, 2, 4096), 2, kind="radio", labels=("1", "2", "4096"), label="M_TE")
    assert c.binding() == {"input": "radio", "options": [1, 2, 4096], "labels": ["1", "2", "4096"], "name": "M_TE"}
    with pytest.raises(ValueError, match="2 labels for 3 values"):
        ex.Control("M", (1, 2, 3), 2, kind="select", labels=("a", "b"))
    with pytest.raises(ValueError, match="labels apply"):
        ex.Control("M", (1, 2, 3), 2, labels=("a", "b", "c"))
    with pytest.raises(ValueError, match="kind must be"):
        ex.Control("M", (1, 2, 3), 2, kind="knob")


def test_checkbox_control_takes_false_and_true():
    c = ex.Control("mc", (False, True), False, kind="checkbox")
    assert c.binding() == {"input": "checkbox", "name": "mc"} and c.ends == (False, True)
    with pytest.raises(ValueError, match="checkbox"):
        ex.Control("mc", (0, 1), 0, kind="checkbox")


def test_control_clamp_picks_the_nearest_value():
    c = ex.Control("M", (1, 2, 4, 8), 2, kind="select")
    assert c.clamp(5.9) == 4 and c.clamp(-3) == 1 and c.clamp(1e9) == 8
    s = ex.Control("target", ("zero", "mixed"), "zero", kind="select")
    assert s.clamp("mixed") == "mixed"
    with pytest.raises(ValueError, match="target must be one of"):
        s.clamp("other")


def test_numpy_scalars_become_plain_json_values():
    import numpy as np

    c = ex.Control("M", np.array([1, 2, 4]), np.int64(2), kind="select")
    assert all(type(v) is int for v in c.values) and type(c.default) is int


# --------------------------------------------------------------------------- data
def test_records_round_to_the_data_digits_and_broadcast_scalars():
    rows = ex.records(x=[1.0, 2.0], y=[math.pi, 1 / 3], tag="a")
    assert rows == [{"x": 1.0, "y": 3.141593, "tag": "a"}, {"x": 2.0, "y": 0.3333333, "tag": "a"}]
    assert abs(rows[0]["y"] - math.pi) / math.pi < 5 * 10 ** -ex.DATA_DIGITS


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_records_refuse_non_finite_values(bad):
    with pytest.raises(ValueError, match="finite"):
        ex.records(x=[1.0, bad])


def test_records_refuse_columns_of_different_lengths():
    with pytest.raises(ValueError, match="different lengths"):
        ex.records(x=[1.0, 2.0], y=[1.0])


# --------------------------------------------------------------------------- Explorable
def _toy():
    t = ex.Control("t", (0, 1, 2), 1)
    data = ex.records(t=[0, 1, 2], y=[0.5, 1.5, 2.5])
    chart = (alt.Chart(alt.Data(values=data)).transform_filter("datum.t == t")
             .mark_point().encode(x="t:Q", y="y:Q").properties(name="pt"))
    return ex.Explorable("toy:demo", chart, [t], caption="drag t")


def test_explorable_adds_its_controls_as_bound_top_level_params():
    e = _toy()
    params = {p["name"]: p for p in e.spec["params"]}
    assert params["t"]["bind"]["input"] == "range" and params["t"]["value"] == 1
    assert e.spec["usermeta"]["w2s_explorable"] == "toy:demo"
    assert e.spec["$schema"] == ex.SCHEMA_V5
    assert e.defaults == {"t": 1} and e.control["t"].ends == (0, 2)


def test_explorable_mimebundle_is_vega_lite_a_png_and_a_text_alternative():
    bundle = _toy()._repr_mimebundle_()
    assert set(bundle) == {ex.MIME_TYPE, "image/png", "text/plain"}, "one copy of the spec per output"
    assert ex.MIME_TYPE == "application/vnd.vegalite.v5+json"  # what JupyterLab 4 draws
    assert bundle[ex.MIME_TYPE]["$schema"] == ex.SCHEMA_V5
    assert "toy:demo" in bundle["text/plain"] and "t = 1" in bundle["text/plain"]
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    json.dumps(bundle[ex.MIME_TYPE], allow_nan=False)


def test_explorable_at_a_setting_fixes_its_parameters_and_swaps_its_data():
    e = _toy()
    spec = {**e.spec, "datasets": {"pts": [{"t": 0, "y": 0.5}]}}
    e.spec = spec
    moved = e.at({"t": 7}, {"pts": [{"t": 7, "y": 3.0}]})
    assert moved.setting == {"t": 7} and e.setting == {"t": 1}
    params = {p["name"]: p for p in moved.spec["params"]}
    assert params["t"] == {"name": "t", "value": 7}, "a kernel-driven parameter has no input element"
    assert moved.spec["datasets"]["pts"] == [{"t": 7, "y": 3.0}]
    assert e.spec["datasets"]["pts"] == [{"t": 0, "y": 0.5}], "the template is not changed"
    with pytest.raises(ValueError, match="no data sets"):
        e.at({"t": 0}, {"nope": []})


def test_a_control_checks_kernel_values_against_its_reach():
    c = ex.Control("M", (1, 2, 4), 2, kind="select", reach=(1, 100), log=True)
    assert c.integer and c.check(37) == 37
    with pytest.raises(ValueError, match=r"M must lie in \[1, 100\]"):
        c.check(101)
    with pytest.raises(ValueError, match="whole number"):
        c.check(2.5)
    with pytest.raises(ValueError, match="must contain every grid value"):
        ex.Control("M", (1, 200), 1, reach=(1, 100))
    with pytest.raises(ValueError, match="positive reach"):
        ex.Control("x", (0.0, 1.0), 0.0, reach=(0.0, 2.0), log=True)
    grid_only = ex.Control("k", (1, 2, 3), 2)
    assert grid_only.check(3) == 3
    with pytest.raises(ValueError, match="must be one of"):
        grid_only.check(4)


def test_explorable_refuses_duplicate_control_names():
    t = ex.Control("t", (0, 1), 0)
    with pytest.raises(ValueError, match="duplicate"):
        ex.Explorable("x:y", {"mark": "point"}, [t, t])


# --------------------------------------------------------------------------- site glue
def test_site_html_embeds_the_spec_safely():
    spec = _toy().spec
    spec["description"] = "</script><script>alert(1)</script>"
    html = site.explorable_html(spec)
    assert html.count("</script>") == 1, "the spec must not be able to close its script element"
    assert 'data-explorable="toy:demo"' in html
    payload = re.search(r'<script type="application/json"[^>]*>(.*)</script>', html, re.S).group(1)
    assert json.loads(payload)["description"] == spec["description"]


def test_myst_plugin_renders_the_explorable_mime_type_for_the_sites_vega_lite_6():
    class Data:
        def __init__(self, mime, content):
            self.mime_type, self.content = mime, content

    spec = _toy().spec
    nodes = site.ExplorableMimeRenderer.handle_mime(None, Data(ex.MIME_TYPE, spec), False)
    assert len(nodes) == 1 and 'class="w2s-explorable"' in nodes[0].astext()
    payload = re.search(r'<script type="application/json"[^>]*>(.*)</script>', nodes[0].astext(), re.S).group(1)
    assert json.loads(payload)["$schema"] == ex.SCHEMA_V6
    assert spec["$schema"] == ex.SCHEMA_V5, "the notebook's spec is left as it is"
    assert site.ExplorableMimeRenderer.handle_mime(None, Data("text/plain", "x"), False) is None
    assert ("html", ex.MIME_TYPE, 1) in site.ExplorableMimeRenderer.mime_priority_overrides


def test_myst_plugin_is_registered_as_an_entry_point():
    from importlib.metadata import entry_points

    eps = {ep.value for ep in entry_points().select(group="myst_nb.mime_renderers")}
    assert "w2s_lib.explorables.site:ExplorableMimeRenderer" in eps


def test_sphinx_extension_is_listed_in_the_book_config():
    import yaml

    cfg = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = cfg["sphinx"]["config"]
    assert "w2s_lib.explorables.site" in sphinx["extensions"]
    assert sphinx.get("nb_ipywidgets_js") == {}, "no widget manager (require.js from a CDN) on the site"


def test_vendored_vega_matches_the_pinned_npm_packages():
    pins = json.loads((ROOT / "js" / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "js" / "package-lock.json").read_text())["packages"]
    for pkg, fname in (("vega", "vega.min.js"), ("vega-lite", "vega-lite.min.js"), ("vega-embed", "vega-embed.min.js")):
        assert lock[f"node_modules/{pkg}"]["version"] == pins[pkg]
        text = (VENDOR / fname).read_text()
        assert (VENDOR / f"LICENSE.{pkg}").exists()
        # each UMD bundle carries its version string
        assert f'"{pins[pkg]}"' in text or f"'{pins[pkg]}'" in text, f"{fname} is not {pkg}@{pins[pkg]}"
    assert "://" not in (pathlib.Path(site.STATIC_DIR) / "explorable.js").read_text().split("*/", 1)[1], \
        "explorable.js must not reference another host"


def test_every_script_the_site_loads_exists():
    for path in site.SCRIPTS + (site.STYLESHEET,):
        assert (pathlib.Path(site.STATIC_DIR) / path).is_file(), path


# --------------------------------------------------------------------------- registry
@pytest.fixture(scope="module")
def built():
    return {name: (entry, entry.build()) for name, entry in ex.registered_explorables().items()}


def test_every_chapter_module_registers_an_explorable(built):
    import importlib

    for mod in ex.CHAPTER_MODULES:
        importlib.import_module(mod)  # each listed module exists
    chapters = {name.split(":")[0] for name in built}
    assert {f"ch0{i}" for i in range(1, 9)} <= chapters, sorted(chapters)


def test_every_chapter_shows_its_explorables_through_explore_and_no_matplotlib_widget():
    """One figure per idea: each chapter cell that shows an explorable calls ``explore``,
    and no chapter builds a matplotlib widget (``interact``) any more."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = json.loads(path.read_text())
        for cell in nb["cells"]:
            if cell["cell_type"] != "code":
                continue
            src = "".join(cell["source"])
            assert "interact(" not in src and "w2s_lib.interactive" not in src, f"{path.name}: {src[:80]!r}"
            shows = any(ex.MIME_TYPE in o.get("data", {}) for o in cell.get("outputs", []))
            if shows:
                assert "explore(" in src, f"{path.name}: an explorable shown without explore(): {src[:80]!r}"


@pytest.mark.parametrize("name", sorted(ex.registered_explorables()))
def test_explorable_spec_is_finite_json_under_the_page_budget(built, name):
    entry, e = built[name]
    text = e.to_json()  # allow_nan=False: raises on NaN/inf
    assert len(text) < 3_000_000, f"{name}: {len(text) / 1e6:.2f} MB of data on its page"
    assert e.spec["usermeta"]["w2s_explorable"] == name
    # every named layer of `expected` exists in the spec
    # (Altair suffixes the names of layers inside a layer chart with _<i>; the site strips it)
    layers = {re.sub(r"_\d+$", "", n) for n in re.findall(r'"name":\s*"([A-Za-z_][\w]*)"', text)}
    for layer in entry.expected(**e.defaults):
        assert layer in layers, f"{name}: expected() names layer {layer!r}, the spec has none"
    assert entry.rtol <= 1e-6


@pytest.mark.parametrize("name", sorted(ex.registered_explorables()))
def test_explorable_spec_is_valid_vega_lite(built, name):
    """The build skips Altair's schema checks (they were most of its time); the finished
    spec is checked here against the Vega-Lite schema Altair ships, plain JSON types only
    (a tuple left in the spec would fail as "not of type array")."""
    from altair.utils.schemapi import validate_jsonschema

    validate_jsonschema(built[name][1].spec, alt.vegalite.v6.schema.load_schema())


def test_schema_check_rejects_a_broken_spec(built):
    from altair.utils.schemapi import validate_jsonschema
    from jsonschema import ValidationError

    spec = json.loads(json.dumps(built["ch06:risks"][1].spec))
    node = spec
    while "mark" not in node:  # the first unit view
        node = next(v[0] for k, v in node.items() if k in ("hconcat", "vconcat", "layer", "concat"))
    node["mark"] = {"type": "no-such-mark"}
    with pytest.raises(ValidationError):
        validate_jsonschema(spec, alt.vegalite.v6.schema.load_schema())


def test_the_site_drops_a_kernels_widget_view_and_keeps_the_explorable():
    """``explore()`` also outputs its ipywidgets; the static site has no kernel, so the MIME
    plugin renders nothing for a widget view (no widget script on the page)."""
    from w2s_lib.explorables.site import WIDGET_VIEW, ExplorableMimeRenderer

    class Data:
        def __init__(self, mime, content):
            self.mime_type, self.content = mime, content

    assert ExplorableMimeRenderer.handle_mime(None, Data(WIDGET_VIEW, {"model_id": "x"}), False) == []
    assert ExplorableMimeRenderer.handle_mime(None, Data("text/plain", "x"), False) is None
    rendered = ExplorableMimeRenderer.handle_mime(None, Data(ex.MIME_TYPE, _toy().spec), False)
    assert rendered and 'class="w2s-explorable"' in rendered[0].astext()
