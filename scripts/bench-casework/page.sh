#!/usr/bin/env bash
# The case page under 100 concurrent users (issue #4; figures in BENCHMARKS.md).
# Serves a database with the release binary, logs in as worker.en, gives the demo
# case a few weeks of work through the page's own forms (once per database), then:
#   - closed loop: wrk -t2 -c100 -d20s (100 connections, no think time);
#   - constant rate: examples/loadgen.rs, 100 keep-alive users offering RATES pages/s
#     in all, latency counted from when each request was due;
# each with the server's CPU time per page (user + system, /proc/PID/stat) and the
# load average beside it.
# Usage: scripts/bench-casework/page.sh
#   DB=               (empty) a fresh `passerelle demo` database (SQLite) in BENCH_DIR
#   DB=sqlite://FILE  serve that database (run.sh's 1 M-person registry)
#   DB=postgres://…   load the demo into that empty database and serve it
#   BIN=…             the server binary (default: the release build of this tree)
#   RATES=100,1000,2000  constant rates to offer; WRK=0 skips wrk; SECS=20
set -euo pipefail
cd "$(dirname "$0")/../.."
TARGET="${CARGO_TARGET_DIR:-$PWD/target}"
BENCH_DIR="${BENCH_DIR:-/tmp/passerelle-bench-casework}"
mkdir -p "$BENCH_DIR"
command -v wrk >/dev/null || { sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y -qq wrk >/dev/null; }
if [ -z "${BIN:-}" ]; then
  nice cargo build -q --release -p passerelle
  BIN="$TARGET/release/passerelle"
fi
nice cargo build -q --release -p passerelle-web --example loadgen
LOADGEN="$TARGET/release/examples/loadgen"
PORT="${PORT:-18089}"
SECS="${SECS:-20}"
RATES="${RATES:-100,1000,1500,2000,2500}"
[ -f "$BENCH_DIR/field.key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d " \n" >"$BENCH_DIR/field.key"
export PASSERELLE__SECURITY__FIELD_KEY="$(cat "$BENCH_DIR/field.key")"
export PASSERELLE__SERVER__SECURE_COOKIES=false
export PASSERELLE__LOG__LEVEL=warn
case "${DB:-}" in
  "") "$BIN" demo --data-dir "$BENCH_DIR/demo" --listen "127.0.0.1:$PORT" >/dev/null & ;;
  postgres*) "$BIN" --database-url "$DB" demo --listen "127.0.0.1:$PORT" >/dev/null & ;;
  *) "$BIN" serve --database-url "$DB" --listen "127.0.0.1:$PORT" & ;;
