# Shared by the linkage benchmark scripts (sourced): where things go, and the release
# build of `examples/evaluate.rs`. Sets here, repo, bench, venv, data and evaluate.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bench="${BENCH_DIR:-/tmp/passerelle-bench}"
venv="${VENV_DIR:-/tmp/passerelle-bench-venv}"
data="$bench/data"
mkdir -p "$data"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"

# Builds Passerelle's evaluation program in release and sets $evaluate.
build_evaluate() {
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
    (cd "$repo" && cargo build --release --quiet -p passerelle-linkage --example evaluate)
    evaluate="$CARGO_TARGET_DIR/release/examples/evaluate"
}
