#!/usr/bin/env bash
# Compiles the generated Kotlin bindings with the flows test (test/Flows.kt) and runs it on the
# JVM with JNA against the release library. Installs what it needs when missing: JNA from
# Debian (libjna-java), kotlinc from the npm registry (kotlin-compiler, TOOLCHAIN.md).
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
# Always build: a no-op when the library is current, and never a test of a stale one.
cargo build --release --locked -p yinxin-ffi --manifest-path "$root/Cargo.toml"
target=$("$root/bindings/target-dir.sh")
command -v java >/dev/null || { apt-get update -qq && apt-get install -y -qq default-jdk-headless >/dev/null; }
[ -f /usr/share/java/jna.jar ] || { apt-get update -qq && apt-get install -y -qq libjna-java >/dev/null; }
tools=${YINXIN_TOOLS:-$HOME/.cache/yinxin-kotlin}
kotlinc=$tools/node_modules/kotlin-compiler/bin/kotlinc
if [ ! -x "$kotlinc" ]; then
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund kotlin-compiler@2.4.20 >/dev/null)
  chmod +x "$tools"/node_modules/kotlin-compiler/bin/*
fi
mkdir -p build
"$kotlinc" -nowarn -cp /usr/share/java/jna.jar cn/yinxin/yinxin_ffi.kt test/Flows.kt -d build/flows.jar 2>&1 \
  | grep -v '^warning: unable to find kotlin-stdlib.jar' || true
[ -f build/flows.jar ] || { echo "kotlinc failed" >&2; exit 1; }
YINXIN_SHARED=${YINXIN_SHARED:-$root/../shared} java -Djna.library.path="$target/release" \
  -cp "build/flows.jar:/usr/share/java/jna.jar:$tools/node_modules/kotlin-compiler/lib/kotlin-stdlib.jar" FlowsKt
