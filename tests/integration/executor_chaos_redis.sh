#!/usr/bin/env bash
# Redis restarted under a running driftguard-executor. With persistence
# (appendonly, fsync always) the stream, the group and the dedupe records
# survive: the executor never exits, logs the outage once and its end once,
# reconnects within its capped backoff (5 s) even after a long outage, and
# handles a plan published after the restart; a replay of a plan handled
# before the outage is still a duplicate. Without persistence (Redis comes
# back empty) it recreates the consumer group and handles the next plan.
# Redis killed at the worst moment (the order filled, its result + ACK
# script not yet run): the executor writes the result once Redis is back.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
. "$top_srcdir/tests/integration/executor_chaos_lib.sh"
dg_time_limit 120

ex_setup "Timeout 5"
rcli CONFIG SET appendonly yes >/dev/null
rcli CONFIG SET appendfsync always >/dev/null
aof_ready() { rcli INFO persistence | grep -q '^aof_rewrite_in_progress:0' &&
  rcli INFO persistence | grep -q '^aof_enabled:1' &&
  rcli INFO persistence | grep -q '^aof_rewrite_scheduled:0'; }
dg_wait_for 10 aof_ready
ok $? "Redis writes an append-only file"

# redis_restart ARGS...: a new redis-server on the same port and directory.
redis_restart() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --daemonize no \
    --dir "$DG_TMP" --logfile "$DG_TMP/redis-$REDIS_PORT.log" "$@" &
  REDIS_PID=$!
  dg_track "$REDIS_PID"
  dg_wait_for 10 rcli ping
}
alive() { kill -0 "$EX_PID" 2>/dev/null; }
# handled SYMBOL AMT NAME: publish a plan closing AMT, expect EXECUTED and
# exactly one new order for SYMBOL. Sets id and plan.
handled() {
  local orders0
  orders0=$(chaos_orders_for "$1")
  id="reconclose:$1:416d86940859:$RANDOM$RANDOM"
  plan=$(EX_PLAN_ID=$id ex_plan_json "$1" "$2")
  ex_publish "$plan" >/dev/null
  dg_wait_for 20 chaos_has_result "$id"
  ok $? "$3: the plan gets a result"
  is "$(ex_result status "$id")" EXECUTED "$3: EXECUTED"
  is "$(chaos_orders_for "$1")" $((orders0 + 1)) "$3: exactly one order for $1"
}

sim_positions "$BTC" 0.007 "$ETH" -0.5 >/dev/null
ex_hold "$BTC"
ex_hold "$ETH"
ex_start
ok $? "executor starts"
handled "$BTC" 0.007 "before the outage"
before_id=$id
before_plan=$plan

# A long outage: 14 s. Doubling from 100 ms without a cap would next try
# about 11 s after Redis is back; the 5 s cap must bring it back sooner.
dg_stop_pid "$REDIS_PID"
dg_wait_for 10 grep -q "event=redis_down" "$EX_LOG"
ok $? "the outage is logged"
for i in 1 2 3 4 5 6 7; do
  sleep 2
  alive || break
done
alive
ok $? "the executor keeps running while Redis is down (14 s)"
redis_restart --appendonly yes --appendfsync always
ok $? "Redis is back on the same port with its append-only file"
up=$(date +%s%N)
rcli XINFO GROUPS "$EX_PLAN_STREAM" | grep -qx executor
ok $? "the stream and the consumer group survived"
handled "$ETH" -0.5 "after the restart"
took=$((($(date +%s%N) - up) / 1000000))
[ "$took" -lt 9000 ]
ok $? "reconnected within the capped backoff ($took ms after Redis came back)"
is "$(chaos_log_count 'event=redis_down')" 1 "the outage is logged once"
is "$(chaos_log_count 'event=redis_up')" 1 "its end is logged once"
is "$(ex_started_count)" 1 "never restarted"
! grep -q "event=stopping" "$EX_LOG"
ok $? "never stopped"
is "$(sim_orders | jq -r --arg s "$ETH" 'map(select(.symbol == $s)) | last | .side + " " + .quantity')" \
  "BUY 0.5" "after the restart: the short is bought back"

results=$(ex_results_count)
ex_publish "$before_plan" >/dev/null
ex_wait_results $((results + 1))
is "$(ex_result status)/$(ex_result plan_id)" "DROPPED_DUPLICATE/$before_id" \
  "a plan handled before the outage is still a duplicate (dedupe record survived)"

# Redis killed while the result of a filled order waits to be written
# (writes paused, then SIGKILL): nothing of it reached the append-only file.
sim_positions "$BTC" 0.007 >/dev/null
ex_hold "$BTC"
orders0=$(sim_order_count)
id="reconclose:$BTC:416d86940859:$RANDOM$RANDOM"
chaos_hold_result "$id" "$(EX_PLAN_ID=$id ex_plan_json $BTC 0.007)"
ok $? "worst moment: the executor has the fill, its result write is held"
kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
sleep 1
redis_restart --appendonly yes --appendfsync always
ok $? "worst moment: Redis is back"
dg_wait_for 15 chaos_has_result "$id"
ok $? "worst moment: the result is written after the restart"
no_pending() { [ "$(chaos_pending)" = 0 ]; }
dg_wait_for 5 no_pending
ok $? "worst moment: the entry is ACKed"
is "$(chaos_plan_results "$id")" 1 "worst moment: exactly one result entry"
is "$(ex_result status "$id")/$(ex_result order_id "$id")" \
  "EXECUTED/$(sim_last_order_id)" "worst moment: EXECUTED with the order id"
is "$(chaos_state "$id")" final "worst moment: the record is final"
is "$(sim_order_count)" $((orders0 + 1)) "worst moment: exactly one order"
alive
ok $? "worst moment: the executor kept running"

# Redis comes back empty: the group is gone, the executor recreates it.
dg_stop_pid "$REDIS_PID"
rm -rf "$DG_TMP/appendonlydir"
redis_restart --appendonly no
ok $? "Redis is back, empty"
groups_created() { [ "$(chaos_log_count 'event=group_created')" -ge 2 ]; }
dg_wait_for 15 groups_created
ok $? "the executor recreates the consumer group"
sim_positions "$BTC" 0.003 >/dev/null
ex_hold "$BTC"
handled "$BTC" 0.003 "on the empty Redis"
alive
ok $? "still the same process"
is "$(chaos_pending)" 0 "every entry is ACKed"

kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM after the outages: exit status 0"
dg_done
