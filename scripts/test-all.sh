#!/usr/bin/env bash
# Runs every test of the project: the Rust tests, then the language bindings (stale check,
# Swift header, Python and Kotlin flows). Installs what the tests need on a fresh machine
# first: OpenSSL 3 (interoperability tests), a JDK and JNA (Kotlin tests; kotlinc itself comes
# from the npm registry, see bindings/kotlin/run-tests.sh), npm, Python's venv.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v java >/dev/null 2>&1 || missing+=(default-jdk-headless)
[ -f /usr/share/java/jna.jar ] || missing+=(libjna-java)
command -v npm >/dev/null 2>&1 || missing+=(npm)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${missing[@]}"
fi

if [ ! -d ../shared/vectors ] && [ -z "${YINXIN_SHARED:-}" ]; then
  echo "error: the external test vectors are expected in ../shared/vectors (or set YINXIN_SHARED)" >&2
  exit 2
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --workspace --locked 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test binary: "tests: N passed, N failed".
summary=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed", p, f }' "$log")
echo "$summary"
if [ "$status" -ne 0 ]; then
  echo "$summary" >"${YINXIN_TEST_SUMMARY:-/dev/null}"
  exit "$status"
fi

echo "== bindings"
bindings/generate.sh --check
gcc -fsyntax-only -Werror -D_Nullable= -D_Nonnull= -x c - <<<'#include "bindings/swift/Sources/YinxinFFI.h"' -I.
echo "swift: the generated C header compiles (Swift tests need a Swift toolchain: bindings/swift/README.md)"
python_out=$(bindings/python/run-tests.sh 2>&1) || { echo "$python_out"; exit 1; }
python_line=$(tail -n 1 <<<"$python_out")
echo "python bindings: $python_line"
kotlin_out=$(bindings/kotlin/run-tests.sh 2>&1) || { echo "$kotlin_out"; exit 1; }
kotlin_line=$(tail -n 1 <<<"$kotlin_out")
echo "$kotlin_line"
printf '%s\npython bindings: %s\n%s\n' "$summary" "$python_line" "$kotlin_line" >"${YINXIN_TEST_SUMMARY:-/dev/null}"
