#!/usr/bin/env bash
# Installs what is missing, builds Release into build/, then opens AttnScope on the bundled
# default model. Without a display it renders the default view to a PNG with the CLI instead
# and prints its path. Extra arguments are passed to the program.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
attnscope_install_packages
attnscope_build
# The default model is the date normalizer (models/README.md); the readable example stands in
# for it in a checkout that does not have the trained models yet.
DEFAULT_MODEL="$ATTNSCOPE_ROOT/models/date-normalizer.json"
[ -f "$DEFAULT_MODEL" ] || DEFAULT_MODEL="$ATTNSCOPE_ROOT/models/examples/tiny-seq2seq.json"
[ -f "$DEFAULT_MODEL" ] || DEFAULT_MODEL="$ATTNSCOPE_ROOT/models/examples/tiny-encoder.json"
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  if [ $# -eq 0 ]; then set -- "$DEFAULT_MODEL"; fi
  echo "==> $ATTNSCOPE_BUILD/bin/attnscope $*"
  exec "$ATTNSCOPE_BUILD/bin/attnscope" "$@"
fi
OUT="$ATTNSCOPE_BUILD/attnscope-default-view.png"
INFO="$("$ATTNSCOPE_BUILD/bin/attnscope-cli" info "$DEFAULT_MODEL")"
case "$INFO" in
  *'"type": "encoder-decoder"'*) STACK=cross ;;
  *'"type": "decoder"'*) STACK=decoder ;;
  *) STACK=encoder ;;
esac
echo "==> no display (\$DISPLAY and \$WAYLAND_DISPLAY are unset): trace summary, then the default view as a PNG"
"$ATTNSCOPE_BUILD/bin/attnscope-cli" summary "$DEFAULT_MODEL"
QT_QPA_PLATFORM=offscreen "$ATTNSCOPE_BUILD/bin/attnscope-cli" export "$DEFAULT_MODEL" --stack "$STACK" \
  --head mean --out "$OUT" --size 1000x850 "$@" >/dev/null
echo "$OUT"
