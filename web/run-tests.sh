#!/usr/bin/env bash
# The counter page's tests in a real browser (web/test/counter.test.mjs): installs Debian's
# Chromium when missing and the npm packages of package-lock.json, checks that the committed
# bundle is built from web/src, builds the yinxin CLI, and drives the page with a fake camera.
# The last line is the summary ("counter page: N checks passed").
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "installing chromium" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq chromium >/dev/null
fi
./build.sh --check
(cd .. && cargo build -q --locked -p yinxin-cli)
YINXIN_BIN=target/debug/yinxin node test/counter.test.mjs
