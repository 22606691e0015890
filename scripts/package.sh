#!/usr/bin/env bash
# Builds the Debian package: installs what is missing, builds Release into build/ (as test.sh),
# then `cpack -G DEB` into DIR (default dist/) and runs lintian on it. Prints the .deb's path.
# Install it with `sudo apt install ./dist/attnscope_VERSION_amd64.deb` (docs/install.md).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
out="$(realpath -m "${1:-$ATTNSCOPE_ROOT/dist}")"
attnscope_install_packages
attnscope_build
echo "==> cpack -G DEB into $out"
mkdir -p "$out"
rm -f "$out"/attnscope_*.deb
cpack --config "$ATTNSCOPE_BUILD/CPackConfig.cmake" -G DEB -B "$out" >/dev/null
rm -rf "$out/_CPack_Packages"
deb="$(ls "$out"/attnscope_*.deb)"
echo "==> lintian $deb"
lintian --tag-display-limit 0 "$deb" || { echo "error: lintian reported errors" >&2; exit 1; }
echo "$deb"
