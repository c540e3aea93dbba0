#!/usr/bin/env bash
# The indicator engine over 1 M people, ~10 M service events and ~113 k aggregate
# values, on SQLite and PostgreSQL, with DuckDB (from PyPI) computing the same
# aggregation on the same data as the peer.
#   scripts/bench-indicators/run.sh                 # BENCH_PEOPLE=100000 for a quick run
# Generated data (CSV for DuckDB) goes under $BENCH_DIR (default /tmp/passerelle-bench-indicators).
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
"$venv/bin/python" - data/frameworks/record-sources.json <<'PY'
import duckdb, json, os, sys, time
d = os.environ["BENCH_DIR"]
con = duckdb.connect()
# Load once into DuckDB's own tables (not timed), as the databases hold theirs; dates
# as DATE, DuckDB's best case.
con.execute(f"""create table v as select * from read_csv('{d}/values.csv', header=true, columns={{
  'indicator_code':'varchar','period':'varchar','territory_code':'varchar','organisation_code':'varchar',
  'cells':'varchar','status':'varchar','value':'double'}})""")
con.execute(f"""create table p as select * from read_csv('{d}/people.csv', header=true, columns={{
  'person_id':'bigint','sex':'varchar','birth_year':'bigint','nationality':'varchar','legal_status':'varchar','territory_code':'varchar'}})""")
con.execute(f"""create table e as select * from read_csv('{d}/events.csv', header=true, columns={{
  'person_id':'bigint','organisation_code':'varchar','service_type':'varchar','delivered_on':'date','territory_code':'varchar'}})""")
con.execute(f"""create table t as select * from read_csv('{d}/territories.csv', header=true, columns={{
  'code':'varchar','parent_code':'varchar','level':'varchar'}})""")
counts = [con.execute(f"select count(*) from {x}").fetchone()[0] for x in "vpe"]
sources = {k: v for k, v in json.load(open(sys.argv[1])).items() if not k.startswith("_") and v.get("services")}
indicators = [r[0] for r in con.execute("select distinct indicator_code from v").fetchall()]
sources = {k: v for k, v in sources.items() if k in indicators}

# The same question as the engine's: every indicator for 2021, by region and sex,
# summed over reporting organisations, with the national totals; and for the
# indicators counted from case records, distinct people by region and sex and overall.
grid = """select indicator_code, territory_code, cells, sum(value), string_agg(organisation_code, ',' order by organisation_code)
  from v where period = '2021' and status = 'approved'
    and (territory_code = 'MA' or territory_code in (select code from t where level = 'region'))
    and cells in ('', 'sex=F', 'sex=M')
  group by all"""
def people(src, grouped):
    types = ", ".join(f"'{s}'" for s in src["services"])
    orgs = " or ".join(f"(e.organisation_code = '{o}' or starts_with(e.organisation_code, '{o}-'))"
                       for o in src.get("organisations", [])) or "true"
    cols = "case when t.level = 'province' then t.parent_code else t.code end as region, p.sex, " if grouped else ""
    return f"""select {cols}count(distinct e.person_id) from e join p using (person_id)
      left join t on t.code = coalesce(e.territory_code, p.territory_code)
      where e.delivered_on between date '2021-01-01' and date '2021-12-31' and e.service_type in ({types}) and ({orgs})
      {'group by all' if grouped else ''}"""
queries = [grid] + [people(s, g) for s in sources.values() for g in (True, False)]
def run():
    return sum(len(con.execute(q).fetchall()) for q in queries)
run()
best = 1e9
for _ in range(3):
    t = time.perf_counter(); rows = run(); best = min(best, time.perf_counter() - t)
t0 = time.perf_counter(); con.execute(grid).fetchall(); agg = time.perf_counter() - t0
print(f"duckdb {duckdb.__version__}: {counts[0]} values, {counts[1]} people, {counts[2]} service events; "
      f"{len(indicators)} indicators × region × sex for 2021 + people from records for {len(sources)} "
      f"({len(queries)} queries, {rows} result rows): best of 3 = {best:.3f} s (aggregate grid alone {agg:.3f} s)")

# The same question over the same pre-joined facts as Passerelle keeps (service ⋈ person
# ⋈ region, built once, not timed), so the peer gets the same head start.
con.execute("""create table f as select e.service_type, e.organisation_code, e.delivered_on, e.person_id,
  p.sex, case when t.level = 'province' then t.parent_code else t.code end as region
  from e join p using (person_id) left join t on t.code = coalesce(e.territory_code, p.territory_code)""")
def people_f(src, grouped):
    types = ", ".join(f"'{s}'" for s in src["services"])
    orgs = " or ".join(f"(organisation_code = '{o}' or starts_with(organisation_code, '{o}-'))"
                       for o in src.get("organisations", [])) or "true"
    cols = "region, sex, " if grouped else ""
    return f"""select {cols}count(distinct person_id) from f
      where delivered_on between date '2021-01-01' and date '2021-12-31' and service_type in ({types}) and ({orgs})
      {'group by all' if grouped else ''}"""
queries = [grid] + [people_f(s, g) for s in sources.values() for g in (True, False)]
run()
best_f = 1e9
for _ in range(3):
    t = time.perf_counter(); rows_f = run(); best_f = min(best_f, time.perf_counter() - t)
assert rows_f == rows, (rows_f, rows)
print(f"duckdb over pre-joined facts (same {len(queries)} queries, {rows_f} result rows): best of 3 = {best_f:.3f} s")
PY
