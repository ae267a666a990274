#!/usr/bin/env bash
# Runs shopfn's tests: go vet, then every package's tests, including the
# end-to-end tests, the Functions host and packaging tests, the store
# conformance suites and the fuzz targets' seed corpora. It installs what the
# tests need on a fresh machine. Extra arguments go to `go test`, for example
# scripts/test.sh -race  or  scripts/test.sh -run TestE2E ./handler
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# apt installs a Debian package, as root or through sudo.
apt_install() {
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# -race needs cgo, and cgo needs a C compiler.
for arg in "$@"; do
  if [ "$arg" = "-race" ] && ! command -v gcc >/dev/null; then
    echo "test.sh: installing gcc for -race"
    apt_install gcc libc6-dev
  fi
done

pkgs=()
flags=()
for arg in "$@"; do
  case "$arg" in
    ./*) pkgs+=("$arg") ;;
    *) flags+=("$arg") ;;
  esac
done
[ ${#pkgs[@]} -gt 0 ] || pkgs=(./...)

unformatted=$(gofmt -l handler scripts)
if [ -n "$unformatted" ]; then
  echo "test.sh: gofmt would change:"; echo "$unformatted"; exit 1
fi

# The Stripe adapter's tests run against stripe-mock, a server that checks
# requests against Stripe's API spec; they skip when it is missing.
if [ -z "${STRIPE_MOCK_BIN:-}" ] || [ ! -x "$STRIPE_MOCK_BIN" ]; then
  if ! STRIPE_MOCK_BIN=$(command -v stripe-mock); then
    gobin=$(go env GOBIN)
    [ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
    STRIPE_MOCK_BIN="$gobin/stripe-mock"
    if [ ! -x "$STRIPE_MOCK_BIN" ]; then
      echo "test.sh: installing stripe-mock"
      go install github.com/stripe/stripe-mock@v0.203.0
    fi
  fi
fi
export STRIPE_MOCK_BIN

# The API reference page is loaded in headless Chromium (Debian's package)
# driven by playwright-core (npm, pinned in scripts/browser/package-lock.json).
if ! command -v chromium >/dev/null && [ ! -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ]; then
  echo "test.sh: installing chromium"
  apt_install chromium
fi
if [ ! -d scripts/browser/node_modules/playwright-core ]; then
  if ! command -v npm >/dev/null; then
    echo "test.sh: installing nodejs and npm"
    apt_install nodejs npm
  fi
  echo "test.sh: installing playwright-core"
  (cd scripts/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

# Tests whose peers test.sh provides fail, rather than skip, without them.
export SHOPFN_REQUIRE_PEERS="${SHOPFN_REQUIRE_PEERS:-1}"

go vet "${pkgs[@]}"
go test -count=1 -timeout 20m ${flags[@]+"${flags[@]}"} "${pkgs[@]}"
