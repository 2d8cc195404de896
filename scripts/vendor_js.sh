#!/usr/bin/env bash
# Refresh the vendored JavaScript from the npm registry: the explorables' Vega, Vega-Lite and
# vega-embed, the tests' axe-core, and KaTeX's stylesheet and fonts (the site's formulas are
# typeset at build time by sphinxcontrib-katex; a page needs only this CSS and the WOFF2 fonts).
#
# The versions are pinned in js/package.json and js/package-lock.json; the minified UMD
# bundles and their licences are committed under w2s_lib/explorables/static/vendor/vega/,
# axe-core's axe.min.js with its licence under tests/vendor/axe-core/, and KaTeX's
# katex.min.css (its @font-face rules cut to WOFF2, the format every current browser reads) with
# its fonts/*.woff2 and licence under w2s_lib/static/katex/, so building the
# book and running the tests need Python only (no Node.js, no network). Run this after
# changing a pin, then rebuild the book and run the browser tests. (js/ also pins Lighthouse,
# which only benchmarks/site_audit.py uses, from js/node_modules.)
set -euo pipefail
cd "$(dirname "$0")/.."
dest=w2s_lib/explorables/static/vendor/vega
(cd js && PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund)
mkdir -p "$dest"
for pkg in vega vega-lite vega-embed; do
  cp "js/node_modules/$pkg/build/$pkg.min.js" "$dest/"
  cp "js/node_modules/$pkg/LICENSE" "$dest/LICENSE.$pkg"
done
mkdir -p tests/vendor/axe-core
cp js/node_modules/axe-core/axe.min.js js/node_modules/axe-core/LICENSE tests/vendor/axe-core/
katex=w2s_lib/static/katex
rm -rf "$katex" && mkdir -p "$katex/fonts"
cp js/node_modules/katex/dist/fonts/*.woff2 "$katex/fonts/"
cp js/node_modules/katex/LICENSE "$katex/LICENSE"
# keep only the WOFF2 source of each @font-face (the .woff/.ttf files are not vendored)
sed -E 's/,url\(fonts\/[A-Za-z0-9_-]+\.(woff|ttf)\) format\("(woff|truetype)"\)//g' \
  js/node_modules/katex/dist/katex.min.css > "$katex/katex.min.css"
rm -rf js/node_modules
ls -l "$dest" tests/vendor/axe-core "$katex"
