#!/usr/bin/env bash
# After publishing a plan the plugin polls again within a fraction of a
# second, so the HOLD goes as soon as the drift is closed instead of one
# Interval (5 s here) later.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 60

plugin_setup
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
avoid_bucket_edge 3600 30
dg_start_collectd a "$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 1
    Cooldown 3600' | sed 's/Interval 1/Interval 5/')"
wait_until 10 'test "$(plan_count)" = 1'
ok $? "plan published"
# Play the executor: close the position.
sim_positions '{"BTCUSDT":"0"}' >/dev/null
start=$(date +%s%3N)
wait_until 3 'test "$(rcli EXISTS $HOLD)" = 0'
ok $? "the HOLD is released without waiting for the next Interval ($(($(date +%s%3N) - start)) ms)"
n=$(grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log")
sleep 2
is "$(grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log")" "$n" "quick re-polls stop once the drift is gone"
dg_done
