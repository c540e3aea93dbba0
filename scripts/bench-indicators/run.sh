#!/usr/bin/env bash
# The indicator engine over ~100,000 aggregate values, on SQLite and PostgreSQL, with
# DuckDB (from PyPI) computing the same aggregation on the same data as the peer.
#   scripts/bench-indicators/run.sh
# Generated data goes under $BENCH_DIR (default /tmp/passerelle-bench-indicators).
set -euo pipefail
cd "$(dirname "$0")/../.."
export BENCH_DIR="${BENCH_DIR:-/tmp/passerelle-bench-indicators}"
mkdir -p "$BENCH_DIR"
work=$(mktemp -d /tmp/passerelle-bench-pg.XXXXXX); chmod 755 "$work"
trap 'scripts/pg-throwaway stop "$work/pg"; rm -rf "$work"' EXIT
PASSERELLE_TEST_POSTGRES_URL=$(scripts/pg-throwaway start "$work/pg")
export PASSERELLE_TEST_POSTGRES_URL
cargo bench -q -p passerelle-service --bench indicators
venv="${VENV_DIR:-/tmp/passerelle-bench-venv}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import duckdb' 2>/dev/null || "$venv/bin/pip" install -q duckdb
"$venv/bin/python" - <<'PY'
import duckdb, os, time
path = os.path.join(os.environ["BENCH_DIR"], "values.csv")
con = duckdb.connect()
con.execute(f"create table v as select * from read_csv_auto('{path}', all_varchar=false, header=true)")
n = con.execute("select count(*) from v").fetchone()[0]
# The same question as the engine's: for each indicator, the regions' values by sex,
# summed over reporting organisations (region rows have no region_code).
q = """select indicator_code, territory_code, cells, sum(value) from v
       where period = 2021 and region_code is null and cells in ('sex=F', 'sex=M')
       group by 1, 2, 3"""
con.execute(q).fetchall()
best = 1e9
for _ in range(3):
    t = time.perf_counter(); rows = con.execute(q).fetchall(); best = min(best, time.perf_counter() - t)
print(f"duckdb: {n} values; every indicator × region × sex for 2021 ({len(rows)} lines): best of 3 = {best:.3f} s")
PY
