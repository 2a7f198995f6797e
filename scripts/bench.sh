#!/usr/bin/env bash
# Benchmarks (timings are printed, never asserted):
#   criterion  engine render of a realistic template in memory, plus mrml alone (crates/engine/benches)
#   mjml       side-by-side with npm mjml on the MJML of every sample template (scripts/bench-mjml.mjs)
#   build      `letterpress build` of a generated 200 templates × 10 locales × 2 fixtures project
#
# Usage: bash scripts/bench.sh [criterion] [mjml] [build]     (default: all three)
# Settings: BENCH_ITERATIONS (mjml, default 100), BENCH_TEMPLATES / BENCH_LOCALES /
#           BENCH_FIXTURES (build, default 200 / 10 / 2).
set -euo pipefail
source "$(dirname "$0")/env.sh"
ensure_cargo
cd "$ROOT"

parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(criterion mjml build)
for p in "${parts[@]}"; do
  case "$p" in
    criterion | mjml | build) ;;
    *) echo "unknown benchmark '$p' (criterion, mjml, build)" >&2; exit 2 ;;
  esac
done
wants() { [[ " ${parts[*]} " == *" $1 "* ]]; }

echo "== cargo build --release -p letterpress-cli"
cargo build --release -q -p letterpress-cli
bin="$CARGO_TARGET_DIR/release/letterpress"
echo "machine: $(nproc) cores, $(uname -sr)"

if wants criterion; then
  echo
  echo "== criterion: engine render in memory (crates/engine/benches/render.rs)"
  # Criterion's progress lines are noise here; the results stay.
  cargo bench -q -p letterpress-engine --bench render 2>&1 | grep -v -e '^Benchmarking' -e '^$'
fi

if wants mjml; then
  ensure_node_packages
  echo
  echo "== side by side: npm mjml (warm) vs letterpress"
  node scripts/bench-mjml.mjs "$bin" --iterations "${BENCH_ITERATIONS:-100}"
fi

if wants build; then
  echo
  echo "== build: generated project"
  "$bin" --project "$ROOT" bench build \
    --templates "${BENCH_TEMPLATES:-200}" \
    --locales "${BENCH_LOCALES:-10}" \
    --fixtures "${BENCH_FIXTURES:-2}"
fi
