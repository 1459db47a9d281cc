#!/usr/bin/env bash
# hostile-evtx.sh: the event-log rows of issue 11 at full size.
#
# Builds in ${TMPDIR:-/tmp}/hvic-hostile-evtx (internal/hostile/cmd/genevtx):
#   dag.evtx     DAG_MIB (511) MiB whose template definitions form a fan-out
#                chain (depth 10, fan-out 8): every record's expansion is
#                8^9 leaf definitions (511 MiB: the scan still refuses
#                files over its MaxFileSize, 512 MiB, before the evtx reader)
#   tuned.evtx   TUNED_MIB (64) MiB chain of depth 3, fan-out 32: records
#                that really spend their decode budget (the worst case
#                measured for the chunk budget)
#   valid.evtx   VALID_MIB (600) MiB valid System log (a benchgen log
#                repeated with increasing record identifiers)
# and runs, each in a fresh process under GNU time (/usr/bin/time -v):
#   iccheck -format json FILE     (examples/iccheck: the whole scan)
#   evtxdump -summary FILE        (examples/evtxdump: Records, one pass)
# printing wall time, seconds per MiB, CPU time (user + sys), peak RSS, the report's status and
# problem count (iccheck) or record counts (evtxdump) per input.
#
# The binaries are built first with `go build` so that the compiler is not
# measured. Not part of `go test`. Needs Go and GNU time (apt-get install -y
# time). Environment: DAG_MIB, TUNED_MIB, VALID_MIB, KEEP=1 keeps the files.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/time ]; then
	echo "hostile-evtx.sh: /usr/bin/time missing (apt-get install -y time)" >&2
	exit 2
fi
dir="${TMPDIR:-/tmp}/hvic-hostile-evtx"
mkdir -p "$dir/bin"
if [ "${KEEP:-0}" != 1 ]; then
	trap 'rm -rf "$dir"' EXIT
fi
go build -o "$dir/bin/" ./examples/iccheck ./examples/evtxdump ./internal/hostile/cmd/genevtx

DAG_MIB=${DAG_MIB:-511}
TUNED_MIB=${TUNED_MIB:-64}
VALID_MIB=${VALID_MIB:-600}
"$dir/bin/genevtx" -out "$dir" -dag-mib "$DAG_MIB" -valid-mib "$VALID_MIB" >/dev/null
"$dir/bin/genevtx" -out "$dir/tuned" -dag-mib "$TUNED_MIB" -depth 3 -fanout 32 -valid-mib 0 >/dev/null
mv "$dir/tuned/dag.evtx" "$dir/tuned.evtx"

# measure LABEL MIB CMD...: run CMD under GNU time, print one line.
measure() {
	local label=$1 mib=$2
	shift 2
	local rc=0
	/usr/bin/time -v "$@" >"$dir/out" 2>"$dir/time" || rc=$?
	local wall rss cpu
	wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, a, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + a[i]; print s}' "$dir/time")
	rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$dir/time")
	cpu=$(awk -F': ' '/User time|System time/ {s += $2} END {printf "%.2f", s}' "$dir/time")
	local what
	if grep -q '"schema_version"' "$dir/out"; then
		what="status $(grep -o '"status": "[a-z]*"' "$dir/out" | head -1 | cut -d'"' -f4), problems $(grep -o '"problems": [0-9]*' "$dir/out" | head -1 | awk '{print $2}')"
	else
		what="$(grep -o '"records_decoded":[0-9]*,"records_recovered":[0-9]*,"records_failed":[0-9]*' "$dir/out" | head -1 | tr -d '"')"
	fi
	printf '%-20s %4d MiB  exit %d  wall %7.2f s (%6.3f s/MiB)  cpu %7.2f s  peak RSS %6.1f MiB  %s\n' \
		"$label" "$mib" "$rc" "$wall" "$(awk -v w="$wall" -v m="$mib" 'BEGIN {print w / m}')" "$cpu" "$rss" "$what"
}

echo "hostile-evtx.sh $(date -u +%FT%TZ) $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "iccheck dag.evtx" "$DAG_MIB" "$dir/bin/iccheck" -format json "$dir/dag.evtx"
measure "evtxdump dag.evtx" "$DAG_MIB" "$dir/bin/evtxdump" -summary "$dir/dag.evtx"
measure "iccheck tuned.evtx" "$TUNED_MIB" "$dir/bin/iccheck" -format json "$dir/tuned.evtx"
measure "evtxdump tuned.evtx" "$TUNED_MIB" "$dir/bin/evtxdump" -summary "$dir/tuned.evtx"
measure "iccheck valid.evtx" "$VALID_MIB" "$dir/bin/iccheck" -format json "$dir/valid.evtx"
measure "evtxdump valid.evtx" "$VALID_MIB" "$dir/bin/evtxdump" -summary "$dir/valid.evtx"
