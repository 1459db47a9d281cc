#!/usr/bin/env bash
# Screenshots of the HTML report of the bundled sample, in English and
# Japanese, at 1400 px width, with headless Chromium (Debian: chromium and
# fonts-noto-cjk for the Japanese). Also the English page in grey scale and
# under a deuteranopia simulation (Machado et al. 2009, severity 1.0, as an
# SVG feColorMatrix on linear RGB), to check that the timeline reads
# without colour and for a deuteranope. Not part of go test or CI: run it
# by hand after a change to the HTML renderer and look at the PNGs. Do not
# commit them.
#
#   bash scripts/html-screenshots.sh                # writes /tmp/hvic-screenshots
#   OUT=/tmp/x HEIGHT=3000 bash scripts/html-screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${OUT:-/tmp/hvic-screenshots}")
height=${HEIGHT:-2000}
chromium=${CHROMIUM:-chromium}
command -v "$chromium" >/dev/null || { echo "$chromium not found (apt-get install chromium fonts-noto-cjk)"; exit 2; }
mkdir -p "$out"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/iccheck" ./examples/iccheck

shot() { # shot PAGE.html NAME
  "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="1400,$height" --screenshot="$out/$2.png" "file://$1" >/dev/null 2>&1
  echo "$out/$2.png"
}

for lang in en ja; do
  # iccheck exits 1 when a VM needs action, as the sample's do.
  "$tmp/iccheck" -format html -lang "$lang" testdata/sample >"$out/sample.$lang.html" || [ $? -eq 1 ]
  shot "$out/sample.$lang.html" "sample.$lang"
done

# The same English page seen without colour and with deuteranopia: a
# filter on the whole page, injected after <body>.
filters='<svg width="0" height="0" style="position:absolute"><filter id="deut" color-interpolation-filters="linearRGB"><feColorMatrix type="matrix" values="0.367322 0.860646 -0.227968 0 0 0.280085 0.672501 0.047413 0 0 -0.011820 0.042940 0.968881 0 0 0 0 0 1 0"/></filter></svg>'
for view in gray deut; do
  case $view in
    gray) css='html{filter:grayscale(1)}' ;;
    deut) css='html{filter:url(#deut)}' ;;
  esac
  sed "s|<body>|<body><style>$css</style>$filters|" "$out/sample.en.html" >"$out/sample.en.$view.html"
  shot "$out/sample.en.$view.html" "sample.en.$view"
done
