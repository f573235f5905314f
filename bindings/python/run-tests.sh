#!/usr/bin/env bash
# Runs the Python binding tests against the release library: a virtualenv with pytest and
# cryptography (pinned in requirements-test.txt), the native library copied beside the package.
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
# Always build: a no-op when the library is current, and never a test of a stale one.
cargo build --release --locked -p yinxin-ffi --manifest-path "$root/Cargo.toml"
target=$("$root/bindings/target-dir.sh")
cp "$target/release/libyinxin_ffi.so" yinxin/
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-test.txt
.venv/bin/python -m pytest -q tests "$@"
