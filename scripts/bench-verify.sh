#!/usr/bin/env bash
# Load figures of `POST /v1/verify` (BENCHMARKS.md, issue 20): QR text of an Ed25519 issuer's
# business license (the pre-signed counter_check set, P-256 holder, a status list checked),
# every request a fresh code prepared beforehand (the replay guard refuses a code twice), wrk
# with 2 threads on the same 2 cores as the server, over loopback. Then the server's resident
# memory every 10 s over 60 s of fresh codes (the replay guard grows by one entry a code, by
# design, up to --replay-capacity), and over 60 s of the same codes again (every check run,
# each refused as a replay: no growth expected).
#   scripts/bench-verify.sh [RATE_SECONDS]   (default 30; needs wrk: apt-get install wrk)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
cargo build --release -q -p yinxin-cli
target=$(bindings/target-dir.sh)
work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
# Enough codes for the rate run and the 60 s memory run at up to 12,000 a second.
count=$(( (seconds + 60) * 12000 ))
cargo run --release -q -p yinxin-server --example verify_load -- "$work" "$count"
head -n $(( seconds * 12000 )) "$work/codes.txt" >"$work/rate.txt"
tail -n +$(( seconds * 12000 + 1 )) "$work/codes.txt" >"$work/memory.txt"
# The window covers the whole run (the codes were all made before it).
"$target/release/yinxin" serve --dir "$work" --addr 127.0.0.1:0 --trust "$work/root.pem" \
  --status-list "$work/status.cwt" --window 3600 --replay-capacity 5000000 >"$work/addr" 2>/dev/null &
pid=$!
while [ ! -s "$work/addr" ]; do sleep 0.1; done
url="http://$(head -1 "$work/addr")"
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
load() { # CODES REPLAYED SECONDS
  CODES=$1 REPLAYED=$2 THREADS=2 wrk -t2 -c32 -d"$3s" --latency -s scripts/verify-load.lua "$url"
}
echo "== rate: fresh codes, $seconds s (rss before: $(rss) KiB)"
load "$work/rate.txt" 0 "$seconds" | grep -E 'Requests/sec|Latency  |99%|p50|Non-2xx|requests in'
echo "== memory: 60 s of fresh codes (RSS of the server, KiB)"
load "$work/memory.txt" 0 60 | grep -E 'Requests/sec|p50|requests in' &
job=$!
for i in 0 1 2 3 4 5 6; do
  echo "t=$((i * 10))s rss=$(rss)"
  [ "$i" -lt 6 ] && sleep 10
done
wait "$job"
echo "== memory: 60 s of the same codes again, each refused as a replay (KiB)"
load "$work/memory.txt" 1 60 | grep -E 'Requests/sec|p50|requests in' &
job=$!
for i in 0 1 2 3 4 5 6; do
  echo "t=$((i * 10))s rss=$(rss)"
  [ "$i" -lt 6 ] && sleep 10
done
wait "$job"
