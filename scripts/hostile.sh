#!/usr/bin/env bash
# Builds the full-size hostile inputs of issue 11 in $TMPDIR and reports
# peak RSS and wall time for each (via /usr/bin/time -v). Not part of
# go test: it writes gigabytes of sparse files and takes minutes.
#
#   bash scripts/hostile.sh            # every class
#   bash scripts/hostile.sh evtx hive  # some of them
#
# Each class lives in its own script (scripts/hostile-<class>.sh); this one
# runs them in turn and exits non-zero when any of them does.
set -uo pipefail
cd "$(dirname "$0")/.."
classes=("$@")
[ ${#classes[@]} -gt 0 ] || classes=(evtx collect hive)
command -v /usr/bin/time >/dev/null || { echo "hostile.sh: needs /usr/bin/time (apt-get install time)"; exit 2; }
rc=0
for c in "${classes[@]}"; do
  s="scripts/hostile-$c.sh"
  if [ ! -f "$s" ]; then echo "hostile.sh: no $s"; rc=2; continue; fi
  printf '\n##### %s\n' "$c"
  bash "$s" || { echo "hostile.sh: $s failed"; rc=1; }
done
exit $rc
