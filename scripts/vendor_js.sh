#!/usr/bin/env bash
# Refresh the explorables' JavaScript (Vega, Vega-Lite, vega-embed) from the npm registry.
#
# The versions are pinned in js/package.json and js/package-lock.json; the minified UMD
# bundles and their licences are committed under w2s_lib/explorables/static/vendor/vega/,
# so building the book needs Python only (no Node.js, no network). Run this after changing
# a pin, then rebuild the book and run the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=w2s_lib/explorables/static/vendor/vega
(cd js && npm ci --no-audit --no-fund)
mkdir -p "$dest"
for pkg in vega vega-lite vega-embed; do
  cp "js/node_modules/$pkg/build/$pkg.min.js" "$dest/"
  cp "js/node_modules/$pkg/LICENSE" "$dest/LICENSE.$pkg"
done
rm -rf js/node_modules
ls -l "$dest"
