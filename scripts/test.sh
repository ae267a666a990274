#!/usr/bin/env bash
# Runs shopfn's tests: go vet, then every package's tests, including the
# end-to-end tests, the Functions host and packaging tests, the store
# conformance suites and the fuzz targets' seed corpora. It installs what the
# tests need on a fresh machine. Extra arguments go to `go test`, for example
# scripts/test.sh -race  or  scripts/test.sh -run TestE2E ./handler
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

# apt_install installs the Debian packages named that are not installed
# yet, as root or through sudo: only those, without their recommended
# packages, and upgrading nothing already installed.
apt_install() {
  local sudo="" missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends --no-upgrade "${missing[@]}"
}

# -race needs cgo, and cgo needs a C compiler.
for arg in "$@"; do
  if [ "$arg" = "-race" ] && ! command -v gcc >/dev/null; then
    echo "test.sh: installing gcc for -race"
    apt_install gcc libc6-dev
  fi
done

# handler/readme_test.go runs the README's examples, which use curl and jq.
missing=()
for tool in curl jq; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: installing ${missing[*]} for the README examples"
  apt_install "${missing[@]}"
fi

pkgs=()
flags=()
for arg in "$@"; do
  case "$arg" in
    ./*) pkgs+=("$arg") ;;
    *) flags+=("$arg") ;;
  esac
done
# infra/check is a module of its own: ./infra/... runs it, ./... runs both.
run_infra=false
main_pkgs=()
for p in ${pkgs[@]+"${pkgs[@]}"}; do
  case "$p" in
    ./infra*) run_infra=true ;;
    ./...) run_infra=true; main_pkgs+=("$p") ;;
    *) main_pkgs+=("$p") ;;
  esac
done
if [ ${#pkgs[@]} -eq 0 ]; then
  main_pkgs=(./...)
  run_infra=true
fi

unformatted=$(gofmt -l handler scripts infra/check)
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

# The Service Bus adapter's tests run against scripts/sbpeer, a small AMQP
# 1.0 peer on npm rhea that answers the azservicebus SDK (no broker that does
# is installable here); its TestMain starts it.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "test.sh: installing Node.js for the Service Bus peer"
  apt_install nodejs npm
fi
if [ ! -d scripts/sbpeer/node_modules/rhea ]; then
  echo "test.sh: installing the Service Bus peer (npm ci)"
  npm ci --prefix scripts/sbpeer --no-audit --no-fund --silent
fi

# The Cosmos DB adapter's tests, and the end-to-end tests' Cosmos mode, run
# against @vercel/cosmosdb-server (scripts/cosmospeer, Node >= 20); the
# cosmos package's TestMain starts it.
peer="$root/scripts/cosmospeer"
if [ ! -f "$peer/node_modules/.package-lock.json" ] || [ "$peer/package-lock.json" -nt "$peer/node_modules/.package-lock.json" ]; then
  echo "test.sh: installing the Cosmos DB peer (npm ci in scripts/cosmospeer)"
  (cd "$peer" && npm ci --no-audit --no-fund --loglevel=error)
fi
export SHOPFN_COSMOS_PEER="$peer/start.js"

# The sqlserver package parses every T-SQL statement and migration with
# sqlfluff's tsql dialect (no SQL Server is installable here); Debian's
# package installs it for /usr/bin/python3.
if ! /usr/bin/python3 -m sqlfluff version >/dev/null 2>&1; then
  echo "test.sh: installing sqlfluff"
  apt_install sqlfluff
fi
# The API reference page is loaded in headless Chromium (Debian's package)
# driven by playwright-core, and the console and storefront by chromedp (Go)
# with axe-core's accessibility check injected into each page; both npm
# packages are pinned in scripts/browser/package-lock.json.
if ! command -v chromium >/dev/null && [ ! -x "${CHROMIUM_BIN:-/usr/bin/chromium}" ]; then
  echo "test.sh: installing chromium"
  apt_install chromium fonts-liberation   # a font: recommended, so not pulled in
fi
browser="$root/scripts/browser"
if [ ! -f "$browser/node_modules/.package-lock.json" ] || [ "$browser/package-lock.json" -nt "$browser/node_modules/.package-lock.json" ]; then
  if ! command -v npm >/dev/null; then
    echo "test.sh: installing nodejs and npm"
    apt_install nodejs npm
  fi
  echo "test.sh: installing playwright-core and axe-core (npm ci in scripts/browser)"
  (cd scripts/browser && npm ci --no-audit --no-fund --loglevel=error)
fi

export SHOPFN_REQUIRE_PEERS=${SHOPFN_REQUIRE_PEERS:-1}

if [ ${#main_pkgs[@]} -gt 0 ]; then
  go vet "${main_pkgs[@]}"
  go test -count=1 -timeout 20m ${flags[@]+"${flags[@]}"} "${main_pkgs[@]}"
fi

# govulncheck: the vulnerabilities the code reaches, in its modules and in
# the standard library of the Go release go.mod's toolchain line names,
# looked up in an offline copy of the Go vulnerability database built from
# the newest golang.org/x/vulndb the module proxy serves (scripts/vulndb), so
# that a new advisory fails the run. The copy is built once per vulndb
# version and kept in Go's build cache (which CI caches); with the proxy
# out of reach, the newest copy built before is used.
if [ ${#main_pkgs[@]} -eq 1 ] && [ "${main_pkgs[0]}" = ./... ]; then
  gobin=$(go env GOBIN)
  [ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
  if [ ! -x "$gobin/govulncheck" ]; then
    echo "test.sh: installing govulncheck"
    go install golang.org/x/vuln/cmd/govulncheck@v1.10.0
  fi
  dbs="$(go env GOCACHE)/shopfn-vulndb"
  if version=$(cd "${TMPDIR:-/tmp}" && go list -m -f '{{.Version}}' golang.org/x/vulndb@latest); then
    db="$dbs/$version"
    if [ ! -f "$db/index/db.json" ]; then
      echo "test.sh: building the vulnerability database from golang.org/x/vulndb@$version"
      osv=$(cd "${TMPDIR:-/tmp}" && go mod download -json "golang.org/x/vulndb@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
      mkdir -p "$dbs"
      go run ./scripts/vulndb -osv "$osv/data/osv" -out "$db"
      find "$dbs" -mindepth 1 -maxdepth 1 ! -name "$version" -exec rm -rf {} +
    fi
  else
    db=$(ls -d "$dbs"/*/ 2>/dev/null | sort | tail -n 1)
    [ -n "$db" ] || { echo "test.sh: no vulnerability database: the module proxy is out of reach and none was built before"; exit 1; }
    echo "test.sh: the module proxy is out of reach; govulncheck uses $db"
  fi
  toolchain=$(sed -n 's/^toolchain //p' go.mod)
  echo "test.sh: govulncheck (${toolchain:-local toolchain})"
  GOTOOLCHAIN=${toolchain:-local} "$gobin/govulncheck" -db "file://${db%/}" ./...
