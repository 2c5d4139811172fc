#!/usr/bin/env bash
# Two collectd instances watching the same account race on every poll:
# the HOLD + cooldown + XADD script is atomic, so one plan is published.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

plugin_setup
avoid_bucket_edge 3600 30
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"-0.02"}' >/dev/null
conf=$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 1
    Cooldown 3600')
dg_start_collectd a "$conf"
SOCK_A=$COLLECTD_SOCK
dg_start_collectd b "$conf"
SOCK_B=$COLLECTD_SOCK

wait_until 10 'test "$(plan_count)" -ge 1'
sleep 4
is "$(plan_count)" 1 "two instances publish one plan"
is "$(plans | jq -r '.side + " " + .qty')" "BUY 0.02" "the plan closes the short: BUY 0.02"
pub=$(cat "$DG_TMP/a-collectd.log" "$DG_TMP/b-collectd.log" | grep -c 'published plan_id=')
is "$pub" 1 "exactly one instance won the cooldown"
is "$(rcli GET $HOLD_SIG)" "$(drift_sig BTCUSDT -0.02 0)" "both hold the same signature"
for s in "$SOCK_A" "$SOCK_B"; do
  is "$(cd_getval "$s" dgtest/reconcile-BTCUSDT/hold_active | sed -n 's/^value=//p')" 1.000000e+00 \
    "hold_active is 1 on $(basename "$s")"
done

# The drift goes: whichever instance polls first releases; the other
# finds nothing to release and reports no HOLD either.
sim_positions '{"BTCUSDT":"0"}' >/dev/null
wait_until 5 'test "$(rcli EXISTS $HOLD)" = 0'
is "$(rcli EXISTS $HOLD $HOLD_REASON $HOLD_SIG)" 0 "HOLD released"
sleep 2
for s in "$SOCK_A" "$SOCK_B"; do
  is "$(cd_getval "$s" dgtest/reconcile-BTCUSDT/hold_active | sed -n 's/^value=//p')" 0.000000e+00 \
    "hold_active is 0 on $(basename "$s")"
done
is "$(plan_count)" 1 "still one plan"
dg_done
