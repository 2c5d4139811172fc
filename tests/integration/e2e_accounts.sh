#!/usr/bin/env bash
# Two exchange accounts, one collectd: <Account "main"> (KeyPrefix quantum)
# and <Account "alt"> (KeyPrefix alt) on two exchanges, one executor per
# account. The same symbol drifts on both: each account closes its own
# drift on its own exchange, with its own HOLD, plan stream and ledger, and
# never touches the other's.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 60

avoid_bucket_edge 120 30
e2e_setup
e2e_restart_sim $(sim_listed "$BTC")
MAIN_SIM_URL=$SIM_URL MAIN_SIM_PID=$SIM_PID
dg_start_sim $(sim_listed "$BTC")
ALT_SIM_URL=$SIM_URL
SIM_URL=$MAIN_SIM_URL SIM_PID=$MAIN_SIM_PID

ex_start
ok $? "executor of account main starts"
e2e_start_executor exec-alt "URL \"$ALT_SIM_URL\"
KeyPrefix \"alt\"
Hostname \"dgtest-alt\""
ok $? "executor of account alt starts"

# plugin_conf's <Account "main"> block, made into account "alt".
alt_account=$(SIM_URL=$ALT_SIM_URL plugin_conf "$(symbol_lines BTC)
    ConfirmPolls 1
    KeyPrefix \"alt\"" | sed -n '/<Account/,/<\/Account>/p' | sed 's/<Account "main">/<Account "alt">/')
e2e_start_collectd_conf a "$(plugin_conf "$(symbol_lines BTC)
    ConfirmPolls 1" | sed '/^<\/Plugin>/d')
$alt_account
</Plugin>"

ledger "$BTC" 0
rcli HSET alt:ledger:$BTC position_amt 0 >/dev/null
sim_positions "$BTC" 0.007 >/dev/null
SIM_URL=$ALT_SIM_URL sim_positions "$BTC" -0.5 >/dev/null
dg_wait_for 15 settled "$BTC" 0
ok $? "account main: drift closed, HOLD released"
dg_wait_for 15 yields 0 rcli EXISTS alt:reconcile:hold:$BTC
ok $? "account alt: HOLD released"
is "$(SIM_URL=$ALT_SIM_URL sim_position $BTC)" 0 "account alt: drift closed"
is "$(sim_orders | jq -r 'map(.side + " " + .quantity) | join(",")')" "SELL 0.007" \
  "exchange of main: exactly its own order"
is "$(SIM_URL=$ALT_SIM_URL sim_orders | jq -r 'map(.side + " " + .quantity) | join(",")')" "BUY 0.5" \
  "exchange of alt: exactly its own order"
is "$(rcli XLEN quantum:stream:reconcile.close)/$(rcli XLEN alt:stream:reconcile.close)" 1/1 \
  "one plan in each account's stream"
is "$(EX_RESULT_STREAM=alt:stream:reconcile.close.result ex_result status)" EXECUTED \
  "account alt's executor executed its plan"
is "$(ex_result status)" EXECUTED "account main's executor executed its plan"
grep -q "account=alt published plan_id=reconclose:$BTC:.* side=BUY exchange_amt=-0.5" \
  "$DG_TMP/a-collectd.log"
ok $? "the plugin logs the plan under account alt"
dg_done
