#!/usr/bin/env bash
# Builds the full-size hostile hive and export inputs of issue 11 (rows 4,
# 5, 6, 9, 10) in $TMPDIR and runs the built iccheck on each under
# /usr/bin/time -v: peak RSS, wall time, status and the error problems.
# Not part of go test. Needs /usr/bin/time (apt-get install -y time).
set -euo pipefail
cd "$(dirname "$0")/.."
work="${TMPDIR:-/tmp}/hvic-hostile-hive"
rm -rf "$work"
mkdir -p "$work/bin" "$work/in" "$work/out"
go build -o "$work/bin/iccheck" ./examples/iccheck
go build -o "$work/bin/genhive" ./internal/hostile/cmd/genhive
"$work/bin/genhive" "$work/in"

run() { # name, then iccheck arguments
  local name=$1; shift
  local out="$work/out/$name"
  set +e
  /usr/bin/time -v "$work/bin/iccheck" -format json "$@" >"$out.json" 2>"$out.time"
  local rc=$?
  set -e
  local rss wall
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f MiB", $2/1024}' "$out.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$out.time")
  python3 - "$name" "$rss" "$wall" "$rc" "$out.json" <<'PY'
import json, sys
name, rss, wall, rc, path = sys.argv[1:]
try:
    d = json.load(open(path))
    errs = [p for p in d.get("problems") or [] if p.get("severity") == "error"]
    status = d.get("status")
except Exception as e:
    errs, status = [], "no JSON (%s)" % e
print(f"{name:10} peak RSS {rss:>9}  wall {wall:>8}  exit {rc}  status {status}  errors {len(errs)}")
for p in errs[:3]:
    print("    " + p.get("message", "")[:150])
PY
}

echo "inputs in $work/in"
run hugebins "$work/in/hugebins"
run growing "$work/in/growing"
run sparse "$work/in/sparse"
run selfloop "$work/in/selfloop"
run rootloop "$work/in/rootloop"
run hugevalue "$work/in/hugevalue"
run regkeys "$work/in/regkeys"
run bigreg "$work/in/bigreg"

cancel() { # name, dir: SIGINT after 1 s, time until iccheck returns
  local name=$1 dir=$2
  "$work/bin/iccheck" -format json "$dir" >/dev/null 2>&1 &
  local pid=$!
  sleep 1
  local t0 t1
  t0=$(date +%s.%N)
  kill -INT "$pid" 2>/dev/null || true
  wait "$pid" || true
  t1=$(date +%s.%N)
  python3 -c "print('cancel %-8s returned %.3f s after SIGINT' % ('$name', $t1 - $t0))"
}
cancel regkeys "$work/in/regkeys"
cancel sparse "$work/in/sparse"
