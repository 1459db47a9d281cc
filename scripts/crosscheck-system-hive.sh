#!/usr/bin/env bash
# Cross-check the committed SYSTEM hive fixtures (testdata/systemhive,
# made by internal/hivewriter.SystemFixtures) with two independent readers
# from Debian: reglookup reads Select\Current, the computer name and the
# vmic* services' Start values, compared by this script with
# testdata/systemhive/expect.json; hivexregedit (libwin-hivex-perl)
# exports each hive to .reg, which hive.ExtractSystemFacts must read to
# the same facts (go test -run TestSystemCrosscheckReg). One PASS/FAIL
# line per file and tool. The tools do not replay transaction logs, so
# the dirty fixture is checked against its base state (base_services).
# Not part of go test: run it by hand, needs apt and python3.
#
#   bash scripts/crosscheck-system-hive.sh
#   FIXDIR=/tmp/altered bash scripts/crosscheck-system-hive.sh   # a copy, to see damage FAIL
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v reglookup >/dev/null || need+=(reglookup)
command -v hivexregedit >/dev/null || need+=(libwin-hivex-perl)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is required"; exit 2; }

fixdir=$(realpath "${FIXDIR:-testdata/systemhive}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

python3 - "$fixdir" <<'PY' || fail=1
import csv, io, json, os, subprocess, sys
fixdir = sys.argv[1]
expect = json.load(open(os.path.join(fixdir, "expect.json")))
bad = 0
for name, want in sorted(expect.items()):
    path = os.path.join(fixdir, name)
    out = subprocess.run(["reglookup", "-H", path], capture_output=True, text=True).stdout
    vals, keys = {}, set()
    for row in csv.reader(io.StringIO(out)):
        if len(row) < 3:
            continue
        if row[1] == "KEY":
            keys.add(row[0].lower())
        else:
            vals[row[0].lower()] = (row[1], row[2])
    problems = []
    cur = vals.get("/select/current")
    cs = "ControlSet%03d" % int(cur[1], 16) if cur else None
    if cs != want["control_set"]:
        problems.append("control set %s, want %s" % (cs, want["control_set"]))
    else:
        cn = vals.get(("/%s/control/computername/computername/computername" % cs).lower())
        if not cn or cn[1] != want["computer_name"]:
            problems.append("computer name %s, want %s" % (cn, want["computer_name"]))
        services = want.get("base_services") or want.get("services") or {}
        for svc in ["vmicheartbeat", "vmickvpexchange", "vmicshutdown", "vmictimesync",
                    "vmicvss", "vmicguestinterface", "vmicvmsession", "vmicrdv"]:
            key = ("/%s/services/%s" % (cs, svc)).lower()
            start = vals.get(key + "/start")
            if svc in services:
                if not start or int(start[1], 16) != services[svc]:
                    problems.append("%s Start %s, want %d" % (svc, start, services[svc]))
            elif key in keys:
                problems.append("%s present, want absent" % svc)
    print("%s reglookup %s%s" % ("FAIL" if problems else "PASS", name, ": " + "; ".join(problems) if problems else ""))
    bad += bool(problems)
sys.exit(1 if bad else 0)
PY

mkdir -p "$tmp/reg"
for f in "$fixdir"/*.hiv; do
  hivexregedit --export --prefix 'HKEY_LOCAL_MACHINE\SYSTEM' "$f" '\' > "$tmp/reg/$(basename "$f").reg"
done
if HVIC_SYSTEM_REG_DIR="$tmp/reg" go test ./hive/ -run TestSystemCrosscheckReg -count=1 -v > "$tmp/go.txt" 2>&1; then
  grep -E -- '--- PASS: TestSystemCrosscheckReg/' "$tmp/go.txt" | sed -E 's/.*TestSystemCrosscheckReg\/([^ ]+).*/PASS hivexregedit \1/'
else
  fail=1
  grep -E -- '--- (PASS|FAIL): TestSystemCrosscheckReg/' "$tmp/go.txt" | sed -E 's/.*--- (PASS|FAIL): TestSystemCrosscheckReg\/([^ ]+).*/\1 hivexregedit \2/'
  grep -E 'Error:|expected|actual' "$tmp/go.txt" | head -20
fi
exit $fail
