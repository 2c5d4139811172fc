#!/usr/bin/env bash
# Secrets stay out of core dumps. collectd cannot be made undumpable by a
# plugin: the reconcile plugin keeps the API key and secret, the plan key
# and the Redis password on pages marked MADV_DONTDUMP, so a core of a
# polling collectd (SIGABRT, a kernel core) holds none of them. driftguard-executor makes
# itself undumpable: a SIGABRT leaves no core where a shell's does.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 120

REDIS_PW="dgRedisPw-$RANDOM-0123456789"
dg_start_redis --requirepass "$REDIS_PW"
dg_start_sim
PLUGIN_KEYFILE="$DG_TMP/plugin-readonly.key"
dg_keyfile "$PLUGIN_KEYFILE" "$DG_API_KEY" "$DG_API_SECRET"
PLAN_KEYFILE="$DG_TMP/plan.key"
(umask 077 && printf '%s\n' "$PLAN_KEY" >"$PLAN_KEYFILE")
(umask 077 && printf '%s\n' "$REDIS_PW" >"$DG_TMP/redis.pass")
redis-cli -p "$REDIS_PORT" -a "$REDIS_PW" --no-auth-warning \
  HSET corecheck:ledger:BTCUSDT position_amt 0 >/dev/null # a lost fill
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null

# --- the plugin, inside collectd ----------------------------------------------
# A process that may dump leaves a core in its working directory here:
# else this machine writes no such cores and the checks prove nothing.
ulimit -c unlimited 2>/dev/null
mkdir -p "$DG_TMP/cores/sh" "$DG_TMP/cores/ex"
(cd "$DG_TMP/cores/sh" && sh -c 'kill -ABRT $$') 2>/dev/null
ls "$DG_TMP/cores/sh" | grep -q '^core' ||
  skip_all "no core files on this machine (core_pattern $(cat /proc/sys/kernel/core_pattern), ulimit -c $(ulimit -c))"

DG_COLLECTD_ASAN_OPTIONS="disable_coredump=0" \
  dg_start_collectd a "$(plugin_conf '    Symbol "BTCUSDT"
    KeyPrefix "corecheck"
    RedisPasswordFile "'"$DG_TMP/redis.pass"'"')"
# Polled, signed requests and a signed plan published (the drift).
polled() { redis-cli -p "$REDIS_PORT" -a "$REDIS_PW" --no-auth-warning XLEN corecheck:stream:reconcile.close | grep -qx '[1-9][0-9]*'; }
dg_wait_for 20 polled
ok $? "the plugin polls, signs and publishes a signed plan"
# collectd's working directory is its BaseDir, DG_TMP.
kill -ABRT "$COLLECTD_PID"
wait "$COLLECTD_PID" 2>/dev/null
core=$(ls -d "$DG_TMP"/core* 2>/dev/null | head -n 1)
[ -n "$core" ] && [ -s "$core" ]
ok $? "SIGABRT: collectd dumped a core ($(du -h "$core" 2>/dev/null | cut -f1))"
in_core() { grep -a -c -F -- "$1" "$core"; }
[ "$(in_core "corecheck:stream:reconcile.close")" -gt 0 ]
ok $? "the core holds the plugin's memory (its stream key)"
is "$(in_core "$DG_API_SECRET")" 0 "the API secret is not in the core"
is "$(in_core "$PLAN_KEY")" 0 "the plan key is not in the core"
is "$(in_core "$REDIS_PW")" 0 "the Redis password is not in the core"
rm -f "$core"

# --- the executor -------------------------------------------------------------
ex_setup "RedisPasswordFile \"$DG_TMP/redis.pass\""
(cd "$DG_TMP/cores/ex" &&
  ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}disable_coredump=0" \
    exec "$DG_EXECUTOR" -C "$EX_CONF") >>"$EX_LOG" 2>&1 &
EX_PID=$!
dg_track "$EX_PID"
dg_wait_for 10 grep -q "event=started" "$EX_LOG"
ok $? "the executor runs"
kill -ABRT "$EX_PID"
wait "$EX_PID"
is "$?" 134 "SIGABRT ends it"
is "$(ls "$DG_TMP/cores/ex" | grep -c '^core')" 0 "and leaves no core file: it is not dumpable"
dg_done