fi

# The money path's end-to-end tests once more with the catalog and carts on
# the Cosmos DB peer (SHOPFN_DOCUMENTS=cosmos), on a full run: among them
# the promotions' and price lists' tests, whose usage-limit race also runs
# with the queues on the Service Bus peer (the closest to Azure here). The fault
# suite (TestE2EFaults) is not among them: it runs in the first pass, on
# Cosmos DB documents and Service Bus queues of its own, behind fault proxies.
if [ ${#main_pkgs[@]} -eq 1 ] && [ "${main_pkgs[0]}" = ./... ]; then
  echo "test.sh: the money path's end-to-end tests with Cosmos DB documents"
  SHOPFN_TEST_DOCUMENTS=cosmos go test -count=1 -timeout 10m ${flags[@]+"${flags[@]}"} \
    -run 'TestDocumentsMode|TestHost|TestE2EErrors|TestE2ECheckout|TestE2EFlashSale|TestE2ERedelivery|TestCrashCheckout|TestE2ERoles|TestE2ETelemetry$|TestE2EPromotion|TestE2EPriceList' ./handler
fi

# The deployment assets (infra/): Kubernetes manifests rendered and strictly
# decoded, workflows through actionlint, Bicep through the tree-sitter
# grammar. infra/check is its own module (the Kubernetes types stay out of
# shopfn's); it runs with the whole suite or when named (./infra/check),
# without -race: it has no concurrency, and a race build of the Kubernetes
# packages would cost minutes for nothing.
if $run_infra; then
  gobin=$(go env GOBIN)
  [ -n "$gobin" ] || gobin="$(go env GOPATH | cut -d: -f1)/bin"
  if [ ! -x "$gobin/actionlint" ]; then
    echo "test.sh: installing actionlint"
    go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
  fi
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "test.sh: installing Node.js for the Bicep grammar"
    apt_install nodejs npm
  fi
  if [ ! -e infra/check/bicep/node_modules/tree-sitter-bicep/package.json ]; then
    echo "test.sh: installing tree-sitter-bicep"
    npm ci --prefix infra/check/bicep --no-audit --no-fund --loglevel=error
  fi
  infra_flags=()
  for f in ${flags[@]+"${flags[@]}"}; do
    [ "$f" = "-race" ] || infra_flags+=("$f")
  done
  (
    cd infra/check
    go vet ./...
    go test -count=1 -timeout 10m ${infra_flags[@]+"${infra_flags[@]}"} ./...
  )
fi
