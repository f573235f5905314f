#!/usr/bin/env bash
# Builds the yinxin-ffi library (release) and regenerates the Kotlin, Swift and Python bindings
# checked in under bindings/. With --check, generates into a temporary directory instead and
# fails when the checked-in files differ (stale bindings).
#
#   bindings/generate.sh            regenerate
#   bindings/generate.sh --check    CI: fail if stale
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
[ "${1:-}" = "--check" ] && check=true

cargo build --release --locked -p yinxin-ffi
cargo build --locked -p yinxin-ffi --features cli --bin uniffi-bindgen
# Cargo's target directory (CARGO_TARGET_DIR or a config may move it away from ./target).
target=$(bindings/target-dir.sh)
lib=$target/release/libyinxin_ffi.so
bindgen=$target/debug/uniffi-bindgen

out=bindings
if $check; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out/python/yinxin" "$out/kotlin" "$out/swift"
"$bindgen" generate --no-format --library "$lib" --language python --out-dir "$out/python/yinxin" >/dev/null
"$bindgen" generate --no-format --library "$lib" --language kotlin --out-dir "$out/kotlin" >/dev/null
"$bindgen" generate --no-format --library "$lib" --language swift --out-dir "$out/swift/Sources" >/dev/null

if $check; then
  stale=0
  for f in python/yinxin/yinxin_ffi.py kotlin/cn/yinxin/yinxin_ffi.kt swift/Sources/Yinxin.swift \
           swift/Sources/YinxinFFI.h swift/Sources/YinxinFFI.modulemap; do
    if ! cmp -s "$out/$f" "bindings/$f"; then
      echo "stale: bindings/$f differs from what the library generates (run bindings/generate.sh)" >&2
      stale=1
    fi
  done
  [ $stale = 0 ] && echo "bindings are up to date"
  exit $stale
fi
echo "bindings regenerated from $lib ($(stat -c %s "$lib") bytes)"
