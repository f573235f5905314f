#!/usr/bin/env bash
# Prints cargo's target directory for this workspace: ./target unless CARGO_TARGET_DIR or a cargo
# config moves it. The binding scripts find the built library there.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo metadata --format-version 1 --no-deps --locked \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])'
