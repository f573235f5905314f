#!/usr/bin/env bash
# Bundles the counter page's script (web/src + the npm packages in package-lock.json) into
# crates/yinxin-server/assets/app.js, which the server embeds (`npm run build`). With
# --check: fails when the committed bundle differs from a fresh build (CI), so the page served
# is the source reviewed; the committed file is left as it was.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
bundle=../crates/yinxin-server/assets/app.js
if [ "${1:-}" = "--check" ]; then
  kept=$(mktemp)
  trap 'cp "$kept" "$bundle"; rm -f "$kept"' EXIT
  cp "$bundle" "$kept"
  npm run --silent build -- --log-level=error
  if ! cmp -s "$kept" "$bundle"; then
    echo "crates/yinxin-server/assets/app.js is stale: run web/build.sh" >&2
    exit 1
  fi
  echo "counter page bundle is up to date"
else
  npm run --silent build
fi
