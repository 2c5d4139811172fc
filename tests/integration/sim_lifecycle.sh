#!/usr/bin/env bash
# The simulator as a program: command line, refusals, a few thousand mixed
# requests (parallel), and a clean exit 0 on SIGTERM/SIGINT even with a
# request in flight. Built with --enable-sanitizers, ASan/LSan check the
# run and its exit for errors and leaks.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
dg_time_limit 120

[ -x "$DG_SIM" ] || bail "simulator not built: $DG_SIM"
"$DG_SIM" --help >"$DG_TMP/help" 2>&1
is "$?:$(grep -c '^Usage: driftguard-exchange-sim -l 127.0.0.1:PORT -k KEYFILE' "$DG_TMP/help")" "0:1" "--help"
"$DG_SIM" --version >"$DG_TMP/version" 2>&1
is "$?:$(grep -c '^driftguard-exchange-sim [0-9]' "$DG_TMP/version")" "0:1" "--version"

KEY="$DG_TMP/k.key"
dg_keyfile "$KEY" "$DG_API_KEY" "$DG_API_SECRET"
"$DG_SIM" -l 10.1.2.3:8080 -k "$KEY" 2>"$DG_TMP/err"
is "$?:$(grep -c 'refusing non-loopback address 10.1.2.3' "$DG_TMP/err")" "2:1" "non-loopback -l refused"
"$DG_SIM" -l 127.0.0.1:8080 2>/dev/null
is "$?" 2 "missing -k refused"
"$DG_SIM" -l 127.0.0.1:8080 -k "$KEY" -s BTCUSDT=0.001 2>"$DG_TMP/err"
is "$?:$(grep -c 'SYMBOL=STEP:MINQTY' "$DG_TMP/err")" "1:1" "malformed -s refused"
chmod 0644 "$KEY"
"$DG_SIM" -l 127.0.0.1:8080 -k "$KEY" 2>/dev/null
is "$?" 1 "world-readable key file refused"
chmod 0600 "$KEY"

# start_own ARGS: a simulator whose exit status this test reads itself.
start_own() {
  SIM_PORT=$(dg_free_port)
  SIM_URL="http://127.0.0.1:$SIM_PORT"
  "$DG_SIM" -l "127.0.0.1:$SIM_PORT" -k "$KEY" "$@" 2>"$DG_TMP/own.log" &
  SIM_PID=$!
  dg_wait_for 10 curl -sf "$SIM_URL/fapi/v1/time" || bail "simulator did not start"
}
# stop_own SIGNAL: its exit status.
stop_own() {
  kill "-$1" "$SIM_PID"
  wait "$SIM_PID"
}
clean_log() { ! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$DG_TMP/own.log"; }

start_own -w 1000000 -m 500
sim_positions '{"BTCUSDT":"1000"}' >/dev/null
ts=$(now_ms)
q="recvWindow=60000&timestamp=$ts"
pr="$SIM_URL/fapi/v3/positionRisk?$q&signature=$(hmac_hex "$DG_API_SECRET" "$q")"
o="symbol=BTCUSDT&side=SELL&type=MARKET&quantity=0.001&reduceOnly=true&recvWindow=60000&timestamp=$ts"
od="$o&signature=$(hmac_hex "$DG_API_SECRET" "$o")"
# One curl per client, each request its own option group (next).
get() { printf 'next\nheader = "X-MBX-APIKEY: %s"\nurl = "%s"\noutput = /dev/null\n' "$DG_API_KEY" "$1"; }
{
  printf 'url = "%s"\noutput = /dev/null\n' "$SIM_URL/fapi/v1/time"
  for i in $(seq 150); do
    get "$pr"
    get "$SIM_URL/fapi/v1/time"
    get "$SIM_URL/fapi/v1/exchangeInfo"
    get "$pr&x=1"
    get "$SIM_URL/nope"
    get "$SIM_URL/sim/orders"
    get "$SIM_URL/sim/stats"
    printf 'next\nheader = "X-MBX-APIKEY: %s"\nurl = "%s"\noutput = /dev/null\ndata = "%s"\n' \
      "$DG_API_KEY" "$SIM_URL/fapi/v1/order" "$od"
  done
} >"$DG_TMP/curl.cfg"
clients=""
for p in 1 2 3 4; do
  curl -s -K "$DG_TMP/curl.cfg" &
  clients="$clients $!"
done
for p in $clients; do wait "$p"; done
total=$(sim_stat .total)
[ "$total" -ge 3600 ]
ok $? "served $total /fapi requests from 4 parallel clients"
is "$(sim_stat '.calls["POST /fapi/v1/order"]')" 600 "every order arrived"
is "$(curl -sf "$SIM_URL/sim/positions")" '{"BTCUSDT":"999.4"}' "600 fills of 0.001, exact"
is "$(sim_orders | jq length)" 500 "stored orders capped by -m (oldest dropped)"
stop_own TERM
is "$?" 0 "SIGTERM: exit 0"
clean_log
ok $? "no sanitizer error or leak report"

start_own
sim_faults '[{"path":"/fapi/v1/time","delay_ms":60000}]' >/dev/null
curl -s -m 20 "$SIM_URL/fapi/v1/time" >/dev/null &
sleep 0.3
start=$(now_ms)
stop_own INT
is "$?" 0 "SIGINT with a delayed request in flight: exit 0"
[ $(($(now_ms) - start)) -lt 5000 ]
ok $? "the delay does not hold up the stop"
clean_log
ok $? "no sanitizer error or leak report"
dg_done
