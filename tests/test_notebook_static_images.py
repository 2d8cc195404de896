"""Every explorable in a stored notebook also carries a picture, for readers without JavaScript.

GitHub's notebook view, nbviewer and a PDF render no Vega-Lite: they show the best MIME type
they know. Each explorable output must therefore hold, beside its Vega-Lite spec, a PNG of
the figure's default view (``Explorable.image``, drawn by vl-convert). The test exports each
chapter with nbconvert's HTML exporter (what nbviewer runs) and finds every explorable's PNG
in the page as an image, and checks the image is a drawn figure (its size, many colours),
not an empty canvas.
"""

from __future__ import annotations

import base64
import io
import json
import pathlib

import pytest

from w2s_lib.explorables import MIME_TYPE

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "chapters").glob("*.ipynb"))
STORY = [p for p in NOTEBOOKS if not p.stem.endswith("ledger")]


def _explorable_outputs(path):
    nb = json.loads(path.read_text())
    return [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])
            if MIME_TYPE in o.get("data", {})]


def test_every_story_chapter_stores_an_explorable():
    missing = [p.name for p in STORY if not _explorable_outputs(p)]
    assert not missing, missing


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _explorable_outputs(p)], ids=lambda p: p.name)
def test_each_explorable_output_carries_a_png_a_no_javascript_viewer_shows(path):
    from nbconvert import HTMLExporter
    from PIL import Image

    outputs = _explorable_outputs(path)
    html, _ = HTMLExporter().from_filename(str(path))
    for out in outputs:
        png = out["data"].get("image/png")
        png = "".join(png) if isinstance(png, list) else png
        assert png, f"{path.name}: an explorable output without a PNG ({sorted(out['data'])})"
        assert f"data:image/png;base64,{png.strip()}" in html.replace("\n", ""), \
            f"{path.name}: nbconvert's HTML does not show the explorable's PNG"
        img = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")
        assert img.width >= 300 and img.height >= 150, img.size
        colours = len(set(img.resize((img.width // 2, img.height // 2)).getdata()))
        assert colours > 20, f"{path.name}: the PNG looks empty ({colours} colours)"
        text = out["data"]["text/plain"]
        text = "".join(text) if isinstance(text, list) else text
        assert text.startswith("Interactive figure"), text
