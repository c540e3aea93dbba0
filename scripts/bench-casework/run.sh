#!/usr/bin/env bash
# Case work benchmarks (figures in BENCHMARKS.md):
#  1. search before create over BENCH_PEOPLE generated people (default 1,000,000):
#     p50/p95/p99 of 1,000 searches, on SQLite (and PostgreSQL when
#     PASSERELLE_TEST_POSTGRES_URL is set);
#  2. a case page under 100 concurrent users on loopback (scripts/bench-casework/page.sh:
#     wrk's closed loop and a constant rate), served by the release binary from the
#     SQLite database of step 1, after giving the demo case a few weeks of work
#     through the page's own forms.
# Usage: scripts/bench-casework/run.sh   (BENCH_PEOPLE=100000 for a quicker run;
# BENCH_REUSE=1 searches the registry a previous run left instead of reloading it)
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DIR="${BENCH_DIR:-/tmp/passerelle-bench-casework}"
cargo bench -q -p passerelle-service --bench casework
# 2. The case page, on the registry just loaded (page.sh also measures the demo
#    database with DB unset, and PostgreSQL with DB=postgres://…).
DB="sqlite://$BENCH_DIR/casework.db" scripts/bench-casework/page.sh
