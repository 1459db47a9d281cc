#!/usr/bin/env bash
# Builds the full-size hostile collections of issue 11 (collection side)
# in $TMPDIR and runs iccheck -format json on each under /usr/bin/time -v,
# printing peak RSS, wall time, the scan's status and what it read. Not
# part of go test. Needs Go, /usr/bin/time (apt-get install -y time) and
# python3 (for the JSON summary), and about 8 GB free in $TMPDIR.
#
#   scripts/hostile-collect.sh            # every case
#   scripts/hostile-collect.sh many nested  # some cases
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x /usr/bin/time ] || { echo "needs /usr/bin/time (apt-get install -y time)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/hvic-hostile-collect.XXXXXX")
trap 'rm -rf "$work"' EXIT
go build -o "$work/iccheck" ./examples/iccheck
go build -o "$work/gencollect" ./internal/hostile/cmd/gencollect
gen() { "$work/gencollect" "$@"; }

# summary FILE.json: status, files read by role, problems by code.
summary() {
  python3 - "$1" <<'PY'
import collections, json, sys
d = json.load(open(sys.argv[1]))
inv = d.get("inventory") or {}
files, problems = inv.get("files") or [], d.get("problems") or []
roles = collections.Counter(f["role"] for f in files)
codes = collections.Counter(p["code"] for p in problems)
print("  status %s; files %d %s; problems %d %s; skipped %d" % (
    d["status"], len(files), dict(roles), len(problems), dict(codes), len(inv.get("skipped") or [])))
PY
}

# measure NAME [ulimit -n] -- ICCHECK ARGS: runs iccheck, prints RSS and time.
measure() {
  local name=$1 nofile=$2; shift 3
  local out="$work/$name.json" err="$work/$name.err" tv="$work/$name.time"
  ( ulimit -n "$nofile"; exec /usr/bin/time -v -o "$tv" "$work/iccheck" -format json "$@" ) >"$out" 2>"$err" || true
  local rss wall code
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$tv")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$tv")
  code=$(awk -F': ' '/Exit status/ {print $2}' "$tv")
  printf '%-10s peak RSS %6s MiB  wall %8s  exit %s  (ulimit -n %s)\n' "$name" "$rss" "$wall" "$code" "$nofile"
  summary "$out"
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f]' "$err"; then echo "  RAW CONTROL BYTES ON STDERR"; fi
  head -n 2 "$err" | cut -c 1-160 | sed 's/^/  stderr: /'
}

cases=("$@")
[ ${#cases[@]} -gt 0 ] || cases=(refused nested overlap small truncated many symlinks special hives evtx evtx-zip control)
for c in "${cases[@]}"; do
  case $c in
  refused)   # row 2: 1M entries refused for unsafe names
    gen -case refused -n 1000000 -out "$work/refused.zip"
    measure refused 1024 -- "$work/refused.zip" ;;
  nested)    # row 3: seven nested zips of 500 MiB each, one worker
    gen -case nested -n 7 -size $((500 << 20)) -out "$work/nested.zip"
    ls -l "$work/nested.zip" | awk '{printf "  outer zip %d bytes\n", $5}'
    measure nested 1024 -- -workers 1 "$work/nested.zip" ;;
  overlap)   # 4,096 central directory entries sharing one local header
    gen -case overlap -n 4096 -size 1048000 -out "$work/overlap.zip"
    ls -l "$work/overlap.zip" | awk '{printf "  zip %d bytes\n", $5}'
    measure overlap 1024 -- "$work/overlap.zip" ;;
  small)     # entries just under the 1 MiB ratio floor, distinct
    gen -case small -n 4096 -size 1047552 -out "$work/small.zip"
    ls -l "$work/small.zip" | awk '{printf "  zip %d bytes\n", $5}'
    measure small 1024 -- "$work/small.zip" ;;
  truncated) # central directory and end record cut: 1,000 intact entries
    gen -case truncated -n 1000 -size 65536 -out "$work/truncated.zip"
    measure truncated 1024 -- "$work/truncated.zip" ;;
  many)      # row 8: 1,500 zips and a plain file under a 1,024 fd limit
    gen -case many -n 1500 -out "$work/many"
    measure many 1024 -- "$work/many" ;;
  symlinks)  # links out of the input: secret.reg must not be read
    gen -case symlinks -out "$work/links"
    measure symlinks 1024 -- "$work/links/input"
    python3 - "$work/symlinks.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
leaked = [f["path"] for f in (d.get("inventory") or {}).get("files") or [] if "secret" in f["path"] or "absolute" in f["path"] or "outside-dir" in f["path"]]
print("  outside files read:", leaked or "none")
PY
    ;;
  special)   # a named pipe and a socket: skipped, never opened (no hang)
    gen -case special -out "$work/special"
    cp "$work/links/input/inside.reg" "$work/special/" 2>/dev/null || printf 'Windows Registry Editor Version 5.00\r\n' >"$work/special/plain.reg"
    measure special 1024 -- "$work/special" ;;
  hives)     # row 5, budget part: two sparse 500 MiB hives with three logs each
    gen -case hives -n 2 -size $((500 << 20)) -out "$work/hives"
    measure hives 1024 -- "$work/hives" ;;
  evtx)      # a valid 600 MiB log, read in place (was refused over 512 MiB)
    gen -case evtx -size $((600 << 20)) -out "$work/System.evtx"
    measure evtx 1024 -- "$work/System.evtx" ;;
  evtx-zip)  # the same log deflated in a zip: spilled, then read in place
    gen -case evtx-zip -size $((600 << 20)) -out "$work/logs.zip"
    measure evtx-zip 1024 -- "$work/logs.zip" ;;
  control)   # row 7: control bytes in entry names and values, every format
    gen -case control -out "$work/control.zip"
    measure control 1024 -- "$work/control.zip"
    for f in text json markdown csv sarif html; do
      for l in en ja; do
        "$work/iccheck" -format "$f" -lang "$l" "$work/control.zip" >"$work/control.$f.$l" 2>"$work/control.$f.$l.err" || true
        # Bytes below 0x20 other than TAB, LF and CR (CR only in CRLF line ends).
        bad=$(python3 -c 'import re,sys; b=open(sys.argv[1],"rb").read(); print(len(re.findall(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\r(?!\n)", b)))' "$work/control.$f.$l")
        baderr=$(python3 -c 'import re,sys; b=open(sys.argv[1],"rb").read(); print(len(re.findall(rb"[\x00-\x08\x0b-\x1f]", b)))' "$work/control.$f.$l.err")
        printf '  %-8s %s: raw control bytes on stdout %s, on stderr %s\n' "$f" "$l" "$bad" "$baderr"
      done
    done ;;
  *) echo "unknown case $c" >&2; exit 2 ;;
  esac
done
