#!/usr/bin/env bash
# The sanitizer stage of scripts/test.sh (docs/reliability.md): one clang build of core, the CLI
# and their tests with AddressSanitizer + UndefinedBehaviorSanitizer and libFuzzer
# instrumentation (GUI off) in build-san/; runs the core and cli tests there, then every libFuzzer
# target for ATTNSCOPE_FUZZ_SECONDS (default 60) on its seed corpus, two at a time. New inputs go
# to a temporary directory (the seed corpora are not changed); a crash is kept in
# build-san/artifacts/. Exit code: non-zero when a test or a fuzz target failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${ATTNSCOPE_SAN_BUILD:-$ROOT/build-san}"
FUZZ_SECONDS="${ATTNSCOPE_FUZZ_SECONDS:-60}"
source "$ROOT/scripts/setup.sh"
attnscope_install_packages

echo "==> sanitizers: configuring and building core, CLI and their tests (clang-14, ASan+UBSan) in $BUILD"
start=$(date +%s)
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATTNSCOPE_FUZZ=ON -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_BUILD_TESTS=ON -DATTNSCOPE_SIMD=avx2 >/dev/null
cmake --build "$BUILD" --parallel "$(nproc)"
echo "==> sanitizers: build took $(( $(date +%s) - start )) s"

status=0
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
( cd "$BUILD" && ctest --output-on-failure --timeout 900 -L "core|cli" -j"$(nproc)" ) || status=1

# Every target CMake knows (tests/fuzz/CMakeLists.txt), for FUZZ_SECONDS each.
targets=$(sed -n 's/^foreach(target \(.*\))$/\1/p' "$ROOT/tests/fuzz/CMakeLists.txt")
mkdir -p "$BUILD/artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
max_len() {
  case "$1" in
    model_loader) echo 300000 ;; hf_tokenizer_json|llama2c) echo 65536 ;;
    safetensors|html_payload) echo 16384 ;; *) echo 4096 ;;
  esac
}
run_one() {
  local t=$1
  mkdir -p "$work/$t"
  if "$BUILD/bin/fuzz_$t" "$work/$t" "$ROOT/tests/fuzz/corpus/$t" -max_total_time="$FUZZ_SECONDS" \
       -max_len="$(max_len "$t")" -timeout=20 -rss_limit_mb=3072 -artifact_prefix="$BUILD/artifacts/$t-" \
       -print_final_stats=1 >"$work/$t.log" 2>&1; then
    echo "fuzz_$t: ok, $(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log") executions in ${FUZZ_SECONDS} s"
  else
    echo "fuzz_$t: FAILED (artifact in $BUILD/artifacts/)"; tail -40 "$work/$t.log"; return 1
  fi
}
echo "==> sanitizers: every fuzz target for $FUZZ_SECONDS s on its seed corpus"
fuzz_failed=0
set -- $targets
while [ $# -gt 0 ]; do
  pids=()
  for _ in 1 2; do
    [ $# -gt 0 ] || break
    run_one "$1" & pids+=($!)
    shift
  done
  for p in "${pids[@]}"; do wait "$p" || fuzz_failed=1; done
done
[ $fuzz_failed -eq 0 ] || status=1
echo "==> sanitizers: $([ $status -eq 0 ] && echo passed || echo FAILED) in $(( $(date +%s) - start )) s"
exit $status
