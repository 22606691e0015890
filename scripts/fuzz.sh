#!/usr/bin/env bash
# Runs one libFuzzer target under ASan+UBSan: scripts/fuzz.sh TARGET SECONDS
# TARGET: model_loader | char_tokenizer | word_tokenizer | hf_tokenizer_json | bpe_files |
# wordpiece | hf_config | safetensors | llama2c | html_payload | vit_preprocess. Seeds: tests/fuzz/corpus/TARGET;
# new inputs go to build-fuzz/corpus/TARGET; crashes to build-fuzz/artifacts/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${1:?usage: scripts/fuzz.sh TARGET SECONDS}"
SECONDS_TO_RUN="${2:?usage: scripts/fuzz.sh TARGET SECONDS}"
BUILD="${ATTNSCOPE_FUZZ_BUILD:-$ROOT/build-fuzz}"
source "$ROOT/scripts/setup.sh"
ATTNSCOPE_PACKAGES=(clang-14 libclang-rt-14-dev cmake ninja-build pkg-config libeigen3-dev nlohmann-json3-dev
  libpcre2-dev libutf8proc-dev zlib1g-dev)
attnscope_install_packages
CC=clang-14 CXX=clang++-14 cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DATTNSCOPE_FUZZ=ON -DATTNSCOPE_BUILD_GUI=OFF -DATTNSCOPE_BUILD_TESTS=OFF -DATTNSCOPE_SIMD=portable >/dev/null
cmake --build "$BUILD" --target "fuzz_$TARGET"
mkdir -p "$BUILD/corpus/$TARGET" "$BUILD/artifacts"
MAX_LEN=4096
[ "$TARGET" = model_loader ] && MAX_LEN=300000
[ "$TARGET" = hf_tokenizer_json ] && MAX_LEN=65536
[ "$TARGET" = safetensors ] && MAX_LEN=16384
[ "$TARGET" = llama2c ] && MAX_LEN=65536
[ "$TARGET" = html_payload ] && MAX_LEN=16384
exec "$BUILD/bin/fuzz_$TARGET" "$BUILD/corpus/$TARGET" "$ROOT/tests/fuzz/corpus/$TARGET" \
  -max_total_time="$SECONDS_TO_RUN" -max_len="$MAX_LEN" -timeout=20 -rss_limit_mb=4096 \
  -artifact_prefix="$BUILD/artifacts/$TARGET-" -print_final_stats=1
