#!/usr/bin/env bash
# Installs what is missing, builds Release into build/, then runs AttnScope on the bundled
# default model. Extra arguments are passed to the program.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
attnscope_install_packages
attnscope_build
# The default model is the date normalizer (models/README.md); the readable example stands in
# for it in a checkout that does not have the trained models yet.
DEFAULT_MODEL="$ATTNSCOPE_ROOT/models/date-normalizer.json"
[ -f "$DEFAULT_MODEL" ] || DEFAULT_MODEL="$ATTNSCOPE_ROOT/models/examples/tiny-encoder.json"
echo "==> $ATTNSCOPE_BUILD/bin/attnscope-cli summary $DEFAULT_MODEL"
exec "$ATTNSCOPE_BUILD/bin/attnscope-cli" summary "$DEFAULT_MODEL" "$@"
