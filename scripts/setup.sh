#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: installs missing Debian 12 packages (apt-get, via sudo
# when not root), then configures and builds Release into build/. Sourced, not executed.
# The last line of packages is for the .deb (scripts/package.sh, tests/packaging): dpkg-shlibdeps
# and file for cpack, rsvg-convert for the PNG icons, and the checkers the packaging test runs;
# clang for the sanitizer and fuzzing stage (scripts/sanitize.sh).
set -euo pipefail

ATTNSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ATTNSCOPE_BUILD="${ATTNSCOPE_BUILD:-$ATTNSCOPE_ROOT/build}"

ATTNSCOPE_PACKAGES=(
  g++ cmake ninja-build pkg-config
  qt6-base-dev qt6-svg-dev qt6-tools-dev qt6-l10n-tools qt6-translations-l10n libqcustomplot-dev libqcustomplot2.1-qt6
  libeigen3-dev nlohmann-json3-dev libopenblas-dev libpcre2-dev libutf8proc-dev zlib1g-dev
  xvfb xauth fonts-dejavu-core fonts-wqy-microhei
  dpkg-dev file librsvg2-bin lintian appstream desktop-file-utils shared-mime-info
  clang-14 libclang-rt-14-dev
)

attnscope_install_packages() {
  local missing=()
  for p in "${ATTNSCOPE_PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "==> installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "error: packages missing (${missing[*]}) and not root and no sudo" >&2; return 1
    fi
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

attnscope_build() {
  echo "==> configuring and building (Release) in $ATTNSCOPE_BUILD"
  cmake -S "$ATTNSCOPE_ROOT" -B "$ATTNSCOPE_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${ATTNSCOPE_CMAKE_ARGS:-} >/dev/null
  cmake --build "$ATTNSCOPE_BUILD" --parallel "$(nproc)"
}
