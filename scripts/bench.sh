#!/usr/bin/env bash
# bench.sh measures shopfn under load on this machine, against 127.0.0.1 only:
#
#   - start-to-first-200: from launching the binary on an existing data
#     directory (the catalog already seeded) to the first 200 from /api/health;
#   - wrk -t2 -c64 throughput and p99 latency of a bare net/http server
#     (scripts/bench/bare) serving the product listing's bytes, of the product
#     listing, of the listing sorted by price with two filters (as a ratio to
#     the plain listing, target >= 0.85), of one product, and of add-to-cart (scripts/bench/cart.lua over
#     pre-created carts), with shopfn's throughput as a ratio to the bare one;
#   - shopfn's RSS after a mixed listing/add-to-cart load;
#   - telemetry's cost: the listing and add-to-cart again with traces and
#     metrics exported over OTLP/HTTP to a local sink (scripts/bench/otlpsink),
#     first with every request traced (OTEL_TRACES_SAMPLER unset), then with
#     one in a hundred (parentbased_traceidratio, 0.01), as ratios to the
#     runs without an exporter;
#   - add-to-cart with three active price lists, as a ratio to add-to-cart
#     without (target >= 0.9: pricing reads the lists from memory);
#   - checkouts per second at 32 concurrent buyers (wrk -t2 -c32), embedded
#     store and test payments: scripts/bench/checkout.lua POSTs /api/checkout
#     with pm_card_visa for a different pre-created cart each request (one
#     unit of one of LINES SKUs restocked to a million units), and how fast
#     the orders are placed behind it: from the start of the run to the moment
#     every paid order is placed (scripts/bench/checkout polls the newest
#     orders, then counts GET /api/admin/orders?status=placed).
#
# Targets (informational, PASS/MISS): listing and product >= 0.6 of bare,
# add-to-cart >= 0.2 of bare, checkout >= 0.25 of add-to-cart, orders placed
# per second >= 0.9 of checkouts per second, RSS < 100 MiB, start < 200 ms,
# telemetry on >= 0.9 of off.
# The script exits 1 only when something broke: a server failing to start or
# dying, wrk seeing non-2xx responses, the checkout run running out of carts,
# or paid orders not all placed within 2 minutes.
#
# Environment: DURATION (each wrk run, default 10s), RSS_SECONDS (the mixed
# load, default 60), CARTS (carts per cart run, default 500), CHECKOUT_CARTS
# (carts for the checkout run, default 3,000 a second of DURATION, at least
# 10,000), SCRAPE_OUT (a file to keep shopfn's GET /metrics in after the
# checkout run). A quick smoke run:
#
#   DURATION=3s RSS_SECONDS=5 scripts/bench.sh
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

DURATION=${DURATION:-10s}
RSS_SECONDS=${RSS_SECONDS:-60}
CARTS=${CARTS:-500}
THREADS=2
CONNS=64
CHECKOUT_CONNS=32
LINES=20 # SKUs per cart in cart.lua; keep in step with LINES there
ADMIN_KEY=$(od -An -N32 -tx1 /dev/urandom | tr -d " \n") # random: shopfn refuses a guessable key

# seconds prints DURATION in whole seconds (wrk takes 10, 10s, 2m or 1h).
seconds() {
	case $1 in
	*[0-9]s) echo "${1%s}" ;;
	*m) echo $((${1%m} * 60)) ;;
	*h) echo $((${1%h} * 3600)) ;;
	*) echo "$1" ;;
	esac
}
duration_s=$(seconds "$DURATION")
[[ $duration_s =~ ^[0-9]+$ ]] || duration_s=10
CHECKOUT_CARTS=${CHECKOUT_CARTS:-$((duration_s * 3000 > 10000 ? duration_s * 3000 : 10000))}

log() { printf '%s\n' "$*" >&2; }
die() { log "bench: $*"; exit 1; }

if ! command -v wrk >/dev/null; then
	log "bench: installing wrk"
	sudo=()
	[[ $(id -u) -eq 0 ]] || sudo=(sudo)
	"${sudo[@]}" apt-get update
	"${sudo[@]}" apt-get install -y wrk
