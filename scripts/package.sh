#!/usr/bin/env bash
# package.sh assembles the folder the Azure Functions host runs: host.json,
# one folder per function with its function.json, and the handler binary
# (static, Linux amd64). Run it from anywhere:
#
#	scripts/package.sh [OUTDIR]
#
# OUTDIR defaults to <repo>/dist/functionapp. An existing
# OUTDIR/local.settings.json is kept; otherwise it is copied from
# local.settings.json.example.
set -euo pipefail

if [[ $# -gt 1 || ${1:-} == -h || ${1:-} == --help ]]; then
	echo "usage: scripts/package.sh [OUTDIR]" >&2
	exit 2
fi

repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-$repo/dist/functionapp}
mkdir -p -- "$out"
out=$(cd -- "$out" && pwd)

case $out in
"$repo" | "$repo/functions" | "$repo/functions/"* | "$repo/handler" | "$repo/handler/"*)
	echo "package.sh: OUTDIR must not be the repository, functions/ or handler/: $out" >&2
	exit 2
	;;
esac

cd -- "$repo"

CGO_ENABLED=0 GOOS=linux GOARCH=amd64 \
	go build -trimpath -ldflags='-s -w' -o "$out/handler" ./handler

cp -- host.json "$out/host.json"

shopt -s nullglob
funcs=(functions/*/function.json)
if [[ ${#funcs[@]} -eq 0 ]]; then
	echo "package.sh: no functions/*/function.json in $repo" >&2
	exit 1
fi
for f in "${funcs[@]}"; do
	dir=$(dirname -- "$f")
	name=$(basename -- "$dir")
	rm -rf -- "${out:?}/$name"
	cp -R -- "$dir" "$out/$name"
done

if [[ ! -e $out/local.settings.json ]]; then
	cp -- local.settings.json.example "$out/local.settings.json"
fi

echo "Function app folder: $out"
echo "Next: cd $(printf '%q' "$out") && func start"
