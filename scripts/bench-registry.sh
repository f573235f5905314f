#!/usr/bin/env bash
# Issuance into the registry (BENCHMARKS.md, issue 21): `license issue-batch` (release build,
# Ed25519 authority) into SQLite and into PostgreSQL (a throw-away cluster on this machine),
# 1 process, then PROCESSES processes at once on one PostgreSQL database; licenses/s for each
# and the registry checked afterwards. Credentials go to a scratch directory, deleted after
# each run.
#   scripts/bench-registry.sh [TOTAL] [SINGLE] [PROCESSES]   (defaults 1000000 200000 4)
set -euo pipefail
cd "$(dirname "$0")/.."
total=${1:-1000000}
single=${2:-200000}
procs=${3:-4}
cargo build --release -q -p yinxin-cli --example batch_input
target=$(bindings/target-dir.sh)
yx="$target/release/yinxin"
work=$(mktemp -d)
chmod 755 "$work"
trap 'scripts/postgres-test-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
base=$(scripts/postgres-test-cluster.sh start "$work/pg")
server=${base%/*}
db() { psql -q "$base" -c "CREATE DATABASE $1" >/dev/null; echo "$server/$1"; }
(cd "$work" && "$yx" authority init --dir auth --alg ed25519 --name 局 --code 11510000MB0123456W >/dev/null &&
  "$yx" key generate --alg ed25519 --out holder.pem >/dev/null)
issue() { # REGISTRY INPUT OUT
  "$yx" license issue-batch --authority "$work/auth" --registry "$1" --input "$2" \
    --holder-key "$work/holder.pem" --out-dir "$3" --quiet >"$3.acks" 2>"$3.err"
}
rate() { awk -v n="$1" -v a="$2" -v b="$3" 'BEGIN { s = b - a; printf "%d licenses in %.1f s: %.0f licenses/s", n, s, n / s }'; }
now() { date +%s.%N; }
"$target/release/examples/batch_input" "$single" S >"$work/single.jsonl"

echo "== SQLite, 1 process, $single licenses"
t0=$(now); issue "$work/reg.db" "$work/single.jsonl" "$work/out"; t1=$(now)
echo "$(rate "$single" "$t0" "$t1"); check: $("$yx" registry check --registry "$work/reg.db")"
rm -rf "$work/out" "$work/out.acks" "$work/out.err"

echo "== PostgreSQL, 1 process, $single licenses"
url=$(db one)
t0=$(now); issue "$url" "$work/single.jsonl" "$work/out"; t1=$(now)
echo "$(rate "$single" "$t0" "$t1"); check: $("$yx" registry check --registry "$url")"
rm -rf "$work/out" "$work/out.acks" "$work/out.err" "$work/single.jsonl"

echo "== PostgreSQL, $procs processes at once, $total licenses"
url=$(db many)
"$yx" registry migrate --to "$url" >/dev/null
per=$(( total / procs ))
for p in $(seq 1 "$procs"); do "$target/release/examples/batch_input" "$per" "P$p" >"$work/in$p.jsonl"; done
t0=$(now)
pids=()
for p in $(seq 1 "$procs"); do issue "$url" "$work/in$p.jsonl" "$work/out$p" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done
t1=$(now)
rate $(( per * procs )) "$t0" "$t1"; echo
echo "check: $("$yx" registry check --registry "$url")"
echo "licenses in the database: $(psql -Atq "$url" -c 'SELECT count(*) FROM licenses'), distinct indices: $(psql -Atq "$url" -c 'SELECT count(DISTINCT (list_id, idx)) FROM licenses')"
echo "database size: $(psql -Atq "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"
