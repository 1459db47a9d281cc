#!/usr/bin/env bash
# Validates iccheck's SARIF with Microsoft's SARIF Multitool (`validate`:
# the SARIF 2.1.0 schema plus its SARIF1xxx/2xxx rules) on the bundled
# sample and the public corpus copies in testdata/, each given as a
# relative and as an absolute path, and on inputs whose paths need
# percent-encoding (a folder with a space and non-ASCII, an archive given
# as a file), two inputs at once and a "../" input. Fails when any log has
# an error or a warning; prints each log's counts.
#
#   bash scripts/sarif-validate.sh
#
# The validator comes from the npm registry (@microsoft/sarif-multitool,
# a self-contained .NET build; needs node and npm). It is installed once
# into $SARIF_MULTITOOL_DIR (default: $XDG_CACHE_HOME/hvic/sarif-multitool,
# else ~/.cache/hvic/sarif-multitool); a folder that already holds it
# (node_modules/@microsoft/sarif-multitool) is used as it is.
#
# Not run by .ci/run: it needs node and npm besides Go, downloads a
# ~100 MB .NET build on first use, and takes about two minutes.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

version=5.7.0
dir=${SARIF_MULTITOOL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/hvic/sarif-multitool}
if [ ! -d "$dir/node_modules/@microsoft/sarif-multitool" ]; then
  command -v npm >/dev/null || { echo "sarif-validate.sh: needs npm (and node) to install @microsoft/sarif-multitool"; exit 2; }
  echo "installing @microsoft/sarif-multitool@$version into $dir"
  mkdir -p "$dir"
  npm install --silent --no-audit --no-fund --prefix "$dir" "@microsoft/sarif-multitool@$version" >/dev/null
fi
# The package's bin.js runs the tool through a shell, which splits
# arguments; call the platform binary it names instead.
tool=$(cd "$dir" && node -e "console.log(require('@microsoft/sarif-multitool'))")
[ -x "$tool" ] || { echo "sarif-validate.sh: no validator binary at $tool"; exit 2; }
echo "validator: $("$tool" --version 2>&1 | head -1)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/iccheck" ./examples/iccheck

# Inputs needing percent-encoding: a copy of the sample in a folder whose
# name has a space, "#" and non-ASCII, and an archive given as a file.
odd="$work/case #1 é"
mkdir -p "$odd"
cp -R testdata/sample/HV01 testdata/sample/guests "$odd/"

cases=(
  "sample-rel|testdata/sample"
  "sample-abs|$repo/testdata/sample"
  "sample-ja-abs|$repo/testdata/sample|-lang ja"
  "evtx-rel|testdata/evtx"
  "evtx-abs|$repo/testdata/evtx"
  "hive-rel|testdata/hive"
  "hive-abs|$repo/testdata/hive"
  "collect-rel|testdata/collect"
  "collect-abs|$repo/testdata/collect"
  "zip-rel|testdata/collect/collection.zip"
  "zip-abs|$repo/testdata/collect/collection.zip"
  "odd-abs|$odd"
  "two-inputs|testdata/sample/HV01|$repo/testdata/sample/guests"
  "parent-rel|../testdata/sample"
)

# validate runs the validator on one log and prints its counts.
validate() {
  local name=$1 log=$2 what=$3 out vrc=0 errors warnings notes
  out="$work/$name.validate.txt"
  "$tool" validate --output "$work/$name.validation.sarif" "$log" >"$out" 2>&1 || vrc=$?
  errors=$(grep -c ': error ' "$out" || true)
  warnings=$(grep -c ': warning ' "$out" || true)
  notes=$(grep -c ': note ' "$out" || true)
  printf '%-24s %3d errors %3d warnings %3d notes  (%s)\n' "$name" "$errors" "$warnings" "$notes" "$what"
  if [ "$errors" -gt 0 ] || [ "$warnings" -gt 0 ] || [ "$vrc" -ne 0 ] || ! grep -q 'Analysis completed successfully' "$out"; then
    grep -E ': error |: warning |ERR' "$out" | sed "s|$work/||" || true
    fail=1
  fi
  total_err=$((total_err + errors))
  total_warn=$((total_warn + warnings))
}

fail=0
total_err=0
total_warn=0
# The report goldens, rendered from the scan fixtures (no work dir known).
for g in testdata/report/sarif*.sarif; do
  n=golden-$(basename "$g" .sarif)
  cp "$g" "$work/$n.sarif" # the validator wants the .sarif extension
  validate "$n" "$work/$n.sarif" "$g"
done
for c in "${cases[@]}"; do
  IFS='|' read -r name a b <<<"$c"
  args=("$a")
  case "$b" in
    -*) read -r -a extra <<<"$b"; args+=("${extra[@]}") ;;
    "") ;;
    *) args+=("$b") ;;
  esac
  log="$work/$name.sarif"
  rc=0
  # "../" inputs are given from scripts/.
  from=$repo
  [[ "$a" == ../* ]] && from=$repo/scripts
  (cd "$from" && "$work/iccheck" -format sarif -fail-on never -o "$log" "${args[@]}" 2>/dev/null) || rc=$?
  # 0 nothing to do, 3 no Hyper-V evidence: both write a report.
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 3 ]; then
    echo "$name: iccheck exited $rc"; fail=1; continue
  fi
  validate "$name" "$log" "${args[*]}"
done
echo "total errors: $total_err, warnings: $total_warn"
if [ "$fail" -ne 0 ]; then
  echo "sarif-validate.sh: FAILED"
  exit 1
fi
echo "sarif-validate.sh: all logs valid"
