#!/usr/bin/env bash
# Make the 7z, tar, tar.gz, tar.xz and xz fixtures of testdata/collect with
# Debian's own tools (p7zip-full, tar, gzip, xz-utils), so that the walk of
# internal/collect is tested on archives it did not write itself. The
# contents are synthetic (the same fake host folder as collection.zip:
# an ElfFile header, a regf base block with an HvLE log, a reg query text).
# Not part of go test: run it by hand when the fixtures must change, then
# run go test ./internal/collect/ (TestArchiveFixtures checks them).
#
#   bash scripts/archive-fixtures.sh            # writes testdata/collect
#   OUT=/tmp/x bash scripts/archive-fixtures.sh # somewhere else
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${OUT:-testdata/collect}")
mkdir -p "$out"

need=()
command -v 7z >/dev/null || need+=(p7zip-full)
command -v xz >/dev/null || need+=(xz-utils)
if [ ${#need[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v python3 >/dev/null || { echo "python3 is required"; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$tmp/src
mkdir -p "$src/host" "$src/guest" "$tmp/bomb"
python3 - "$src" "$tmp/bomb" <<'PY'
import os, struct, sys
src, bomb = sys.argv[1], sys.argv[2]
def regf(ftype, body=b""):
    b = bytearray(1024)
    b[0:4] = b"regf"
    struct.pack_into("<I", b, 0x1C, ftype)
    b[512:512 + len(body)] = body
    return bytes(b)
files = {
    "host/System.evtx": b"ElfFile\x00host",
    "host/SOFTWARE": regf(0),
    "host/SOFTWARE.LOG1": regf(6, b"HvLE"),
    "guest/auto.txt": b"\r\nHKEY_LOCAL_MACHINE\\Software\\Microsoft\\Virtual Machine\\Auto\r\n"
                      b"    IntegrationServicesVersion    REG_SZ    6.3.9600.16384\r\n\r\n",
}
for name, data in files.items():
    with open(os.path.join(src, name), "wb") as f:
        f.write(data)
# 8 MiB of zeros: compresses far beyond the walk's ratio limit of 200.
with open(os.path.join(bomb, "zeros.evtx"), "wb") as f:
    f.write(b"ElfFile\x00" + bytes(8 << 20))
PY
# An entry named ../escape.reg, kept as is by tar -P.
mkdir -p "$tmp/up/in"
printf 'Windows Registry Editor Version 5.00\r\n' > "$tmp/up/escape.reg"
find "$tmp" -exec touch -h -d '2024-01-02 03:04:05 UTC' {} +

tarx=(tar --sort=name --mtime='2024-01-02 03:04:05 UTC' --owner=0 --group=0 --numeric-owner --format=gnu)
(cd "$src" && "${tarx[@]}" -cf "$out/collection.tar" host guest)
gzip -9 -n -c "$out/collection.tar" > "$out/collection.tar.gz"
xz -9 -c "$out/collection.tar" > "$out/collection.tar.xz"
xz -c "$src/guest/auto.txt" > "$out/auto.txt.xz"
rm -f "$out/collection.7z" "$out/nested.7z" "$out/bomb.7z"
(cd "$src" && 7z a -bd -bso0 -mx=9 "$out/collection.7z" host guest)
# nesting: a zip and a tar.gz inside a 7z (depth 2 each)
(cd "$out" && 7z a -bd -bso0 -mx=9 "$out/nested.7z" collection.zip collection.tar.gz)
(cd "$tmp/up/in" && "${tarx[@]}" -P -cf "$out/unsafe.tar" ../escape.reg)
(cd "$tmp/bomb" && 7z a -bd -bso0 -mx=9 "$out/bomb.7z" zeros.evtx)
(cd "$tmp/bomb" && "${tarx[@]}" -cf - zeros.evtx | gzip -9 -n > "$out/bomb.tar.gz")
xz -9 -c "$tmp/bomb/zeros.evtx" > "$out/bomb.evtx.xz"
# issue 12: a customer's text-form collection (Get-VM CSV, Event Viewer
# "Save as XML" exports, a guest's reg query /s text), copied from the
# repository's own fixtures, as a 7z (forms_archive_e2e_test.go).
fsrc=$tmp/forms
mkdir -p "$fsrc/HV01" "$fsrc/web01"
cp internal/advicetest/testdata/host-get-vm.csv "$fsrc/HV01/HV01-vms.csv"
cp evtx/export/testdata/integration-viewer.xml evtx/export/testdata/system-viewer-utf8.xml "$fsrc/HV01/"
cp internal/advicetest/testdata/guest-reg-query.txt "$fsrc/web01/web01-vm.txt"
find "$fsrc" -exec touch -h -d '2024-01-02 03:04:05 UTC' {} +
rm -f "$out/forms.7z"
(cd "$fsrc" && 7z a -bd -bso0 -mx=9 "$out/forms.7z" HV01 web01)
ls -l "$out"
