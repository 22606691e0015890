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
