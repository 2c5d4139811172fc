#!/usr/bin/env bash
# SIGTERM (and SIGINT) to driftguard-executor: idle, it exits 0 at once;
# with a plan in hand (the position read or the order request in flight)
# it finishes that plan (result, final record, ACK) and then exits 0; plans
# delivered in the same batch but not started stay pending and are handled
# by the next start; a plan waiting out an ambiguous order's recvWindow is
# left pending (not finished blind) and the next start resolves it with no
# second order.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 120

# ClaimIdle 4: a restart under the same name waits less for the previous
# process's consumer lease.
ex_setup "Timeout 10
ClaimIdle 4"

# stop_with SIGNAL: send it, wait for the exit; sets rc and took (ms).
stop_with() {
  local t0
  t0=$(date +%s%N)
  kill "-$1" "$EX_PID"
  wait "$EX_PID"
  rc=$?
  took=$((($(date +%s%N) - t0) / 1000000))
}
# plan_for SYMBOL AMT: a held symbol at AMT and its plan (not published);
# sets id and plan.
plan_for() {
  sim_positions "{\"$1\":\"$2\"}" >/dev/null
  ex_hold "$1"
  id="reconclose:$1:416d86940859:$RANDOM$RANDOM"
  plan=$(EX_PLAN_ID=$id ex_plan_json "$1" "$2")
}
finished() {
  is "$(chaos_plan_results "$id")" 1 "$1: one result entry"
  is "$(ex_result status "$id")" EXECUTED "$1: the plan in hand is EXECUTED"
  is "$(chaos_state "$id")" final "$1: its dedupe record is final"
  is "$(chaos_orders_for "$2")" 1 "$1: exactly one order for $2"
}

# Idle.
ex_start
ok $? "executor starts"
stop_with TERM
is "$rc" 0 "idle SIGTERM: exit status 0"
[ "$took" -lt 3000 ]
ok $? "idle SIGTERM: exits at once ($took ms)"
chaos_restart
stop_with INT
is "$rc" 0 "idle SIGINT: exit status 0"

# The fresh position read in flight.
chaos_restart
plan_for "$BTC" 0.007
sim_faults "[$(fault_at positions '{"delay_ms":2000,"apply":true}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 10 chaos_state_is "$id" claimed && dg_wait_for 10 chaos_faults_taken
ok $? "position read in flight"
stop_with TERM
is "$rc" 0 "SIGTERM during the position read: exit status 0"
finished "SIGTERM during the position read" "$BTC"
is "$(chaos_pending)" 0 "SIGTERM during the position read: the entry is ACKed"

# The order request in flight, another plan delivered in the same batch.
sim_positions "$BTC" 0.007 "$ETH" -0.5 >/dev/null
ex_hold "$BTC"
ex_hold "$ETH"
chaos_restart
orders0=$(sim_order_count)
id="reconclose:$BTC:416d86940859:$RANDOM$RANDOM"
sim_faults "[$(fault_at order '{"delay_ms":2000,"apply":true}')]" >/dev/null
eth="reconclose:$ETH:416d86940859:$RANDOM$RANDOM"
# Both entries in one XREADGROUP batch: publish them atomically.
p1=$(EX_PLAN_ID=$id ex_plan_json "$BTC" 0.007)
p2=$(EX_PLAN_ID=$eth ex_plan_json "$ETH" -0.5)
rcli EVAL "redis.call('XADD', KEYS[1], '*', 'plan', ARGV[1], 'mac', ARGV[2])
  redis.call('XADD', KEYS[1], '*', 'plan', ARGV[3], 'mac', ARGV[4])" 1 "$EX_PLAN_STREAM" \
  "$p1" "$(ex_mac "$p1")" "$p2" "$(ex_mac "$p2")" >/dev/null
dg_wait_for 10 chaos_order_count_is $((orders0 + 1))
ok $? "order request in flight"
stop_with TERM
is "$rc" 0 "SIGTERM during the order request: exit status 0"
is "$(chaos_plan_results "$id")" 1 "SIGTERM during the order request: one result entry"
is "$(ex_result status "$id")" EXECUTED "SIGTERM during the order request: the plan in hand is EXECUTED"
is "$(chaos_state "$id")" final "SIGTERM during the order request: its dedupe record is final"
is "$(chaos_orders_for $BTC)" 2 "SIGTERM during the order request: one more $BTC order, no other"
is "$(chaos_plan_results "$eth")" 0 "the plan not yet started has no result"
is "$(chaos_pending)" 1 "... and stays pending"
is "$(chaos_orders_for $ETH)" 0 "... and sent nothing"
chaos_restart
dg_wait_for 15 chaos_has_result "$eth"
is "$(ex_result status "$eth")" EXECUTED "the next start handles the pending plan"
is "$(chaos_orders_for $ETH)" 1 "... with exactly one order"
is "$(chaos_pending)" 0 "... and ACKs it"

# An ambiguous order waiting out its recvWindow: stop now, resolve later.
plan_for "$BTC" 0.007
orders0=$(sim_order_count)
sim_faults "[$(fault_at order '{"status":503}')]" >/dev/null
ex_publish "$plan" >/dev/null
dg_wait_for 10 grep -q "event=resolve_wait plan_id=$id" "$EX_LOG"
ok $? "an ambiguous order: waiting out the recvWindow"
stop_with TERM
is "$rc" 0 "SIGTERM during the resolve wait: exit status 0"
[ "$took" -lt 3000 ]
ok $? "SIGTERM during the resolve wait: exits at once ($took ms)"
is "$(chaos_plan_results "$id")" 0 "SIGTERM during the resolve wait: no blind result"
is "$(chaos_state "$id")" submitted "SIGTERM during the resolve wait: record stays submitted"
chaos_restart
dg_wait_for 20 chaos_has_result "$id"
is "$(ex_result status "$id")" EXECUTED "the next start resolves it: EXECUTED"
is "$(sim_order_count)" $((orders0 + 1)) "... with exactly one order"
is "$(chaos_pending)" 0 "... and ACKs it"
stop_with TERM
is "$rc" 0 "final SIGTERM: exit status 0"
dg_done
