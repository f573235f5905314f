#!/usr/bin/env bash
# Load figures of `yinxin serve` (BENCHMARKS.md): the token of a 2^20-entry status list with 1 %
# revoked (about 15 KB), served on loopback, measured with wrk on the same machine (which shares
# the cores): requests/s answered 200, requests/s answered 304 (If-None-Match), and the
# server's resident memory sampled every 10 s over a 60 s run.
#   scripts/bench-serve.sh [SECONDS]   (default 30 per rate run; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q -p yinxin-cli
cargo build --release -q -p yinxin --example status_token
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/pub/sc/lists"
cargo run --release -q -p yinxin --example status_token -- "$work/pub/sc/lists/1.cwt"
target=$(bindings/target-dir.sh)
"$target/release/yinxin" serve --dir "$work/pub" --addr 127.0.0.1:0 >"$work/addr" 2>/dev/null &
pid=$!
while [ ! -s "$work/addr" ]; do sleep 0.1; done
addr=$(head -1 "$work/addr")
url="http://$addr/sc/lists/1"
etag=$(curl -sI "$url" | tr -d '\r' | awk 'tolower($1) == "etag:" {print $2}')
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$url")" = 304 ] || { echo "no 304" >&2; exit 1; }
echo "== 200 (whole token), $seconds s"
wrk -t2 -c64 -d"${seconds}s" --latency "$url" | grep -E 'Requests/sec|Transfer/sec|Latency|99%|Non-2xx'
echo "== 304 (If-None-Match), $seconds s"
wrk -t2 -c64 -d"${seconds}s" --latency -H "If-None-Match: $etag" "$url" | grep -E 'Requests/sec|Latency|99%|Non-2xx'
echo "== memory over 60 s of 200s (RSS of the server, KiB)"
wrk -t2 -c64 -d60s "$url" >/dev/null &
load=$!
for i in 0 1 2 3 4 5 6; do
  echo "t=$((i * 10))s rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  [ "$i" -lt 6 ] && sleep 10
done
wait "$load"
