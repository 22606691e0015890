#!/usr/bin/env bash
# Builds Release and runs every benchmark: the engine (Google Benchmark) and the side-by-side
# PyTorch comparison. Figures and their meaning: docs/performance.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
ATTNSCOPE_PACKAGES+=(libbenchmark-dev python3-torch libopenblas0-pthread)
attnscope_install_packages
attnscope_build
"$ATTNSCOPE_BUILD/bin/attnscope-bench" "$@"
/usr/bin/python3 "$ATTNSCOPE_ROOT/bench/compare_torch.py" --bench "$ATTNSCOPE_BUILD/bin/attnscope-bench"
# Keystroke -> repainted heatmap in the real MainWindow, 200 keys per shipped model (offscreen).
if [ -x "$ATTNSCOPE_BUILD/bin/attnscope-keystroke-bench" ]; then
  QT_QPA_PLATFORM=offscreen "$ATTNSCOPE_BUILD/bin/attnscope-keystroke-bench" --keys 200
fi
# Long inputs, large models, 2048-token heatmap (docs/performance.md, last three sections). The
# GPT-2-small-shaped model (125 M parameters, 500 MB safetensors sidecar) is generated into the
# build folder once, never into the source tree.
LARGE="$ATTNSCOPE_BUILD/large/gpt2-small.json"
if [ ! -f "$LARGE" ]; then
  mkdir -p "$(dirname "$LARGE")"
  /usr/bin/python3 "$ATTNSCOPE_ROOT/bench/make_large_model.py" "$LARGE"
fi
/usr/bin/time -f "attnscope-cli info, warm page cache: %e s wall, %M KB peak RSS" \
  "$ATTNSCOPE_BUILD/bin/attnscope-cli" info "$LARGE" >/dev/null
# Cold: drop only the model's own pages from the page cache (posix_fadvise DONTNEED), then load.
/usr/bin/python3 -c 'import os, sys
for p in sys.argv[1:]:
    fd = os.open(p, os.O_RDONLY); os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED); os.close(fd)' \
  "$LARGE" "${LARGE%.json}.safetensors"
"$ATTNSCOPE_BUILD/bin/attnscope-memory-bench" --model "$LARGE" --tokens 8 --heads 0 | grep -E "loaded|constructed"
"$ATTNSCOPE_BUILD/bin/attnscope-memory-bench" --model "$LARGE" --tokens 2048 --capture compact --heads 6 \
  --verify-tokens 256
QT_QPA_PLATFORM=offscreen "$ATTNSCOPE_BUILD/bin/attnscope-render-bench" --tokens 2048 --repeat 40
# Peak memory of the whole app at 2048 tokens with every tab visited (compare included).
if [ -x "$ATTNSCOPE_BUILD/bin/attnscope-app-memory-bench" ]; then
  QT_QPA_PLATFORM=offscreen "$ATTNSCOPE_BUILD/bin/attnscope-app-memory-bench" --model "$LARGE" --tokens 2048 \
    --visit-all-tabs | tail -3
fi
