#!/usr/bin/env bash
# Case work benchmarks (figures in BENCHMARKS.md):
#  1. search before create over BENCH_PEOPLE generated people (default 1,000,000):
#     p50/p95/p99 of 1,000 searches, on SQLite (and PostgreSQL when
#     PASSERELLE_TEST_POSTGRES_URL is set);
#  2. a case page under 100 concurrent users on loopback with wrk (Debian), p99 and
#     errors, served by the release binary from the SQLite database of step 1, after
#     giving the demo case a few weeks of work through the page's own forms.
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
echo "case page under 100 concurrent connections for 20 s:"
wrk -t2 -c100 -d20s --latency -H "Cookie: $COOKIE" "$CASE_URL" | tee "$BENCH_DIR/wrk.txt"