fi
command -v curl >/dev/null || die "curl is required"

tmp=$(mktemp -d)
shopfn_pid=
bare_pid=
sink_pid=
cleanup() {
	local p
	for p in $shopfn_pid $bare_pid $sink_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in $shopfn_pid $bare_pid $sink_pid; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A fd that never becomes readable: read -t on it sleeps without a fork.
exec {sleep_fd}<> <(:)
nap() { read -r -t "$1" -u "$sleep_fd" _ || true; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# free_port prints a TCP port on 127.0.0.1 nobody answers on.
free_port() {
	local p i
	for i in {1..200}; do
		p=$((20000 + RANDOM % 40000))
		if ! { exec {fd}<>"/dev/tcp/127.0.0.1/$p"; } 2>/dev/null; then
			echo "$p"
			return 0
		fi
		exec {fd}>&-
	done
	return 1
}

# probe PORT PATH succeeds when GET PATH answers 200.
probe() {
	local status fd
	{ exec {fd}<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
	printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' "$2" >&"$fd" 2>/dev/null || true
	IFS= read -r -t 5 -u "$fd" status || status=
	exec {fd}>&-
	[[ $status == HTTP/1.?" 200 "* ]]
}

# wait_ready PID PORT PATH SECONDS polls every millisecond until PATH answers
# 200; it fails if PID exits or SECONDS pass.
wait_ready() {
	local deadline=$(($(now_us) + $4 * 1000000))
	until probe "$2" "$3"; do
		kill -0 "$1" 2>/dev/null || return 1
		(($(now_us) < deadline)) || return 1
		nap 0.001
	done
}

log "bench: building"
go build -o "$tmp/shopfn" ./handler
go build -o "$tmp/bare" ./scripts/bench/bare
go build -o "$tmp/checkout" ./scripts/bench/checkout
go build -o "$tmp/otlpsink" ./scripts/bench/otlpsink

data=$tmp/data
port=$(free_port) || die "no free port"
base=http://127.0.0.1:$port
shopfn_log=$tmp/shopfn.log

# start_shopfn [NAME=VALUE...] starts shopfn with these settings added.
start_shopfn() {
	env -u FUNCTIONS_CUSTOMHANDLER_PORT -u OTEL_EXPORTER_OTLP_ENDPOINT -u OTEL_TRACES_SAMPLER -u OTEL_TRACES_SAMPLER_ARG \
		SHOPFN_ADDR="127.0.0.1:$port" SHOPFN_DATA_DIR="$data" SHOPFN_RATE_LIMIT=0 \
		SHOPFN_ADMIN_KEY="$ADMIN_KEY" "$@" "$tmp/shopfn" >>"$shopfn_log" 2>&1 &
	shopfn_pid=$!
}
stop_shopfn() {
	kill -TERM "$shopfn_pid"
	wait "$shopfn_pid" || die "shopfn exited with status $? on SIGTERM; log: $(tail -5 "$shopfn_log")"
	shopfn_pid=
}
alive() { kill -0 "$shopfn_pid" 2>/dev/null || die "shopfn died; log tail:"$'\n'"$(tail -20 "$shopfn_log")"; }

log "bench: first start (seeds the catalog)"
start_shopfn
wait_ready "$shopfn_pid" "$port" /api/health 120 || die "shopfn did not start; log:"$'\n'"$(tail -20 "$shopfn_log")"
stop_shopfn

log "bench: second start (measured)"
t0=$(now_us)
start_shopfn
wait_ready "$shopfn_pid" "$port" /api/health 60 || die "shopfn did not restart; log:"$'\n'"$(tail -20 "$shopfn_log")"
t1=$(now_us)
start_ms=$(awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f", d / 1000 }')

curl -sSf "$base/api/products?limit=20" -o "$tmp/products.json"
product_id=$(grep -oE '"id":"p[0-9a-z]{26}"' "$tmp/products.json" | head -1 | cut -d'"' -f4)
[[ -n $product_id ]] || die "no product in the listing"

# SKUs from the listing with at least 99 units available, so no line in a
# cart run can run out of stock (and the 99-unit line limit is the bound).
curl -sSf "$base/api/products?limit=100" | grep -oE '"sku":"[^"]+"' | cut -d'"' -f4 >"$tmp/listed-skus.txt"
sed "s|.*|url = \"$base/api/inventory/&\"|" "$tmp/listed-skus.txt" >"$tmp/inventory.curl"
: >"$tmp/skus.txt"
while IFS= read -r line; do
	if [[ $line =~ \"available\":([0-9]+) ]] && ((BASH_REMATCH[1] >= 99)) && [[ $line =~ \"sku\":\"([^\"]+)\" ]]; then
		echo "${BASH_REMATCH[1]}" >>"$tmp/skus.txt"
	fi
done < <(curl -sSf -w '\n' -K "$tmp/inventory.curl")
nskus=$(wc -l <"$tmp/skus.txt")
((nskus >= LINES)) || die "only $nskus listed SKUs have 99 units available; need $LINES"

# Carts: CARTS for the add-to-cart run, CARTS more for the mixed load,
# CARTS for each of the two telemetry runs, and CARTS for the run with price
# lists.
for ((i = 0; i < 5 * CARTS; i++)); do echo "url = \"$base/api/carts\""; done >"$tmp/carts.curl"
curl -sS -X POST -H 'Content-Type: application/json' -d '' -w ' %{http_code}\n' -K "$tmp/carts.curl" >"$tmp/carts.out"
made=$(grep -c ' 201$' "$tmp/carts.out" || true)
((made == 5 * CARTS)) || die "created $made of $((5 * CARTS)) carts: $(grep -v ' 201$' "$tmp/carts.out" | head -3)"
grep -oE '"id":"c[0-9a-z]{26}"' "$tmp/carts.out" | cut -d'"' -f4 >"$tmp/all-carts.txt"
i=0
for set in a b c d e; do
	sed -n "$((i * CARTS + 1)),$(((i + 1) * CARTS))p" "$tmp/all-carts.txt" >"$tmp/carts-$set.txt"
	(($(wc -l <"$tmp/carts-$set.txt") == CARTS)) || die "could not read the cart IDs"
	i=$((i + 1))
done
log "bench: shopfn up in $start_ms ms; product $product_id; $nskus SKUs; $((5 * CARTS)) carts"

bare_port=$(free_port) || die "no free port"
"$tmp/bare" -addr "127.0.0.1:$bare_port" -file "$tmp/products.json" >"$tmp/bare.log" 2>&1 &
bare_pid=$!
wait_ready "$bare_pid" "$bare_port" / 30 || die "bare server did not start: $(cat "$tmp/bare.log")"

broke=0
# run_wrk NAME URL [LUA_SCRIPT SCRIPT_ARGS...] runs wrk and keeps its output in
# $tmp/NAME.wrk.
run_wrk() {
	local name=$1 url=$2 script=()
	shift 2
	if (($#)); then
		script=(-s "$1")
		shift
	fi
	log "bench: wrk $name ($url${script[1]:+ with ${script[1]}})"
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "${script[@]}" "$url" ${1+--} "$@" >"$tmp/$name.wrk" 2>&1 ||
		die "wrk $name failed: $(cat "$tmp/$name.wrk")"
	sed 's/^/    /' "$tmp/$name.wrk" >&2
	local bad
	bad=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$tmp/$name.wrk")
	if [[ -n $bad && $bad != 0 ]]; then
		log "bench: $name: $bad non-2xx responses"
		broke=1
	fi
	if grep -q 'Socket errors' "$tmp/$name.wrk"; then
		log "bench: $name: $(grep 'Socket errors' "$tmp/$name.wrk" | sed 's/^ *//')"
	fi
}
rps() { awk '/^Requests\/sec:/ { print $2 }' "$tmp/$1.wrk"; }
# p99 prints the 99th percentile latency in ms.
p99() {
	awk '$1 == "99%" {
		v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v)
		m = (u == "us") ? 0.001 : (u == "ms") ? 1 : (u == "s") ? 1000 : (u == "m") ? 60000 : -1
		printf "%.2f", v * m
	}' "$tmp/$1.wrk"
}

# The listing sorted by price with two filters, as a product grid asks.
sorted_query="limit=20&sort=price&maxPrice=20000&option.color=black"
run_wrk bare "http://127.0.0.1:$bare_port/api/products?limit=20"
kill "$bare_pid"
wait "$bare_pid" 2>/dev/null || true
bare_pid=
run_wrk list "$base/api/products?limit=20"
alive
run_wrk list-sorted "$base/api/products?$sorted_query"
alive
run_wrk product "$base/api/products/$product_id"
alive
run_wrk cart "$base" scripts/bench/cart.lua "$tmp/carts-a.txt" "$tmp/skus.txt" 0 "$THREADS"
alive

# Add-to-cart again with three active price lists (a sale for everyone, two
# for customer groups) pricing every SKU the run adds; they are deleted
# before the mixed load, so that the RSS stays comparable.
prices=$(awk '{ printf "%s{\"sku\":\"%s\",\"amount\":%d}", (NR > 1 ? "," : ""), $1, 100 + NR }' "$tmp/skus.txt")
for list in sale:'[]' vip:'["vip"]' staff:'["staff"]'; do
	curl -sSf -o /dev/null -X PUT -H "x-functions-key: $ADMIN_KEY" -H 'Content-Type: application/json' \
		-d "{\"name\":\"${list%%:*}\",\"currency\":\"USD\",\"customerGroups\":${list#*:},\"prices\":[$prices]}" \
		"$base/api/admin/price-lists/${list%%:*}" || die "could not write price list ${list%%:*}"
done
run_wrk cart-lists "$base" scripts/bench/cart.lua "$tmp/carts-e.txt" "$tmp/skus.txt" 0 "$THREADS"
alive
for list in sale vip staff; do
	curl -sSf -o /dev/null -X DELETE -H "x-functions-key: $ADMIN_KEY" "$base/api/admin/price-lists/$list" || die "could not delete price list $list"
done

log "bench: mixed load for ${RSS_SECONDS}s (half listings, half add-to-cart)"
DURATION=${RSS_SECONDS}s run_wrk mixed "$base" scripts/bench/cart.lua "$tmp/carts-b.txt" "$tmp/skus.txt" 2 "$THREADS"
alive
rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$shopfn_pid/status")
hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$shopfn_pid/status")
# Of the RSS: anonymous memory (the Go heap, stacks, SQLite's cache) and
# pages of files, nearly all the binary's own code and data, which the
# kernel maps in 64 KiB runs around each page touched.
anon_kib=$(awk '/^RssAnon:/ { print $2 }' "/proc/$shopfn_pid/status")
file_kib=$(awk '/^RssFile:/ { print $2 }' "/proc/$shopfn_pid/status")

# Telemetry on: the same listing and add-to-cart runs, with an OTLP/HTTP
# exporter; then shopfn starts again as before for the checkouts.
sink_port=$(free_port) || die "no free port"
"$tmp/otlpsink" -addr "127.0.0.1:$sink_port" >"$tmp/otlpsink.log" 2>&1 &
sink_pid=$!
wait_ready "$sink_pid" "$sink_port" /stats 30 || die "otlp sink did not start: $(cat "$tmp/otlpsink.log")"
otel=(OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port")
sampled=(OTEL_TRACES_SAMPLER=parentbased_traceidratio OTEL_TRACES_SAMPLER_ARG=0.01)
for mode in traced sampled; do
	stop_shopfn
	if [[ $mode == traced ]]; then start_shopfn "${otel[@]}"; else start_shopfn "${otel[@]}" "${sampled[@]}"; fi
	wait_ready "$shopfn_pid" "$port" /api/health 60 || die "shopfn did not restart with telemetry; log:"$'\n'"$(tail -20 "$shopfn_log")"
	run_wrk "list-$mode" "$base/api/products?limit=20"
	alive
	carts=$tmp/carts-c.txt
	[[ $mode == traced ]] || carts=$tmp/carts-d.txt
	run_wrk "cart-$mode" "$base" scripts/bench/cart.lua "$carts" "$tmp/skus.txt" 0 "$THREADS"
	alive
done
stop_shopfn # flushes the last spans to the sink
sink_stats=$(curl -sSf "http://127.0.0.1:$sink_port/stats") || die "otlp sink did not answer"
kill "$sink_pid"
wait "$sink_pid" 2>/dev/null || true
sink_pid=
start_shopfn
wait_ready "$shopfn_pid" "$port" /api/health 60 || die "shopfn did not restart; log:"$'\n'"$(tail -20 "$shopfn_log")"

# Checkouts, after the RSS reading so that it stays comparable. LINES SKUs
# get a million units each, so no checkout runs short; every request takes
# its own cart, since a cart checks out once.
head -n "$LINES" "$tmp/skus.txt" >"$tmp/checkout-skus.txt"
while IFS= read -r sku; do
	curl -sSf -o /dev/null -X PUT -H "x-functions-key: $ADMIN_KEY" -H 'Content-Type: application/json' \
		-d '{"onHand":1000000}' "$base/api/admin/inventory/$sku" || die "could not stock $sku"
done <"$tmp/checkout-skus.txt"
log "bench: creating $CHECKOUT_CARTS one-unit carts for the checkout run"
"$tmp/checkout" carts -base "$base" -skus "$tmp/checkout-skus.txt" -n "$CHECKOUT_CARTS" -c 32 \
	-out "$tmp/checkout-carts.txt" 2>"$tmp/checkout-carts.log" ||
	die "creating carts failed: $(cat "$tmp/checkout-carts.log")"
sed 's/^/    /' "$tmp/checkout-carts.log" >&2
alive
checkout_t0=$(now_us)
CONNS=$CHECKOUT_CONNS run_wrk checkout "$base" scripts/bench/checkout.lua "$tmp/checkout-carts.txt" "$THREADS" "$tmp/checkout-orders.txt"
checkout_t1=$(now_us)
alive
checkout_line=$(grep '^checkout: created=' "$tmp/checkout.wrk") || die "checkout.lua printed no summary"
[[ $checkout_line =~ created=([0-9]+)\ wrapped=([0-9]+) ]] || die "bad checkout summary: $checkout_line"
checkout_created=${BASH_REMATCH[1]}
checkout_wrapped=${BASH_REMATCH[2]}
((checkout_wrapped == 0)) || die "the checkout run used all $CHECKOUT_CARTS carts and replayed $checkout_wrapped checkouts; set CHECKOUT_CARTS higher"
checkout_requests=$(awk '/requests in/ { print $1 }' "$tmp/checkout.wrk")
checkout_non2xx=$(awk -F': *' '/Non-2xx or 3xx responses/ { print $2 }' "$tmp/checkout.wrk")
checkout_non2xx=${checkout_non2xx:-0}
log "bench: waiting for the $checkout_created paid orders to be placed"
placed_line=$("$tmp/checkout" placed -base "$base" -key "$ADMIN_KEY" -sample "$tmp/checkout-orders.txt" \
	-want "$checkout_created" -timeout 2m) || die "paid orders were not all placed"
[[ $placed_line =~ ^placed\ ([0-9]+)\ at\ ([0-9]+)$ ]] || die "bad placed line: $placed_line"
orders_placed=${BASH_REMATCH[1]}
orders_t=${BASH_REMATCH[2]}
alive
if [[ -n ${SCRAPE_OUT:-} ]]; then
	curl -sSf -H "x-functions-key: $ADMIN_KEY" "$base/metrics" -o "$SCRAPE_OUT" || die "could not scrape /metrics"
fi

bare_rps=$(rps bare)
echo
echo "wrk -t$THREADS -c$CONNS -d$DURATION --latency, 127.0.0.1 ($(nproc) CPUs)"
printf '%-14s %12s %10s %8s %8s  %s\n' name req/s p99 ratio target result
row() { # NAME WRKFILE TARGET
	awk -v name="$1" -v r="$(rps "$2")" -v p="$(p99 "$2")" -v b="$bare_rps" -v t="$3" 'BEGIN {
		ratio = r / b
		res = (t == "-") ? "-" : (ratio >= t ? "PASS" : "MISS")
		printf "%-14s %12.2f %8.2fms %8.3f %8s  %s\n", name, r, p, ratio, (t == "-" ? "-" : ">=" t), res
	}'
}
row bare bare -
row "product list" list 0.6
row "product by id" product 0.6
row add-to-cart cart 0.2
awk -v r="$(rps cart-lists)" -v p="$(p99 cart-lists)" -v off="$(rps cart)" 'BEGIN {
	ratio = r / off
	printf "%-24s %12.2f %8.2fms %8.3f %8s  %s  (ratio to add-to-cart)\n", "add-to-cart, 3 price lists", r, p, ratio, ">=0.9", (ratio >= 0.9 ? "PASS" : "MISS")
}'
awk -v r="$(rps list-sorted)" -v p="$(p99 list-sorted)" -v l="$(rps list)" -v q="$sorted_query" 'BEGIN {
	ratio = r / l
	printf "%-14s %12.2f %8.2fms %8.3f %8s  %s  (ratio to the plain listing; ?%s)\n",
		"sorted list", r, p, ratio, ">=0.85", (ratio >= 0.85 ? "PASS" : "MISS"), q
}'
echo
echo "telemetry on: OTLP/HTTP to a local sink, ratio to the same run without an exporter"
trow() { # NAME WRKFILE OFFFILE
	awk -v name="$1" -v r="$(rps "$2")" -v p="$(p99 "$2")" -v off="$(rps "$3")" 'BEGIN {
		ratio = r / off
		printf "%-24s %12.2f %8.2fms %8.3f %8s  %s\n", name, r, p, ratio, ">=0.9", (ratio >= 0.9 ? "PASS" : "MISS")
	}'
}
trow "list, all traced" list-traced list
trow "add-to-cart, all traced" cart-traced cart
trow "list, 1% traced" list-sampled list
trow "add-to-cart, 1% traced" cart-sampled cart
echo "$sink_stats" | sed 's/^/sink /'
echo
awk -v r="$rss_kib" -v h="$hwm_kib" -v a="$anon_kib" -v f="$file_kib" -v s="$RSS_SECONDS" -v rr="$(rps mixed)" -v p="$(p99 mixed)" 'BEGIN {
	printf "RSS after %ss mixed load (%.2f req/s, p99 %.2fms): %.1f MiB (peak %.1f MiB; anonymous %.1f MiB, files %.1f MiB), target < 100 MiB: %s\n",
		s, rr, p, r / 1024, h / 1024, a / 1024, f / 1024, (r / 1024 < 100 ? "PASS" : "MISS")
}'
awk -v ms="$start_ms" 'BEGIN { printf "start to first 200 (seeded data dir): %.1f ms, target < 200 ms: %s\n", ms, (ms < 200 ? "PASS" : "MISS") }'
echo
echo "checkout: wrk -t$THREADS -c$CHECKOUT_CONNS -d$DURATION --latency, embedded store, test payments (pm_card_visa), one cart a request"
awk -v r="$(rps checkout)" -v p="$(p99 checkout)" -v a="$(rps cart)" -v n="$checkout_requests" -v c="$checkout_created" -v bad="$checkout_non2xx" 'BEGIN {
	ratio = r / a
	printf "%-14s %12.2f %8.2fms %8.3f %8s  %s  (ratio to add-to-cart; %d requests, %d paid, %d non-2xx)\n",
		"checkout", r, p, ratio, ">=0.25", (ratio >= 0.25 ? "PASS" : "MISS"), n, c, bad
}'
awk -v n="$orders_placed" -v t0="$checkout_t0" -v t1="$checkout_t1" -v t="$orders_t" -v r="$(rps checkout)" 'BEGIN {
	span = (t - t0) / 1e6; lag = (t - t1) / 1e6
	if (lag < 0) lag = 0
	rate = n / span; ratio = rate / r
	printf "%-14s %12.2f %10s %8.3f %8s  %s  (ratio to checkouts/s; %d orders placed %.2fs after the run began, %.2fs after it ended)\n",
		"orders placed", rate, "-", ratio, ">=0.9", (ratio >= 0.9 ? "PASS" : "MISS"), n, span, lag
}'

if ((broke)); then
	die "non-2xx responses under load (see above)"
fi
