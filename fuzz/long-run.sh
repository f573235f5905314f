#!/usr/bin/env bash
# The long fuzz runs FUZZING.md records: each target (or the ones named) until 10 million
# executions or $MAX_TIME seconds (default 1800), two at a time, growing its committed corpus fuzz/corpus/<target>.
# Afterwards `cargo +nightly fuzz cmin <target>` keeps the corpus small. Logs: $LOGS (default
# /tmp/yinxin-fuzz), one per target, ending with libFuzzer's final stats.
set -euo pipefail
cd "$(dirname "$0")"
logs=${LOGS:-/tmp/yinxin-fuzz}
max_time=${MAX_TIME:-1800}
mkdir -p "$logs"
targets=("$@")
((${#targets[@]})) || mapfile -t targets < <(cargo +nightly fuzz list)
cargo +nightly fuzz build >/dev/null 2>&1
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} sh -c '
  mkdir -p corpus/{}
  cargo +nightly fuzz run {} corpus/{} -- -runs=10000000 -max_total_time='"$max_time"' -rss_limit_mb=2048 \
    -print_final_stats=1 >"'"$logs"'/{}.log" 2>&1
  echo "{}: exit $? $(grep -E "^Done|stat::number_of_executed_units" "'"$logs"'/{}.log" | tr "\n" " ")"
'
