#!/usr/bin/env bash
# shiken serve under load: wrk on loopback against /api/v1/verify with a
# valid token and against the page /c/TOKEN, with the cache of verified
# tokens on (the default) and off (every request an Ed25519 verification),
# with a thread per connection (the default) and with a pool of two event
# loops (--threads 2). Goal: 10,000
# verifications a second on 2 cores with p99 under 10 ms. wrk runs on the
# same cores as the server, so the figures are for the pair.
#
#   SHIKEN=build/cli/shiken MINT_CERT=build/tests/mint_cert tests/bench/bench_serve.sh
#
# Prints "name|figure|unit|goal" lines like the C benchmarks: the median of
# BENCH_RUNS (default 3) runs of BENCH_SECONDS (default 5) each, with
# BENCH_CONNECTIONS (default 32) keep-alive connections from one wrk thread.
set -euo pipefail
: "${SHIKEN:?set SHIKEN to the shiken binary}"
: "${MINT_CERT:?set MINT_CERT to the mint_cert tool}"
command -v wrk >/dev/null || { echo "bench_serve: wrk missing (scripts/setup installs it)" >&2; exit 1; }
SECONDS_EACH=${BENCH_SECONDS:-5}
RUNS=${BENCH_RUNS:-3}
CONNS=${BENCH_CONNECTIONS:-32}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/shiken-bench-serve.XXXXXX")
PID=
trap '[[ -n "$PID" ]] && kill -KILL "$PID" 2>/dev/null; rm -rf "$WORK"' EXIT
DB="$WORK/b.db"
export SHIKEN_ACTOR=bench LANGUAGE= LC_ALL=C.UTF-8

"$SHIKEN" --db "$DB" init >/dev/null
"$SHIKEN" --db "$DB" keys generate >/dev/null
"$SHIKEN" --db "$DB" config set cert.issuer https://shiken.example.jp >/dev/null
TOKEN=$(printf '%s' '{"iss":"https://shiken.example.jp","cert":"2026-000001-5","family_name":"TRAN","given_name":"VAN AN",' \
	'"birthdate":"1995-04-01","test":{"code":"MM1","category_ja":"機械金属加工",' \
	'"category_en":"Machining and Metalworking","level":1},"sitting_date":"2026-12-13","iat":1797238800}' |
	"$MINT_CERT" "$DB" "$DB.key")

start() { # ARGS...
	"$SHIKEN" --db "$DB" serve --base-url https://verify.example.jp --listen 127.0.0.1:0 --rate-limit 0 \
		--max-per-client 1000 "$@" >/dev/null 2>"$WORK/err" &
	PID=$!
	for _ in $(seq 1 200); do
		grep -q "listening on" "$WORK/err" && break
		sleep 0.05
	done
	URL="http://$(sed -n 's/^shiken serve: listening on \([0-9.]*:[0-9]*\),.*/\1/p' "$WORK/err")"
	[[ "$URL" != http:// ]] || { cat "$WORK/err" >&2; exit 1; }
}
stop() {
	kill -TERM "$PID"
	wait "$PID"
	PID=
}

ms() { # wrk prints 812.00us, 1.23ms, 1.02s
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /s$/ && v !~ /ms$/) n *= 1000; printf "%.3f", n }'
}
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run NAME PATH: wrk RUNS times for SECONDS_EACH; prints the median
# requests/s, p50 and p99 (each the median of its own runs).
run() {
	local name=$1 path=$2 i
	curl -sf -o /dev/null "$URL$path" || { echo "bench_serve: $path does not answer 200" >&2; exit 1; }
	: >"$WORK/rps"; : >"$WORK/p50"; : >"$WORK/p99"
	for i in $(seq 1 "$RUNS"); do
		wrk -t1 -c"$CONNS" -d"${SECONDS_EACH}s" --latency "$URL$path" >"$WORK/wrk" 2>&1
		if grep -qE 'Non-2xx|Socket errors' "$WORK/wrk"; then
			echo "bench_serve: $name: errors" >&2
			cat "$WORK/wrk" >&2
			exit 1
		fi
		awk '/^Requests\/sec:/ {print $2}' "$WORK/wrk" >>"$WORK/rps"
		ms "$(awk '$1 == "50%" {print $2}' "$WORK/wrk")" >>"$WORK/p50"; echo >>"$WORK/p50"
		ms "$(awk '$1 == "99%" {print $2}' "$WORK/wrk")" >>"$WORK/p99"; echo >>"$WORK/p99"
	done
	printf '%s|%s|req/s|>= 10000 on 2 cores\n' "serve: $name, throughput" "$(median <"$WORK/rps")"
	printf '%s|%s|ms|\n' "serve: $name, p50 latency" "$(median <"$WORK/p50")"
	printf '%s|%s|ms|< 10\n' "serve: $name, p99 latency" "$(median <"$WORK/p99")"
}

start
run "API, cache on, thread per connection" "/api/v1/verify?token=$TOKEN"
run "page, cache on, thread per connection" "/c/$TOKEN"
stop
start --cache 0
run "API, cache off, thread per connection" "/api/v1/verify?token=$TOKEN"
run "page, cache off, thread per connection" "/c/$TOKEN"
# Fewer clients at once: does 10,000 a second still come, with a shorter queue?
saved=$CONNS
CONNS=8
run "API, cache off, thread per connection, 8 connections" "/api/v1/verify?token=$TOKEN"
CONNS=$saved
stop
start --threads 2
run "API, cache on, pool of 2" "/api/v1/verify?token=$TOKEN"
stop
start --threads 2 --cache 0
run "API, cache off, pool of 2" "/api/v1/verify?token=$TOKEN"
stop
