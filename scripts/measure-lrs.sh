#!/usr/bin/env bash
# docs/performance.md "Classroom": a class of 30 learners (10,200 statements) sent to the test LRS,
# statements/s; then the LRS is killed mid-send, restarted, and a re-send must leave exactly one
# copy of each statement (counted through the LRS's own API). Needs `scripts/lrs.sh install` and
# a release build: cargo build --release -p crossway-cli -p crossway-app --example classroom
# (the example builds the data; see its header).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
T="${CARGO_TARGET_DIR:-$ROOT/target}/release"
W="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$W"' EXIT
PORT=18631
"$T/examples/classroom" lab "$W/lab" 30 340
echo "secret-pass" >"$W/pw"
start_lrs() { bash "$ROOT/scripts/lrs.sh" start "$W/lrs" $PORT teacher secret-pass >/dev/null 2>&1 & LRS=$!;
  until curl -sf "http://127.0.0.1:$PORT/__heartbeat__" >/dev/null; do sleep 0.1; done; }
send() { "$T/crossway" xapi send --lrs "http://127.0.0.1:$PORT/xAPI/" --user teacher --password-file "$W/pw" --db "$W/lab/crossway.sqlite3" --json "$@"; }
count() { curl -s -u teacher:secret-pass -H 'X-Experience-API-Version: 1.0.3' "http://127.0.0.1:$PORT/xAPI/statements?limit=0" | python3 -c 'import json,sys; s=json.load(sys.stdin)["statements"]; print(len(s), "stored,", len({x["id"] for x in s}), "distinct ids")'; }

echo "== a whole send into an empty LRS"
start_lrs
send | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["sent"], "sent,", r["already_there"], "already there, %.0f ms, %.0f statements/s" % (r["ms"], r["sent"] / r["ms"] * 1000))'
echo "== the same send again"
send | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["sent"], "sent,", r["already_there"], "already there, %.0f ms" % r["ms"])'
count
kill -9 $LRS; wait $LRS 2>/dev/null || true; rm -rf "$W/lrs"

echo "== killed mid-send, restarted, sent again"
start_lrs
send --batch 50 >"$W/first.json" 2>"$W/first.err" & SENDER=$!
until [ "$(cat "$W/lrs/data/fs_lrs.jsonl" 2>/dev/null | wc -l)" -ge 3000 ]; do sleep 0.05; done
kill -9 $LRS; wait $LRS 2>/dev/null || true
echo "stored when killed: $(wc -l <"$W/lrs/data/fs_lrs.jsonl")"
wait $SENDER || true
sed 's/^/sender: /' "$W/first.err"
start_lrs
send | python3 -c 'import json,sys; r=json.load(sys.stdin); print("re-send:", r["sent"], "sent,", r["already_there"], "already there, %.0f ms" % r["ms"])'
count