esac
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 900); do curl -fs "http://127.0.0.1:$PORT/login" >/dev/null && break; sleep 0.2; done
JAR="$BENCH_DIR/cookies.txt"
rm -f "$JAR"
CSRF=$(curl -s -c "$JAR" "http://127.0.0.1:$PORT/login" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null -d "_csrf=$CSRF&username=worker.en&password=passerelle-demo&next=/" "http://127.0.0.1:$PORT/login"
COOKIE=$(awk '$6 ~ /passerelle_session/ {print $6"="$7}' "$JAR")
# The demo's case (Aminata, with a plan step); the worker's own.
CASE_URL="http://127.0.0.1:$PORT/cases/1"
curl -fs -o /dev/null -H "Cookie: $COOKIE" "$CASE_URL" || { echo "cannot read $CASE_URL"; exit 1; }
# A case as a worker has it after a few weeks, typed through the same forms a worker
# uses (once per database): the assessment filled in, three plan steps, four notes,
# three referrals (to public agencies, as her consent allows; one names a directory
# service) and three services given.
if ! curl -fs -H "Cookie: $COOKIE" "$CASE_URL" | grep -q 'bench-note-4'; then
  CSRF=$(curl -fs -H "Cookie: $COOKIE" "$CASE_URL" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  post() { curl -fs -o /dev/null -w '%{http_code} '  -H "Cookie: $COOKIE" --data "_csrf=$CSRF&$1" "$CASE_URL"; }
  post "action=assessment&assessment_version=$(curl -fs -H "Cookie: $COOKIE" "$CASE_URL" | sed -n 's/.*name="assessment_version" value="\([0-9]*\)".*/\1/p' | head -1)&a:housing_situation=shared&a:housing_notes=Chambre+partag%C3%A9e+%C3%A0+Takaddoum&a:french_level=basic&a:arabic_level=basic&a:health_coverage=no&a:health_notes=Suivi+de+grossesse+%C3%A0+organiser&a:income_source=informal_work&a:vulnerabilities=single_parent&a:residence_permit=renewal_pending&a:project_type=training&a:anapec_registered=no&a:skills=Couture%2C+coiffure&a:work_experience=Deux+ans+dans+un+salon+%C3%A0+Bamako&a:children_count=1&a:admin_support_needed=yes&a:school_level=primary&a:motivation_level=high&a:childcare_needed=yes&a:language_course_wanted=yes&a:psychosocial_need=no&a:food_insecurity=yes"
  for i in 1 2 3; do post "action=step&goal=Objectif+$i&step=%C3%89tape+$i+du+parcours&due_date=2026-0$i-15"; done
  for i in 1 2 3 4; do post "action=note&body=bench-note-$i+%E2%80%94+entretien+de+suivi%2C+la+personne+a+apport%C3%A9+les+justificatifs+demand%C3%A9s."; done
  post "action=refer&organisation=ANAPEC&service=employment_registration&sections=professional_profile&sections=language&due_date=2026-12-15&message=Inscription+et+entretien+de+positionnement"
  post "action=refer&organisation=ANAPEC&service=SVC-ANAPEC-ATELIERS&due_date=2026-12-20&message=Atelier+de+recherche+d%27emploi"
  post "action=refer&organisation=OFPPT&service=training_enrolment&sections=language&due_date=2027-01-10&message=Formation+couture"
  d=0; for t in reception social_assistance health; do d=$((d + 1)); post "action=service&service_type=$t&date=2026-11-0$d"; done
  echo "← HTTP statuses of the forms that filled in the demo case (303 = saved)"
fi
echo "page: $(curl -fs -H "Cookie: $COOKIE" "$CASE_URL" | wc -c) bytes; single requests (ms):"
for _ in $(seq 50); do curl -fs -o /dev/null -w '%{time_total}\n' -H "Cookie: $COOKIE" "$CASE_URL"; done \
  | sort -n | awk '{a[NR]=$1*1000} END {printf "  min %.1f / median %.1f\n", a[1], a[int((NR+1)/2)]}'
cpu() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
TICK=$(getconf CLK_TCK)
if [ "${WRK:-1}" = 1 ]; then
  echo "closed loop, wrk -t2 -c100 -d${SECS}s --latency ($(uptime | sed 's/.*load/load/')):"
  c0=$(cpu)
  wrk -t2 -c100 -d"${SECS}s" --latency -H "Cookie: $COOKIE" "$CASE_URL" | tee "$BENCH_DIR/wrk.txt"
  c1=$(cpu)
  n=$(awk '/requests in/ {print $1}' "$BENCH_DIR/wrk.txt")
  echo "  server CPU per page: $(awk -v c=$((c1 - c0)) -v n="$n" -v t="$TICK" 'BEGIN {printf "%.2f ms", c / t * 1000 / n}') (load after: $(uptime | sed 's/.*average: //'))"
fi
echo "constant rate, 100 users, ${SECS}s a rate (latency from when each request was due):"
IFS=, read -ra rates <<<"$RATES"
for r in "${rates[@]}"; do
  c0=$(cpu)
  out=$("$LOADGEN" "$CASE_URL" "$r" "$SECS" 100 "Cookie: $COOKIE")
  c1=$(cpu)
  line=$(echo "$out" | tail -1)
  n=$(echo "$line" | awk '{print $NF}')
  [ "$r" = "${rates[0]}" ] && echo "$out" | head -1 | sed 's/$/   CPU\/page  load/'
  echo "$line   $(awk -v c=$((c1 - c0)) -v n="$n" -v t="$TICK" 'BEGIN {printf "%.2f ms", c / t * 1000 / n}')  $(uptime | sed 's/.*average: //')"
done
