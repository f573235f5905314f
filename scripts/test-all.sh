#!/usr/bin/env bash
# Runs every test of the project. Installs what the tests need on a fresh machine first:
# OpenSSL 3 (the interoperability tests call `openssl`).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
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

cargo test --workspace --locked
