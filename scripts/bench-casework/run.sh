#!/usr/bin/env bash
# Case work benchmarks (figures in BENCHMARKS.md):
#  1. search before create over BENCH_PEOPLE generated people (default 1,000,000):
#     p50/p95/p99 of 1,000 searches, on SQLite (and PostgreSQL when
#     PASSERELLE_TEST_POSTGRES_URL is set);
#  2. a case page under 100 concurrent users on loopback with wrk (Debian), p99 and
#     errors, served by the release binary from the SQLite database of step 1.
# Usage: scripts/bench-casework/run.sh   (BENCH_PEOPLE=100000 for a quicker run;
# BENCH_REUSE=1 searches the registry a previous run left instead of reloading it)
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DIR="${BENCH_DIR:-/tmp/passerelle-bench-casework}"
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }
cargo bench -q -p passerelle-service --bench casework
cargo build -q --release -p passerelle
BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/passerelle"
PORT=18089
export PASSERELLE__SECURITY__FIELD_KEY="$(cat "$BENCH_DIR/field.key")"
export PASSERELLE__SERVER__SECURE_COOKIES=false
export PASSERELLE__LOG__LEVEL=warn
"$BIN" serve --database-url "sqlite://$BENCH_DIR/casework.db" --listen "127.0.0.1:$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.2; done
JAR="$BENCH_DIR/cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null -d "_csrf=$CSRF&username=worker.en&password=passerelle-demo&next=/" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6 ~ /passerelle_session/ {print $6"="$7}' "$JAR")
# The demo's case (Aminata, with a plan step); the worker's own.
CASE_URL="http://127.0.0.1:$PORT/cases/1"
curl -fs -o /dev/null -H "Cookie: $COOKIE" "$CASE_URL" || { echo "cannot read $CASE_URL"; exit 1; }
echo "case page under 100 concurrent connections for 20 s:"
wrk -t2 -c100 -d20s --latency -H "Cookie: $COOKIE" "$CASE_URL" | tee "$BENCH_DIR/wrk.txt"
