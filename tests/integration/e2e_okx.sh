#!/usr/bin/env bash
# The whole loop on OKX v5 SWAP (Exchange "okx-swap"): the reconcile plugin
# in a real collectd, the executor and the simulator as okx-swap, key files
# with the passphrase on their third line, the ledger in contracts. A drift
# on BTC-USDT-SWAP is held, planned and healed by exactly one reduce-only
# market close of the contracts in excess; an executor started against an
# account OKX reports in Portfolio margin (acctLv 4) stops at start-up,
# naming the setting.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sim_lib.sh"
. "$top_srcdir/tests/integration/sim_venue_lib.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90

avoid_bucket_edge 120 30
dg_start_redis
sim_start_venue okx-swap
e2e_setup 'Exchange "okx-swap"'
# OKX key files: API key, secret, passphrase.
for key in "$EX_KEYFILE" "$PLUGIN_KEYFILE"; do
  printf '%s\n' "$OKX_PASSPHRASE" >>"$key"
done

# A wrong account mode stops the executor at start-up, loudly.
curl -sf -X POST -d '{"acctLv":"4"}' "$SIM_URL/sim/account" >/dev/null
"$DG_EXECUTOR" -C "$EX_CONF" >"$DG_TMP/refused.log" 2>&1 &
pid=$!
dg_track "$pid"
dg_wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
ok $? "acctLv 4: the executor stops at start-up"
grep -q 'event=startup_failed .*acctLv=4 (Portfolio margin)' "$DG_TMP/refused.log"
ok $? "acctLv 4: its log names the setting and its value"
curl -sf -X POST -d '{"acctLv":"2"}' "$SIM_URL/sim/account" >/dev/null

ex_start
ok $? "executor starts on an acctLv 2 account"
e2e_start_collectd_conf a "$(plugin_conf '    Symbol "BTC-USDT-SWAP"
    Symbol "ETH-USDT-SWAP"
    ConfirmPolls 2' | sed 's/Exchange "binance-usdm"/Exchange "okx-swap"/')
$(prometheus_conf)"

# The ledger counts contracts (0.01 BTC each): 1.5 contracts are in excess.
ledger BTC-USDT-SWAP 1
ledger ETH-USDT-SWAP 0
sim_positions '{"BTC-USDT-SWAP":"2.5"}' >/dev/null
dg_wait_for 20 settled BTC-USDT-SWAP 1
ok $? "the exchange ends at the ledger (1 contract) and the HOLD is released"
grep -q 'published plan_id=reconclose:BTC-USDT-SWAP:.* side=SELL exchange_amt=2.5 ledger_amt=1' \
  "$DG_TMP/a-collectd.log"
ok $? "the plugin planned SELL of the excess, in contracts"
orders=$(orders_for BTC-USDT-SWAP)
is "$(jq length <<<"$orders")" 1 "exactly one order"
is "$(jq -c '.[0].params | del(.expTime, .clOrdId)' <<<"$orders")" \
  '{"instId":"BTC-USDT-SWAP","tdMode":"cross","side":"sell","ordType":"market","sz":"1.5","reduceOnly":true}' \
  "the order is OKX's reduce-only market sell of 1.5 contracts"
coid=$(jq -r '.[0].params.clOrdId' <<<"$orders")
[[ "$coid" =~ ^dgrc[0-9a-f]{28}$ ]]
ok $? "its clOrdId is dgrc + 28 hex digits ($coid)"
dg_wait_for 5 yields EXECUTED eval "ex_results_json | jq -r 'map(.status) | join(\",\")'"
is "$(ex_results_json | jq -r 'map("\(.symbol) \(.status) \(.executed_qty)") | join(",")')" \
  "BTC-USDT-SWAP EXECUTED 1.5" "the executor's result: EXECUTED 1.5 contracts"
is "$(orders_for ETH-USDT-SWAP | jq length)" 0 "no drift, no order (ETH-USDT-SWAP)"
! grep -q -e "$OKX_PASSPHRASE" -e "$DG_API_SECRET" "$EX_LOG" "$DG_TMP/a-collectd.log" "$DG_TMP/refused.log"
ok $? "no secret or passphrase in any log"

dg_done
