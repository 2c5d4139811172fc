#!/usr/bin/env bash
# After publishing a plan the plugin polls again within a fraction of a
# second, so the HOLD goes as soon as the drift is closed instead of one
# Interval (5 s here) later; and it does so without holding one of
# collectd's shared read threads: with ReadThreads 1, another account
# keeps polling every second while the first re-polls.
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
dg_stop_pid "$COLLECTD_PID"

# One read thread, two accounts: "slow" (Interval 5) keeps re-polling a drift
# nobody closes; "other" (Interval 1, its own simulator) must not wait.
MAIN_SIM_URL=$SIM_URL
dg_start_sim
OTHER_SIM_URL=$SIM_URL
SIM_URL=$MAIN_SIM_URL
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
other_account=$(SIM_URL=$OTHER_SIM_URL plugin_conf '    Symbol "ETHUSDT"
    KeyPrefix "other"' | sed -n '/<Account/,/<\/Account>/p' | sed 's/<Account "main">/<Account "other">/')
dg_start_collectd b "ReadThreads 1
$(plugin_conf '    Symbol "BTCUSDT"
    ConfirmPolls 1
    KeyPrefix "slow"
    LedgerKey "quantum:ledger:{symbol}"
    Cooldown 3600' | sed 's/Interval 1/Interval 5/; /^<\/Plugin>/d')
$other_account
</Plugin>"
other_polls() { curl -sf "$OTHER_SIM_URL/sim/stats" | jq -r '.paths["/fapi/v3/positionRisk"] // 0'; }
slow_polls() { grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log"; }
wait_until 15 'test "$(rcli XLEN slow:stream:reconcile.close)" = 1'
ok $? "slow: plan published, the drift stays (no executor): it re-polls"
before=$(other_polls) all_before=$(slow_polls)
sleep 4
after=$(other_polls) all_after=$(slow_polls)
[ $((after - before)) -ge 2 ]
ok $? "other: polled $((after - before)) times in 4 s while slow re-polled, on one read thread"
slow=$((all_after - all_before - (after - before)))
[ "$slow" -ge 6 ]
ok $? "slow: re-polled $slow times in those 4 s (every 250 ms)"
dg_done
