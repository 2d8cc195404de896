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


def _pinned_theme_script(name, tmp_path):
    """A copy of the installed (pinned) pydata theme's ``static/scripts/<name>``."""
    import pydata_sphinx_theme

    src = (pathlib.Path(pydata_sphinx_theme.__file__).parent / "theme" / "pydata_sphinx_theme" / "static"
           / "scripts" / name)
    script = tmp_path / name
    script.write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return script


def test_theme_tab_stop_pass_is_rewritten_in_the_pinned_theme(tmp_path):
    script = _pinned_theme_script("pydata-sphinx-theme.js", tmp_path)
    assert sitemeta.lazy_tab_stops(script)
    text = script.read_text(encoding="utf-8")
    assert "IntersectionObserver" in text and "w2s_lib.sitemeta" in text
    assert not sitemeta._TAB_STOPS.search(text)  # the eager pass is gone
    assert sitemeta.lazy_tab_stops(script) and script.read_text(encoding="utf-8") == text


MATH = ('<span class="katex-mathml"><math xmlns="http://www.w3.org/1998/Math/MathML"><semantics>'
        '<mrow><mi>x</mi><mo>&lt;</mo><mn>1</mn></mrow>'
        '<annotation encoding="application/x-tex">x &lt; 1</annotation></semantics></math></span>')


def test_tex_annotations_go_and_the_mathml_stays():
    page = f"<p>{MATH} and {MATH}</p>"
    new = sitemeta.strip_tex_annotations(page)
    assert "annotation" not in new and "x &lt; 1" not in new.replace("<mo>&lt;</mo>", "")
    # <semantics> keeps its one presentation child: the same MathML a screen reader reads
    assert new.count("<semantics><mrow><mi>x</mi><mo>&lt;</mo><mn>1</mn></mrow></semantics>") == 2
    assert sitemeta.strip_tex_annotations(new) == new


def test_back_to_top_reads_the_header_box_at_the_first_scroll_in_the_pinned_theme(tmp_path):
    script = _pinned_theme_script("bootstrap.js", tmp_path)
    assert sitemeta.lazy_header_box(script)
    text = script.read_text(encoding="utf-8")
    assert not sitemeta._BACK_TO_TOP.search(text)  # no layout read while the script runs
    listener = text[text.index("w2sHeader"):]
    assert listener.index("getBoundingClientRect") > listener.index('addEventListener("scroll"')
    assert sitemeta.lazy_header_box(script) and script.read_text(encoding="utf-8") == text


def _site(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "katex" / "fonts").mkdir(parents=True)
    (static / "vendor" / "fonts").mkdir(parents=True)
    (static / "basic.css").write_text("div.body { background: url(file.png) }\n")
    (static / "styles" / "theme.css").write_text('@import "../basic.css";\n')
    (static / "styles" / "pydata.css").write_text(
        '@charset "UTF-8";\n@font-face { src: url(../vendor/fonts/fa.woff2) format("woff2") }\n'
        ".a::after { content: \"→\"; background: url(\"data:image/svg+xml;charset=utf-8,%3Csvg fill='rgba(0, 0, 0)'/%3E\") }\n"
        "/*# sourceMappingURL=pydata.css.map */\n")
    (static / "katex" / "katex.min.css").write_text("@font-face{src:url(fonts/KaTeX_Main-Regular.woff2)}")
    (static / "katex-math.css").write_text(".katex-display { overflow-x: auto }\n")
    (static / "site.css").write_text(".x { color: red }\n")
    (tmp_path / "chapters").mkdir()
    page = """<html><head>
  <link href="../_static/styles/theme.css?digest=1" rel="stylesheet" />
<link href="../_static/styles/pydata.css?digest=1" rel="stylesheet" />
    <link rel="stylesheet" type="text/css" href="../_static/katex/katex.min.css?v=2" />
    <link rel="stylesheet" type="text/css" href="../_static/katex-math.css?v=3" />
    <link rel="stylesheet" type="text/css" href="../_static/site.css?v=4" />
  <link rel="preload" as="script" href="../_static/x.js" />
</head><body><link rel="stylesheet" href="../_static/site.css" /></body></html>"""
    path = tmp_path / "chapters" / "c.html"
    path.write_text(page)
    return page, path


def test_stylesheets_are_bundled_in_order_around_katexs(tmp_path):
    page, path = _site(tmp_path)
    new = sitemeta.bundle_stylesheets(page, path, tmp_path)
    head = new[:new.index("</head>")]
    hrefs = re.findall(r'<link rel="stylesheet"[^>]*href="([^"]+)"', head)
    assert len(hrefs) == 3 and hrefs[1] == "../_static/katex/katex.min.css?v=2"  # KaTeX's stays, in place
    first, last = ((path.parent / h).resolve().read_text() for h in (hrefs[0], hrefs[2]))
    # the @import inlined, each url() rewritten from its file's place to the bundle's, in order
    assert first.index('url("file.png")') < first.index('url("vendor/fonts/fa.woff2")')
    assert "@import" not in first and "sourceMappingURL" not in first
    assert first.startswith('@charset "UTF-8";') and first.count("@charset") == 1 and "→" in first
    assert "url(\"data:image/svg+xml;charset=utf-8,%3Csvg fill='rgba(0, 0, 0)'/%3E\")" in first
    assert last.index(".katex-display") < last.index(".x {")
    assert 'rel="preload"' in head and '<link rel="stylesheet" href="../_static/site.css" />' in new
    assert sitemeta.bundle_stylesheets(new, path, tmp_path) == new  # a rebuild changes nothing
    assert len(list((tmp_path / "_static").glob(sitemeta.BUNDLE_PREFIX + "*.css"))) == 2


