#!/usr/bin/env bash
# Runs every test of the project: the Rust tests (with a throw-away PostgreSQL cluster for the
# registry's PostgreSQL backend), then the language bindings (stale check, Swift header, Python
# and Kotlin flows), then the counter page in Chromium (web/run-tests.sh). Installs what the
# tests need on a fresh machine first: OpenSSL 3 (interoperability tests), a JDK and JNA
# (Kotlin tests; kotlinc itself comes from the npm registry, see bindings/kotlin/run-tests.sh),
# npm, Python's venv, PostgreSQL (scripts/postgres-test-cluster.sh), Chromium.
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
# A throw-away PostgreSQL cluster for the registry's PostgreSQL backend (conformance suite,
# concurrency, the CLI with postgres:// registries); the tests refuse to skip it here.
pg=$(mktemp -d)
chmod 755 "$pg"
trap 'scripts/postgres-test-cluster.sh stop "$pg/cluster" >/dev/null 2>&1 || true; rm -rf "$log" "$pg"' EXIT
YINXIN_TEST_POSTGRES=$(scripts/postgres-test-cluster.sh start "$pg/cluster")
export YINXIN_TEST_POSTGRES YINXIN_TEST_POSTGRES_DIR="$pg/cluster" YINXIN_REQUIRE_POSTGRES=1
echo "PostgreSQL for the tests: $YINXIN_TEST_POSTGRES"
# Every part runs even when an earlier one failed; the failures are listed at the end.
failures=()
set +e
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line over every test binary: "tests: N passed, N failed".
summary=$(awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed", p, f }' "$log")
echo "$summary"
if [ "$status" -ne 0 ]; then
  failed_tests=$(grep -E '^test .* FAILED$' "$log" | sed -E 's/^test (.*) \.\.\. FAILED$/\1/' | sort -u | tr '\n' ' ')
  failures+=("Rust tests (cargo exit $status): ${failed_tests:-a test binary did not build or run}")
fi

echo "== bindings"
bindings/generate.sh --check || failures+=("bindings are stale (bindings/generate.sh --check)")
if gcc -fsyntax-only -Werror -D_Nullable= -D_Nonnull= -x c - <<<'#include "bindings/swift/Sources/YinxinFFI.h"' -I.; then
  echo "swift: the generated C header compiles (Swift tests need a Swift toolchain: bindings/swift/README.md)"
else
  failures+=("the Swift C header does not compile")
fi
python_line="not run"
if python_out=$(bindings/python/run-tests.sh 2>&1); then
  python_line=$(tail -n 1 <<<"$python_out")
else
  echo "$python_out"
  python_line="FAILED: $(tail -n 1 <<<"$python_out")"
  failures+=("Python binding tests")
fi
echo "python bindings: $python_line"
kotlin_line="not run"
if kotlin_out=$(bindings/kotlin/run-tests.sh 2>&1); then
  kotlin_line=$(tail -n 1 <<<"$kotlin_out")
else
  echo "$kotlin_out"
  kotlin_line="kotlin bindings FAILED: $(tail -n 1 <<<"$kotlin_out")"
  failures+=("Kotlin binding tests")
fi
echo "$kotlin_line"
echo "== counter page (Chromium)"
page_line="not run"
if page_out=$(web/run-tests.sh 2>&1); then
  page_line=$(tail -n 1 <<<"$page_out")
else
  echo "$page_out"
  page_line="counter page FAILED: $(tail -n 1 <<<"$page_out")"
  failures+=("counter page browser tests (web/run-tests.sh)")
fi
echo "$page_line"
printf '%s\npython bindings: %s\n%s\n%s\n' "$summary" "$python_line" "$kotlin_line" "$page_line" >"${YINXIN_TEST_SUMMARY:-/dev/null}"
if ((${#failures[@]})); then
  echo "== FAILED (${#failures[@]}):" >&2
  printf '  - %s\n' "${failures[@]}" >&2
  exit 1
fi
echo "== every test passed"
