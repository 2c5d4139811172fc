#!/usr/bin/env bash
# The reconcile plugin in a real collectd against the simulator and Redis:
# a fixable drift puts the symbol on HOLD and publishes exactly one signed
# plan; exchange faults change no HOLD; the HOLD goes once the exchange
# matches the ledger again; a reply listing a symbol twice is refused.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 90

plugin_setup
avoid_bucket_edge 120 40
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
dg_start_collectd a "$(prometheus_conf)
$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 2')"

wait_until 10 'test "$(plan_count)" -ge 1'
is "$(plan_count)" 1 "a drift of 0.007 publishes one plan"
sig=$(drift_sig BTCUSDT 0.007 0)
is "$(rcli GET $HOLD)" 1 "HOLD key set"
is "$(rcli GET $HOLD_REASON)" reconcile_drift "hold_reason set"
is "$(rcli GET $HOLD_SIG)" "$sig" "hold_sig is the drift signature"
for k in $HOLD $HOLD_REASON $HOLD_SIG; do
  ttl=$(rcli TTL $k)
  [ "$ttl" -gt 880 ] && [ "$ttl" -le 900 ]
  ok $? "$k carries the 900 s lease (ttl=$ttl)"
done

plan=$(plans | head -n 1)
ts=$(printf '%s' "$plan" | jq -r .ts)
bucket=$((ts / 1000 / 120))
want="{\"plan_id\":\"reconclose:BTCUSDT:$sig:$bucket\",\"decision\":\"RECONCILE_CLOSE\",\"source\":\"p3.4\",\"reason\":\"reconcile_drift\",\"symbol\":\"BTCUSDT\",\"side\":\"SELL\",\"type\":\"MARKET\",\"reduceOnly\":true,\"qty\":\"0.007\",\"exchange_amt\":\"0.007\",\"ledger_amt\":\"0\",\"signature\":\"$sig\",\"hold_key\":\"$HOLD\",\"ts\":$ts}"
is "$plan" "$want" "the plan has SPEC section 3's exact fields"
mac=$(rcli --raw XRANGE "$STREAM" - + | awk 'prev == "mac" { print } { prev = $0 }')
want_mac=$(printf '%s' "$plan" | openssl dgst -sha256 -hmac "$PLAN_KEY" | awk '{ print $NF }')
is "$mac" "$want_mac" "the mac is HMAC-SHA256 of the plan bytes with the plan key"
cooldown="quantum:reconcile:close:cooldown:BTCUSDT:$sig:$bucket"
ttl=$(rcli TTL "$cooldown")
[ "$ttl" -gt 0 ] && [ "$ttl" -le 120 ]
ok $? "cooldown key $cooldown set with EX 120 (ttl=$ttl)"

sleep 3.5
is "$(plan_count)" 1 "the cooldown holds it to one plan across polls"
ttl=$(rcli TTL $HOLD)
[ "$ttl" -ge 897 ]
ok $? "the lease is renewed while the drift lasts (ttl=$ttl)"
is "$(getval reconcile-BTCUSDT/hold_active)" 1.000000e+00 "hold_active is 1"
is "$(getval reconcile-BTCUSDT/position-exchange)" 7.000000e-03 "position-exchange is 0.007"
is "$(getval reconcile-BTCUSDT/position-ledger)" 0.000000e+00 "position-ledger is 0"
is "$(getval reconcile-BTCUSDT/drift)" 7.000000e-03 "drift is 0.007"
errors='collectd_reconcile_poll_errors_total{reconcile="main",type="exchange",instance="dgtest"}'
for t in exchange ledger redis; do
  is "$(metric "collectd_reconcile_poll_errors_total{reconcile=\"main\",type=\"$t\",instance=\"dgtest\"}")" 0 "poll_errors $t exists at 0"
done
is "$(metric 'collectd_reconcile_close_published_total{reconcile="BTCUSDT",instance="dgtest"}')" 1 "close_published_total is 1"
w=$(getval reconcile-main/exchange_weight)
awk "BEGIN { exit !($w > 0) }"
ok $? "exchange_weight is published ($w)"

# The exchange fails (three 500s, then three timeouts) while its position has
# gone flat: a failed poll must not be taken for "no drift".
sim_faults '[{"path":"/fapi/v3/positionRisk","status":500,"count":3},
             {"path":"/fapi/v3/positionRisk","delay_ms":2500,"count":3}]' >/dev/null
sim_positions '{"BTCUSDT":"0"}' >/dev/null
sleep 2.5
is "$(rcli GET $HOLD_SIG)" "$sig" "HOLD unchanged during 500s"
sleep 2
is "$(rcli GET $HOLD)" 1 "HOLD unchanged during timeouts"
wait_until 5 'test "$(metric "$errors")" = 6'
is "$(metric "$errors")" 6 "poll_errors counts each failed poll"

wait_until 15 'test "$(rcli EXISTS $HOLD)" = 0'
is "$(rcli EXISTS $HOLD $HOLD_REASON $HOLD_SIG)" 0 "drift gone: the three HOLD keys are released"
wait_until 3 'test "$(getval reconcile-BTCUSDT/hold_active)" = 0.000000e+00'
is "$(getval reconcile-BTCUSDT/hold_active)" 0.000000e+00 "hold_active back to 0"
is "$(plan_count)" 1 "no further plan"
is "$(collectd_log a | grep -c 'source=exchange poll failed')" 1 "the exchange error is logged once, not per poll"
is "$(collectd_log a | grep -c 'source=exchange recovered')" 1 "its recovery is logged once"
collectd_log a | grep -q 'severity = OKAY.*plugin_instance = BTCUSDT'
ok $? "an OKAY notification reports the release"

# A reply that lists BTCUSDT twice, once flat, once with 0.007 (the ledger
# says 0): the whole reply is refused, never read as a drift.
twice='[{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"0"},{"symbol":"BTCUSDT","positionSide":"BOTH","positionAmt":"0.007"}]'
sim_faults "$(jq -cn --arg b "$twice" '[{path: "/fapi/v3/positionRisk", status: 200, body: $b, count: 4}]')" >/dev/null
wait_until 8 'test "$(curl -sf "$SIM_URL/sim/faults" | jq length)" = 0'
sleep 1.2
is "$(rcli EXISTS $HOLD)" 0 "a symbol listed twice (one row flat) sets no HOLD"
is "$(plan_count)" 1 "and publishes no plan"
collectd_log a | grep -q 'positionRisk: BTCUSDT listed twice'
ok $? "the refused reply is logged"
dg_done
