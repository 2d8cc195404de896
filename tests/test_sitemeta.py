"""The site's build-time rewrites (w2s_lib.sitemeta) on small pages of known structure."""

import pathlib
import re

from w2s_lib import sitemeta

PAGE = """<html><body><nav><section id="nav">not the article</section></nav>
<article class="bd-article" role="main">
<section id="chapter"><h1>Chapter</h1><p>Intro.</p>
<section id="first"><h2>First</h2><p>{text}</p>
<section id="nested"><h3>Nested</h3><p>More.</p></section>
</section>
<section id="second"><h2>Second</h2><div class="math"><span class="katex">x</span></div>
<pre>a = 1
b = 2</pre><img src="a.png" width="1520" height="600" /></section>
</section>
</article></body></html>"""


def test_article_sections_are_the_second_level_ones_of_the_article_only():
    page = PAGE.format(text="Short.")
    ids = [re.search(r'id="([^"]+)"', page[s:e]).group(1) for s, e in sitemeta.article_sections(page)]
    assert ids == ["first", "second"]
    assert sitemeta.article_sections("<html><body><section id='x'></section></body></html>") == []


def test_section_features_count_what_the_section_holds():
    page = PAGE.format(text="Short.")
    first, second = (page[s:e] for s, e in sitemeta.article_sections(page))
    f = sitemeta.section_features(second)
    assert (f["display"], f["pre_lines"], f["explorables"], f["base"]) == (1, 2, 0, 1)
    assert f["img_h"] == 600 * 760 / 1520  # the image at its height in a 760 px column
    assert sitemeta.section_features(first)["paras"] == 2  # its own paragraph and the nested one's


def test_section_height_bound_grows_with_the_text():
    short, long = PAGE.format(text="Short."), PAGE.format(text="word " * 400)
    s0, e0 = sitemeta.article_sections(short)[0]
    s1, e1 = sitemeta.article_sections(long)[0]
    grow = sitemeta.section_height_bound(long[s1:e1]) - sitemeta.section_height_bound(short[s0:e0])
    assert abs(grow - sitemeta.SECTION_WEIGHTS["chars"] * (len(("word " * 400).strip()) - 6)) <= 10


def test_size_sections_writes_each_bound_once_and_nothing_else():
    page = PAGE.format(text="Short.")
    new = sitemeta.size_sections(page)
    styles = re.findall(r'<section id="([^"]+)" style="contain-intrinsic-size: auto (\d+)px"', new)
    assert [s[0] for s in styles] == ["first", "second"]
    assert all(int(px) > 0 for _, px in styles)
    assert sitemeta.size_sections(new) == new  # idempotent (a rebuild rewrites the same pages)
    assert re.sub(r' style="contain-intrinsic-size: auto \d+px"', "", new) == page


def test_theme_tab_stop_pass_is_rewritten_in_the_pinned_theme(tmp_path):
    import pydata_sphinx_theme

    src = (pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
           / "scripts" / "pydata-sphinx-theme.js")
    script = tmp_path / "theme.js"
    script.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    assert sitemeta.lazy_tab_stops(script)
    text = script.read_text(encoding="utf-8")
    assert "IntersectionObserver" in text and "w2s_lib.sitemeta" in text
    assert not sitemeta._TAB_STOPS.search(text)  # the eager pass is gone
    assert sitemeta.lazy_tab_stops(script) and script.read_text(encoding="utf-8") == text