def test_deferred_scripts_are_bundled_in_order_where_the_last_stood(tmp_path):
    static = tmp_path / "_static"
    (static / "scripts").mkdir(parents=True)
    (static / "a.js").write_text('"use strict";\nvar a = 1;\n//# sourceMappingURL=a.js.map')
    (static / "tabs.js").write_text("var p = document.currentScript.dataset.prefix;")
    (static / "b.js").write_text("(function () { window.b = a + 1 })()")
    (static / "scripts" / "theme.js").write_text("window.c = window.b + 1")
    (tmp_path / "chapters").mkdir()
    page = """<html><head>
  <link rel="preload" as="script" href="../_static/scripts/theme.js?digest=1" />
    <script src="../_static/documentation_options.js?v=1"></script>
    <script defer="defer" src="../_static/a.js?v=1"></script>
    <script>let hint = 'Click';</script>
    <script data-x="y" defer="defer" src="../_static/tabs.js?v=2"></script>
    <script defer="defer" src="../_static/b.js?v=3"></script>
</head><body><p>text</p>
  <script defer src="../_static/scripts/theme.js?digest=1"></script>
</body></html>"""
    path = tmp_path / "chapters" / "c.html"
    path.write_text(page)
    new = sitemeta.bundle_scripts(page, path, tmp_path)
    srcs = re.findall(r'<script[^>]*src="([^"]+)"', new)
    assert srcs[:2] == ["../_static/documentation_options.js?v=1", "../_static/tabs.js?v=2"]
    assert len(srcs) == 3 and srcs[2].startswith("../_static/" + sitemeta.BUNDLE_PREFIX)
    assert new.index(srcs[2]) > new.index("<p>text</p>") and 'rel="preload"' not in new
    js = (path.parent / srcs[2]).resolve().read_text()
    assert js.index("var a = 1") < js.index("window.b = a + 1") < js.index("window.c")
    assert not js.lstrip().startswith('"use strict"') and "sourceMappingURL" not in js
    assert sitemeta.bundle_scripts(new, path, tmp_path) == new


def test_katex_fonts_keep_the_characters_the_site_holds(tmp_path):
    from fontTools.ttLib import TTFont

    fonts = tmp_path / "_static" / "katex" / "fonts"
    fonts.mkdir(parents=True)
    src = sitemeta.KATEX_DIR / "fonts" / "KaTeX_AMS-Regular.woff2"
    (fonts / src.name).write_bytes(src.read_bytes())
    (tmp_path / "page.html").write_text('<p><span class="katex-html">x ≲ y &#8882;</span></p>')
    chars = sitemeta.site_characters(tmp_path)
    assert {ord("≲"), 8882, ord("x")} <= chars and ord("<") in chars  # entities read, ASCII kept
    sitemeta.subset_katex_fonts(tmp_path)
    kept = TTFont(fonts / src.name).getBestCmap()
    full = TTFont(src).getBestCmap()
    assert ord("≲") in kept and set(kept) < set(full)
    assert (fonts / src.name).stat().st_size < src.stat().st_size / 2


def test_katex_fonts_of_a_page_follow_its_classes_through_katexs_rules():
    css = (sitemeta.KATEX_DIR / "katex.min.css").read_text()
    assert sitemeta.katex_fonts_of("<p>no formula</p>", css) == []
    plain = sitemeta.katex_fonts_of('<span class="katex"><span class="mord mathnormal">x</span></span>', css)
    assert plain == ["fonts/KaTeX_Main-Regular.woff2", "fonts/KaTeX_Math-Italic.woff2"]
    rich = sitemeta.katex_fonts_of(
        '<span class="katex"><span class="mord mathcal">L</span><span class="delimsizing size2">(</span>'
        '<span class="mord mathbf">v</span><span class="mop op-symbol large-op">&#8721;</span></span>', css)
    assert rich == ["fonts/KaTeX_Caligraphic-Regular.woff2", "fonts/KaTeX_Main-Bold.woff2",
                    "fonts/KaTeX_Main-Regular.woff2", "fonts/KaTeX_Size2-Regular.woff2"]
    for url in rich:  # every name is a font the package ships
        assert (sitemeta.KATEX_DIR / url).is_file()


def test_katex_fonts_are_preloaded_beside_the_stylesheet_once():
    head = ('<head>\n    <link rel="stylesheet" type="text/css" href="../_static/katex/katex.min.css?v=1" />\n'
            '    <link rel="stylesheet" href="x.css" />\n</head><body><span class="katex">'
            '<span class="mord mathcal">L</span></span></body>')
    out = sitemeta.preload_katex_fonts(head)
    links = re.findall(r'<link rel="preload" as="font" type="font/woff2" crossorigin href="([^"]+)" />', out)
    assert links == ["../_static/katex/fonts/KaTeX_Caligraphic-Regular.woff2",
                     "../_static/katex/fonts/KaTeX_Main-Regular.woff2"]
    assert out.index("katex.min.css") < out.index(links[0]) < out.index("x.css")
    assert sitemeta.preload_katex_fonts(out) == out  # idempotent
    assert sitemeta.preload_katex_fonts("<head></head><p>text</p>") == "<head></head><p>text</p>"
