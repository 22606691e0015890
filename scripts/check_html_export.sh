#!/usr/bin/env bash
# Browser check of the interactive HTML export (docs/html-export.md): opens the exported pages
# of two shipped models in headless Chromium (Debian's chromium) through playwright-core and
# checks the DOM (hovered cells show core's weight to 3 decimals, masked cells, overview focus,
# stack switch, alignment isolation, no network: a fetch is refused by the page's CSP), and
# saves docs/images/html-export.png. Needs network once, for `npm ci` (the npm registry); the
# test suite does not run it (its browser-free counterpart is app.test_html_export).
# Usage: scripts/check_html_export.sh [SCREENSHOT.png]   (ATTNSCOPE_BUILD: build folder, default build/)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNSCOPE_BUILD:-$ROOT/build}"
SHOT="${1:-$ROOT/docs/images/html-export.png}"
CLI="$BUILD/bin/attnscope-cli"
CHECK="$ROOT/tools/html-export-check"

if [ ! -x "$CLI" ]; then
  echo "error: $CLI not built (./scripts/test.sh or cmake --build build --target attnscope-cli)" >&2
  exit 2
fi
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "==> installing chromium, nodejs and npm (Debian packages)"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends chromium nodejs npm >/dev/null
fi
if [ ! -d "$CHECK/node_modules/playwright-core" ]; then
  # playwright-core only drives the browser given to it; it downloads none.
  (cd "$CHECK" && npm ci --no-audit --no-fund --silent)
fi
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
node "$CHECK/check.js" "$CLI" "$ROOT" "$OUT" "$SHOT"
