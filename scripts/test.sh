#!/usr/bin/env bash
# Installs what is missing, builds Release into build/, runs the whole ctest suite headless.
# Exit code = ctest's.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
attnscope_install_packages
attnscope_build
export QT_QPA_PLATFORM=offscreen
cd "$ATTNSCOPE_BUILD"
set +e
ctest --output-on-failure --timeout 600 "$@"
status=$?
exit $status
