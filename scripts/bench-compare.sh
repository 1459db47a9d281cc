#!/usr/bin/env bash
# bench-compare.sh: the hvic IC scan against full EVTX parsers, on the same
# generated files, in one run (issue 6).
#
# Inputs (generated once with internal/benchgen, cached under
# ${TMPDIR:-/tmp}/hvic-benchgen/<version>, shared with `go test -bench ./evtx`):
#   system100.evtx  ~109 MiB System log, 215,000 records from 20 providers,
#                   36 of them IC records spread over the file
#   quiet100.evtx   ~109 MiB log, 215,000 records, no relevant record
#   system10.evtx   ~11 MiB System log, 21,500 records, 12 IC (for evtx_dump.py, slow)
#   hyperv114.evtx  ~114 MB Hyper-V host System log, 250,000 records: VmSwitch
#                   232/233/234, Hypervisor and VMMS events in every chunk, 40 IC
#                   records spread over it (issue 15: only the record-level
#                   filter can skip work)
#
# Measured, each in a fresh process, REPS times (median reported):
#   hvic-scan     evtx.(*File).ScanIC, default workers (GOMAXPROCS)
#   hvic-scan-1w  the same with one worker
#   iccheck       examples/iccheck -format json: the whole process (open, kb's
#                 catalogue as ScanOptions.Events, correlation, report)
#   hvic-full     evtx.(*File).Records: the full decode, one goroutine
#   hvic-pfull    evtx.(*File).ParallelRecords: the full decode, GOMAXPROCS workers
#   golang-evtx   golang-evtx v1.2.9 UnorderedEvents with MaxJobs = NumCPU
#                 (peer measurement only; it panics on damaged files)
#   evtxexport    libevtx 20181227 (Debian libevtx-utils), text output to /dev/null
#   evtx_dump.py  python-evtx (Debian python3-evtx), XML to /dev/null, 10 MiB file only
#
# Wall time, CPU time (user+sys) and peak RSS come from GNU time. Ratios are
# the tool's median wall time over hvic-scan's ("x scan") and over iccheck's
# ("x icchk") on the same file.
#
# Not part of `go test`. Needs Go; installs time, libevtx-utils and
# python3-evtx with apt-get when missing (as root). Environment:
#   REPS=3        repetitions of each measurement
#   SLOW_REPS=3   repetitions of the full decoders on the 100 MiB files
#   SKIP_SLOW=1   skip the full decoders on the 100 MiB files
#   HYPERV_ONLY=1 measure the Hyper-V host log only (hvic-scan, iccheck,
#                 evtxexport, golang-evtx), without installing python3-evtx
#   BENCHSTAT=1   also run `go test -bench` on ./evtx and summarise with benchstat
set -euo pipefail
cd "$(dirname "$0")/.."

REPS=${REPS:-3}
SLOW_REPS=${SLOW_REPS:-3}
SKIP_SLOW=${SKIP_SLOW:-0}

need_apt=()
[ -x /usr/bin/time ] || need_apt+=(time)
command -v evtxexport >/dev/null || need_apt+=(libevtx-utils)
HYPERV_ONLY=${HYPERV_ONLY:-0}
[ "$HYPERV_ONLY" = 1 ] || command -v evtx_dump.py >/dev/null || need_apt+=(python3-evtx)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]}" >&2
  apt-get update -qq && apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/evtxbench" ./internal/benchgen/cmd/evtxbench
go build -o "$work/iccheck" ./examples/iccheck

echo "generating inputs (cached)..." >&2
mapfile -t inputs < <("$work/evtxbench" gen)
sys100=${inputs[0]} quiet100=${inputs[1]} sys10=${inputs[2]} hyperv=${inputs[3]}
for f in "$sys100" "$quiet100" "$sys10" "$hyperv"; do cat "$f" >/dev/null; done # page cache

results="$work/results.tsv"
: >"$results"

# measure LABEL FILE REPS CMD...: appends "label file wall cpu rss" per run.
# iccheck exits 1 when a VM needs action: that is a success here.
measure() {
  local label=$1 file=$2 reps=$3
  shift 3
  local i rc
  for ((i = 0; i < reps; i++)); do
    rc=0
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>"$work/err" || rc=$?
    [ "$rc" = 0 ] || { [ "$label" = iccheck ] && [ "$rc" = 1 ]; } || {
      echo "$label on $(basename "$file") failed:" >&2
      tail -5 "$work/err" >&2
      return 0
    }
    # GNU time puts "Command exited with non-zero status N" first.
    read -r wall user sys rss < <(tail -n 1 "$work/t")
    printf '%s\t%s\t%s\t%s\t%s\n' "$label" "$(basename "$file")" "$wall" \
      "$(echo "$user + $sys" | bc -l)" "$rss" >>"$results"
  done
  echo "  $label $(basename "$file") done" >&2
}

echo "measuring (uptime: $(uptime | sed 's/.*load/load/'))" >&2
files=("$quiet100" "$sys100" "$sys10" "$hyperv")
[ "$HYPERV_ONLY" = 1 ] && files=("$hyperv")
for f in "${files[@]}"; do
  measure hvic-scan "$f" "$REPS" "$work/evtxbench" scan "$f"
  measure hvic-scan-1w "$f" "$REPS" "$work/evtxbench" scan1 "$f"
  measure iccheck "$f" "$REPS" "$work/iccheck" -format json "$f"
  measure evtxexport "$f" "$REPS" evtxexport "$f"
