#!/usr/bin/env bash
# release.sh builds what gets deployed:
#
#	scripts/release.sh zip [FILE]     the Flex Consumption package (default dist/functionapp.zip):
#	                                  scripts/package.sh's folder, zipped, without local.settings.json
#	scripts/release.sh image [TAG]    the AKS container image from infra/Dockerfile (default shopfn:dev),
#	                                  with docker, or `az acr build` where there is no Docker engine
set -euo pipefail
repo=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.." && pwd)
cd -- "$repo"

case ${1:-} in
zip)
	file=${2:-dist/functionapp.zip}
	mkdir -p -- "$(dirname -- "$file")"
	file=$(cd -- "$(dirname -- "$file")" && pwd)/$(basename -- "$file")
	stage=$(mktemp -d)
	trap 'rm -rf -- "$stage"' EXIT
	scripts/package.sh "$stage" >/dev/null
	rm -f -- "$stage/local.settings.json" "$file"
	(cd -- "$stage" && zip -q -r -X "$file" .)
	echo "Flex Consumption package: $file"
	;;
image)
	tag=${2:-shopfn:dev}
	docker build -f infra/Dockerfile -t "$tag" .
	echo "Image: $tag"
	;;
*)
	echo "usage: scripts/release.sh zip [FILE] | image [TAG]" >&2
	exit 2
	;;
esac
