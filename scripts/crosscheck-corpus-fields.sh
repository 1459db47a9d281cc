#!/usr/bin/env bash
# crosscheck-corpus-fields.sh: compare, record by record, what python-evtx
# (Debian python3-evtx, evtx_dump.py) and hvic (examples/evtxdump) read from
# the clean or lightly damaged corpus logs: event ID, qualifiers, provider
# name, time and the <Binary> data, keyed on the record ID.
#
#   bash scripts/crosscheck-corpus-fields.sh [FILE.evtx ...]
#
# Without arguments it checks the six logs with the most records. python-evtx
# converts FILETIME through a double: times may differ by up to 3 us (hvic
# keeps the FILETIME's 100 ns). It prints <Binary> as base64, hvic as
# upper-case hex: both are decoded to bytes. Not part of `go test` (needs
# python3-evtx, installed with apt-get when missing). Exit status 0 when every
# common record agrees, 1 otherwise, 2 on a setup error.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v evtx_dump.py >/dev/null 2>&1; then
  echo "installing python3-evtx"
  if [ "$(id -u)" -ne 0 ]; then echo "crosscheck: need root to install python3-evtx" >&2; exit 2; fi
  { apt-get update -qq && apt-get install -y -qq python3-evtx >/dev/null; } ||
    { echo "crosscheck: apt-get could not install python3-evtx" >&2; exit 2; }
fi
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(
    testdata/evtx/williballenthin__python-evtx/system.evtx
    testdata/evtx/log2timeline__plaso/System.evtx
    testdata/evtx/AndrewRathbun__DFIRArtifactMuseum/BelkasoftCTF_InsiderThreat/System.evtx
    testdata/evtx/omerbenamram__evtx/security_bad_string_cache.evtx
    testdata/evtx/omerbenamram__evtx/system.evtx
    testdata/evtx/omerbenamram__evtx/sysmon.evtx
  )
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/evtxdump" ./examples/evtxdump || exit 2
i=0
for f in "${files[@]}"; do
  i=$((i + 1))
  b="$tmp/$i"
  evtx_dump.py "$f" >"$b.xml" 2>/dev/null || true
  "$tmp/evtxdump" "$f" >"$b.jsonl"
done
/usr/bin/python3 - "$tmp" "${files[@]}" <<'PY'
import base64, html, json, os, re, sys
from datetime import datetime, timezone
tmp, files = sys.argv[1], sys.argv[2:]
def t(s):
    s = s.strip()
    fmt = "%Y-%m-%d %H:%M:%S.%f" if "." in s else "%Y-%m-%d %H:%M:%S"
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc)
bad = total = binaries = 0
for i, f in enumerate(files, 1):
    b = os.path.join(tmp, str(i))
    py = {}
    for ev in open(b + ".xml", encoding="utf-8", errors="replace").read().split("</Event>"):
        m = re.search(r"<EventRecordID>(\d+)</EventRecordID>", ev)
        if not m:
            continue
        eid = re.search(r'<EventID(?: Qualifiers="(\d*)")?>(\d+)</EventID>', ev)
        prov = re.search(r'<Provider Name="([^"]*)"', ev)
        tc = re.search(r'<TimeCreated SystemTime="([^"]*)"', ev)
        bn = re.search(r"<Binary>([^<]*)</Binary>", ev)
        py[int(m.group(1))] = dict(
            event_id=int(eid.group(2)), qualifiers=int(eid.group(1)) if eid.group(1) else None,
            provider=html.unescape(prov.group(1)), time=t(tc.group(1)) if tc and tc.group(1) else None,
            binary=base64.b64decode(bn.group(1)) if bn else b"")
    n = diff = 0
    for line in open(b + ".jsonl", encoding="utf-8"):
        o = json.loads(line)
        p = py.get(o["record_id"])
        if p is None:
            continue
        n += 1
        got = dict(event_id=o["event_id"], qualifiers=o.get("qualifiers"), provider=o["provider"],
                   binary=bytes.fromhex(o.get("binary", "")))
        errs = [k for k in got if got[k] != p[k]]
        ours = datetime.fromisoformat(o["time"].replace("Z", "+00:00"))
        if p["time"] is None or abs((ours - p["time"]).total_seconds()) > 3e-6:
            errs.append("time")
        binaries += bool(got["binary"])
        if errs:
            diff += 1
            if diff <= 5:
                print(f"  {os.path.basename(f)} record {o['record_id']}: {', '.join(errs)} differ")
    print(f"{f}: {n} records in common, {diff} differ")
    total += n
    bad += diff
print(f"{total} records compared ({binaries} with <Binary> data), {bad} differ")
print("OVERALL:", "PASS" if bad == 0 else "FAIL")
sys.exit(1 if bad else 0)
PY
