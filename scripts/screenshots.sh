#!/usr/bin/env bash
# Regenerates the README screenshots in docs/images/ (main-window, head-view, overview, alignment,
# step-through, neuron-view, census, ablation, rollout, compare, timeline) and the whole window on
# every registered view at 1024x700 and 1920x1080 (docs/images/views/), from the bundled default
# model, headless.
# Usage: scripts/screenshots.sh [MODEL] [TEXT]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
attnscope_build
MODEL="${1:-$ATTNSCOPE_ROOT/models/date-normalizer.json}"
TEXT_ARGS=()
if [ ! -f "$MODEL" ]; then
  # Until the trained date normalizer is bundled: a two-layer, four-head reference model, with
  # accented and CJK characters in the input to show that they render (as unknown tokens).
  MODEL="$ATTNSCOPE_ROOT/tests/data/golden/encdec-post-relu-sin.model.json"
  TEXT_ARGS=(--text "héllo wörld 猫")
fi
if [ $# -ge 2 ]; then TEXT_ARGS=(--text "$2"); fi
OUT="$ATTNSCOPE_ROOT/docs/images"
# A private settings directory, so the user's window layout and colour map do not leak in.
CONFIG="$(mktemp -d)"
trap 'rm -rf "$CONFIG"' EXIT
export XDG_CONFIG_HOME="$CONFIG"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
echo "==> screenshots of $MODEL into $OUT"
"$ATTNSCOPE_BUILD/bin/attnscope" "$MODEL" "${TEXT_ARGS[@]}" --stack cross --screenshots "$OUT"
