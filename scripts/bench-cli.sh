#!/usr/bin/env bash
# One process per file, the way `mjml` is used in CI: the release `letterpress render FILE`
# and npm `mjml FILE` (its CLI, one Node process each) over the same 25 templates of the
# public corpus in ../shared/corpus/mrml-compare (sorted, the first 25), side by side in one
# run, as a ratio; plus `letterpress --version` (start-up alone), `/bin/true` (a process at
# all) and the binary's size and linked libraries. Printed, never asserted.
#
#   bash scripts/bench-cli.sh [ROUNDS]      (default 5 rounds of 25 files)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
rounds="${1:-5}"
cargo build --release -q -p letterpress-cli
bin="${LETTERPRESS_BIN:-$CARGO_TARGET_DIR/release/letterpress}"
corpus="$here/../shared/corpus/mrml-compare"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
python3 - "$bin" "$corpus" "$out" "$rounds" "$here/node_modules/.bin/mjml" <<'PY'
import os, subprocess, sys, time
bin, corpus, out, rounds, mjml = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
files = sorted(f for f in os.listdir(corpus) if f.endswith(".mjml"))[:25]
def per_file(cmd_of, n_rounds):
    best = None
    for _ in range(n_rounds):
        start = time.perf_counter()
        for f in files:
            subprocess.run(cmd_of(f), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        took = (time.perf_counter() - start) / len(files) * 1000
        best = took if best is None else min(best, took)
    return best
def lp(f):
    return [bin, "render", os.path.join(corpus, f), "-o", os.path.join(out, f + ".html")]
def npm_mjml(f):
    return [mjml, os.path.join(corpus, f), "-o", os.path.join(out, f + ".mjml.html")]
version = per_file(lambda f: [bin, "--version"], rounds)
true = per_file(lambda f: ["/bin/true"], rounds)
ours = per_file(lp, rounds)
theirs = per_file(npm_mjml, 1)
size = os.path.getsize(bin) / 1e6
libs = subprocess.run(["ldd", bin], capture_output=True, text=True).stdout.split("\n")
libs = [l.split()[0] for l in libs if l.strip()]
print(f"{len(files)} files, best of {rounds} rounds, one process per file ({os.cpu_count()} cores)")
print(f"{'letterpress render FILE':<28} {ours:7.2f} ms per file")
print(f"{'npm mjml FILE (1 round)':<28} {theirs:7.2f} ms per file   ratio {theirs / ours:6.1f}x")
print(f"{'letterpress --version':<28} {version:7.2f} ms")
print(f"{'/bin/true':<28} {true:7.2f} ms")
print(f"binary: {size:.1f} MB, {len(libs)} libraries: {' '.join(libs)}")
PY
