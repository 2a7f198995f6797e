#!/usr/bin/env bash
# The sender's throughput: N daily-digest messages (the sample's default fixture, five
# locales) rendered and handed to a local SMTP server (aiosmtpd with the tests' sink, which
# writes every message to disk), by the release `letterpress send`. Two runs side by side:
# the outbox on disk (the durable case: fsync per message) and on /dev/shm (no real fsync),
# so the difference is the cost of durability. aiosmtpd caps the rate by itself (the last
# line measures it), so the same two runs go to `smtp-discard` too (crates/test-support: a
# server that throws messages away, like Postfix's smtp-sink): the sender's own rate.
# Timings are printed, never asserted.
#
#   bash scripts/bench-send.sh [N]      (default 1000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
source "$here/scripts/env.sh"
n="${1:-1000}"
cargo build --release -q -p letterpress-cli -p letterpress-test-support --bin letterpress \
  --bin smtp-discard
bin="${LETTERPRESS_BIN:-$CARGO_TARGET_DIR/release/letterpress}"
work="$(mktemp -d)"
shm="$(mktemp -d -p /dev/shm)"
sink_pid=""
discard_pid=""
cleanup() {
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null
  [ -n "$discard_pid" ] && kill "$discard_pid" 2>/dev/null
  rm -rf "$work" "$shm"
}
trap cleanup EXIT
mkdir -p "$work/project" "$work/sink" "$work/discard"
cp -r "$here"/{templates,locales,layouts,partials,letterpress.toml} "$work/project/"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PYTHONPATH="$here/crates/test-support" python3 -m aiosmtpd -n -l "127.0.0.1:$port" \
  -c smtp_sink.RawSink "$work/sink" >/dev/null 2>&1 &
sink_pid=$!
for _ in $(seq 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1',$port),1)" 2>/dev/null && break
  sleep 0.05
done
python3 - "$work/project" "$n" > "$work/messages.jsonl" <<'PY'
import json, sys
root, n = sys.argv[1], int(sys.argv[2])
data = json.load(open(f"{root}/templates/daily-digest/fixtures/default.json"))
locales = ["en", "de", "fr", "pl", "ar"]
for i in range(n):
    print(json.dumps({"template": "daily-digest", "locale": locales[i % 5], "data": data,
                      "to": f"member{i}@example.com", "key": f"bench-{i}"}))
PY
run() {
  local label="$1" outbox="$2" to="${3:-$port}"
  rm -f "$outbox"*
  local start end
  start=$(date +%s.%N)
  "$bin" --project "$work/project" send "$work/messages.jsonl" --smtp "smtp://127.0.0.1:$to" \
    --outbox "$outbox" >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "s=$end-$start; print(f'{\"$label\":<34} {s:6.2f} s  {$n/s:7.0f} messages/s')"
}
echo "letterpress send: $n daily-digest messages to aiosmtpd on 127.0.0.1 ($(nproc) cores)"
run "outbox on disk (fsync per message)" "$work/outbox.sqlite"
run "outbox on /dev/shm (no fsync)" "$shm/outbox.sqlite"
received=$(ls "$work/sink" | grep -c '\.eml$')
echo "received by the sink: $received (expected $((2 * n)))"
"$CARGO_TARGET_DIR/release/smtp-discard" "$work/discard" &
discard_pid=$!
for _ in $(seq 100); do [ -s "$work/discard/port" ] && break; sleep 0.05; done
discard_port=$(cat "$work/discard/port")
run "to smtp-discard, outbox on disk" "$work/outbox-d.sqlite" "$discard_port"
run "to smtp-discard, outbox on /dev/shm" "$shm/outbox-d.sqlite" "$discard_port"
sleep 0.2
echo "taken by smtp-discard: $(cut -d' ' -f1 "$work/discard/count") (expected $((2 * n)))"
# The ceiling the sink sets: Python's smtplib sending the same (already built) messages over
# one connection, nothing rendered, nothing recorded.
python3 - "$work/sink" "$port" "$n" <<'PY'
import os, smtplib, sys, time
sink, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
files = sorted(f for f in os.listdir(sink) if f.endswith(".eml"))[:n]
messages = [open(os.path.join(sink, f), "rb").read() for f in files]
start = time.time()
with smtplib.SMTP("127.0.0.1", port) as s:
    for i, m in enumerate(messages):
        s.sendmail("hello@northwind.example.com", [f"member{i}@example.com"], m)
took = time.time() - start
print(f"{'python smtplib, prebuilt (the sink)':<34} {took:6.2f} s  {n / took:7.0f} messages/s")
PY
