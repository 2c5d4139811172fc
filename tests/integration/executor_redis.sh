#!/usr/bin/env bash
# Redis going away never stops the executor (SPEC section 4): it logs the
# outage once, retries with a capped backoff, recreates its consumer group
# when Redis comes back empty, and executes the next plan; SIGTERM during
# an outage still exits 0; started before Redis, it waits for it.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 60

ex_setup
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_start
ok $? "executor starts"

restart_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no --dir "$DG_TMP" --logfile "$DG_TMP/redis-again.log" &
  REDIS_PID=$!
  dg_track "$REDIS_PID"
  dg_wait_for 5 rcli ping
}

kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
dg_wait_for 5 grep -q "event=redis_down" "$EX_LOG"
ok $? "the outage is logged"
sleep 3
kill -0 "$EX_PID"
ok $? "the executor keeps running while Redis is down"
is "$(grep -c "event=redis_down" "$EX_LOG")" 1 "the outage is logged once"

restart_redis
ok $? "Redis is back (empty)"
dg_wait_for 10 grep -q "event=redis_up" "$EX_LOG"
ok $? "the recovery is logged"
dg_wait_for 10 bash -c "redis-cli -p $REDIS_PORT XINFO GROUPS $EX_PLAN_STREAM 2>/dev/null | grep -q executor"
ok $? "the consumer group is created again"
ex_hold BTCUSDT
ex_publish "$(ex_plan_json BTCUSDT 0.007)" >/dev/null
ex_wait_results 1
is "$(ex_result status)" EXECUTED "the next plan executes"

kill -KILL "$REDIS_PID"
wait "$REDIS_PID" 2>/dev/null
dg_wait_for 5 bash -c "[ \$(grep -c event=redis_down '$EX_LOG') -ge 2 ]"
kill -TERM "$EX_PID"
wait "$EX_PID"
is "$?" 0 "SIGTERM while Redis is down: exit 0"

# Started while Redis is down: waits for it instead of failing.
: >"$EX_LOG"
"$DG_EXECUTOR" -C "$EX_CONF" >>"$EX_LOG" 2>&1 &
EX_PID=$!
dg_track "$EX_PID"
dg_wait_for 5 grep -q "event=redis_down" "$EX_LOG"
ok $? "started without Redis: the outage is logged"
kill -0 "$EX_PID"
ok $? "... and the executor waits"
restart_redis
dg_wait_for 10 grep -q "event=started" "$EX_LOG"
ok $? "it starts consuming once Redis is there"
dg_done