done
measure golang-evtx "$hyperv" "$REPS" "$work/evtxbench" gevtx "$hyperv"
[ "$HYPERV_ONLY" = 1 ] && SKIP_SLOW=1
[ "$HYPERV_ONLY" = 1 ] || measure evtx_dump.py "$sys10" "$REPS" evtx_dump.py "$sys10"
if [ "$HYPERV_ONLY" != 1 ]; then
  for mode in full pfull; do
    measure "hvic-$mode" "$sys10" "$REPS" "$work/evtxbench" "$mode" "$sys10"
  done
  measure golang-evtx "$sys10" "$REPS" "$work/evtxbench" gevtx "$sys10"
fi
if [ "$SKIP_SLOW" != 1 ]; then
  for mode in full pfull; do
    measure "hvic-$mode" "$sys100" "$SLOW_REPS" "$work/evtxbench" "$mode" "$sys100"
  done
  measure golang-evtx "$sys100" "$SLOW_REPS" "$work/evtxbench" gevtx "$sys100"
fi

echo
echo "load: $(uptime | sed 's/.*load/load/'), $(nproc) CPUs; medians of the runs shown in column n"
python3 - "$results" "$sys100" "$quiet100" "$sys10" "$hyperv" <<'EOF'
import os, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
size = {os.path.basename(p): os.path.getsize(p) for p in sys.argv[2:]}
size = {f: n for f, n in size.items() if any(r[1] == f for r in rows)}
groups = {}
for label, f, wall, cpu, rss in rows:
    groups.setdefault((f, label), []).append((float(wall), float(cpu), float(rss) / 1024))
order = ["hvic-scan", "hvic-scan-1w", "iccheck", "hvic-full", "hvic-pfull", "golang-evtx", "evtxexport", "evtx_dump.py"]
print(f"{'file':<16} {'tool':<13} {'n':>2} {'wall s':>8} {'MB/s':>8} {'cpu s':>8} {'MB/cpu-s':>9} {'RSS MiB':>8} {'x scan':>8} {'x icchk':>8}")
def med(g):
    return statistics.median(w for w, _, _ in g) if g else None
for f in sorted(size, key=lambda n: ["quiet100.evtx", "system100.evtx", "system10.evtx", "hyperv114.evtx"].index(n)):
    bw = med(groups.get((f, "hvic-scan")))
    iw = med(groups.get((f, "iccheck")))
    for label in order:
        g = groups.get((f, label))
        if not g:
            continue
        w = statistics.median(x[0] for x in g)
        c = statistics.median(x[1] for x in g)
        r = statistics.median(x[2] for x in g)
        mb = size[f] / 1e6
        ratio = f"{w / bw:8.1f}" if bw else f"{'-':>8}"
        iratio = f"{w / iw:8.1f}" if iw else f"{'-':>8}"
        print(f"{f:<16} {label:<13} {len(g):>2} {w:8.2f} {mb / max(w, 1e-3):8.1f} {c:8.2f} {mb / max(c, 1e-3):9.1f} {r:8.1f} {ratio} {iratio}")
EOF

if [ "${BENCHSTAT:-0}" = 1 ]; then
  command -v benchstat >/dev/null || go install golang.org/x/perf/cmd/benchstat@latest
  go test -run='^$' -bench='ScanIC|Filter' -count=5 ./evtx >"$work/bench.txt"
  "$(go env GOPATH)/bin/benchstat" "$work/bench.txt"
fi

# The command-line tools on the 100 MiB System log (issue 14): iccheck and
# evtxdump -ic both read it through ScanIC; evtxdump -ic -sequential is the
# former full sequential decode (skipped with SKIP_SLOW=1).
go build -o "$work/iccheck" ./examples/iccheck
go build -o "$work/evtxdump" ./examples/evtxdump
results="$work/cli.tsv"
: >"$results"
measure iccheck "$sys100" "$REPS" "$work/iccheck" -format json -fail-on never "$sys100"
measure evtxdump-ic "$sys100" "$REPS" "$work/evtxdump" -ic "$sys100"
if [ "$SKIP_SLOW" != 1 ]; then
  measure evtxdump-ic-seq "$sys100" "$SLOW_REPS" "$work/evtxdump" -ic -sequential "$sys100"
fi
echo
echo "command-line tools on $(basename "$sys100"): median wall s, cpu s, RSS MiB"
python3 - "$results" <<'EOF2'
import statistics, sys
g = {}
for l in open(sys.argv[1]):
    label, _, wall, cpu, rss = l.split("\t")
    g.setdefault(label, []).append((float(wall), float(cpu), float(rss) / 1024))
for label, v in g.items():
    print(f"{label:<16} {len(v):>2} {statistics.median(x[0] for x in v):8.2f} {statistics.median(x[1] for x in v):8.2f} {statistics.median(x[2] for x in v):8.1f}")
EOF2
