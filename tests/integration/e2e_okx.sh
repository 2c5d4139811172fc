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
# The key files, the plugin's and the executor's Exchange follow the
# simulator's venue (harness.sh): the passphrase is their third line.
sim_start_venue okx-swap
e2e_setup

# A wrong account mode stops the executor at start-up, loudly.
curl -sf -X POST -d '{"acctLv":"4"}' "$SIM_URL/sim/account" >/dev/null
"$DG_EXECUTOR" -C "$EX_CONF" >"$DG_TMP/refused.log" 2>&1 &
pid=$!
dg_track "$pid"
dg_wait_for 10 sh -c "! kill -0 $pid 2>/dev/null"
ok $? "acctLv 4: the executor stops at start-up"
grep -q 'event=startup_failed .*acctLv=4 (Portfolio margin)' "$DG_TMP/refused.log"
ok $? "acctLv 4: its log names the setting and its value"
# The plugin polls nothing on such an account, and says why on every poll.
e2e_start_collectd a '    Symbol "BTC-USDT-SWAP"
    Symbol "ETH-USDT-SWAP"
    ConfirmPolls 2'
dg_wait_for 10 grep -q 'step=positions status=refused.*acctLv=4 (Portfolio margin)' \
  "$DG_TMP/a-collectd.log"
ok $? "acctLv 4: the plugin logs the refusal, naming the setting"
curl -sf -X POST -d '{"acctLv":"2"}' "$SIM_URL/sim/account" >/dev/null

ex_start
ok $? "executor starts on an acctLv 2 account"

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

# The close's reply never comes (OKX applied it): its fate is unknown, so
# the executor asks for its clOrdId (found: done), never resends.
sim_faults '[{"path":"/api/v5/trade/order","method":"POST","delay_ms":3000,"apply":true}]' >/dev/null
sim_positions '{"BTC-USDT-SWAP":"1","ETH-USDT-SWAP":"-4"}' >/dev/null
dg_wait_for 25 settled ETH-USDT-SWAP 0
ok $? "fate unknown: the exchange ends at the ledger (0 contracts)"
is "$(orders_for ETH-USDT-SWAP | jq -c '[.[] | .params | "\(.side) \(.sz)"]')" '["buy 4"]' \
  "fate unknown: one order (buy 4 contracts), never sent again"
dg_wait_for 5 yields 2 eval "ex_results_json | jq length"
grep -q 'event=order_fate_unknown plan_id=reconclose:ETH-USDT-SWAP:' "$EX_LOG"
ok $? "fate unknown: the executor logged it, then asked for the clOrdId"
is "$(ex_results_json | jq -r 'map(select(.symbol == "ETH-USDT-SWAP")) | map("\(.status) \(.executed_qty)") | join(",")')" \
  "EXECUTED 4" "fate unknown: resolved by the query as EXECUTED 4"
# driftguard-ctl check: each ledger symbol's order unit and contract value.
CTL="$top_builddir/ctl/driftguard-ctl"
sleep 2 # OKX's account configuration: 5 reads per 2 s
"$CTL" -C "$EX_CONF" check --json >"$DG_TMP/check.json" 2>"$DG_TMP/check.err"
is "$(jq -r '[.checks[] | select(.check == "order_unit") | "\(.result) \(.detail)"] | join("; ")' "$DG_TMP/check.json")" \
  "OK BTC-USDT-SWAP: unit=contracts contract_value=0.01 base coin per contract (the ledger counts contracts); OK ETH-USDT-SWAP: unit=contracts contract_value=0.1 base coin per contract (the ledger counts contracts)" \
  "ctl check: the order unit and contract value of every ledger symbol"
curl -sf -X POST -d '{"acctLv":"1"}' "$SIM_URL/sim/account" >/dev/null
sleep 2
"$CTL" -C "$EX_CONF" check --json >"$DG_TMP/check.json" 2>>"$DG_TMP/check.err"
is "$?:$(jq -r '.checks[] | select(.check == "exchange") | .result' "$DG_TMP/check.json")" "1:FAIL" \
  "ctl check: an acctLv 1 account fails the exchange check"
grep -q 'acctLv=1 (Spot mode)' "$DG_TMP/check.json"
ok $? "ctl check: the failure names acctLv and its value"
curl -sf -X POST -d '{"acctLv":"2"}' "$SIM_URL/sim/account" >/dev/null

! grep -q -e "$OKX_PASSPHRASE" -e "$DG_API_SECRET" "$DG_TMP/check.json" "$DG_TMP/check.err" "$EX_LOG" "$DG_TMP/a-collectd.log" "$DG_TMP/refused.log"
ok $? "no secret or passphrase in any log"

dg_stop_pid "$EX_PID"
! grep -E 'AddressSanitizer|LeakSanitizer|runtime error' "$EX_LOG" "$DG_TMP/refused.log"
ok $? "no sanitizer error or leak report from the executors"

dg_done
