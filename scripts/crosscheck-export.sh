#!/usr/bin/env bash
# Cross-check evtx/export's XML path against python-evtx (issue 12 item 2):
# evtx_dump.py renders each generated .evtx of evtx/export/testdata to XML,
# and TestPythonEvtx checks that the export reader gets from that XML the
# same ICEvents as the binary reader gets from the .evtx.
#
# Needs python-evtx: apt-get install -y python3-evtx (evtx_dump.py).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v evtx_dump.py >/dev/null || { echo "evtx_dump.py not found: apt-get install -y python3-evtx" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for f in evtx/export/testdata/*.evtx; do
    evtx_dump.py "$f" > "$out/$(basename "${f%.evtx}").xml"
done
HVIC_PYEVTX_DIR="$out" go test ./evtx/export/ -run 'TestPythonEvtx' -count=1 -v
