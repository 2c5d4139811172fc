#!/usr/bin/env bash
# redis_sentinel.sh - lib/redis.c with a redis-sentinel:// RedisURL against
# real redis-server and redis-sentinel processes: the master found through
# any sentinel that answers (dead ones skipped), a clear error when none
# does or none knows the name, ROLE refusing a "master" that is a replica,
# and after SENTINEL FAILOVER the next write going to the promoted master,
# never to the demoted one.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/sentinel_lib.sh"
dg_time_limit 60

PROBE="$top_builddir/tests/unit/redis_probe"
probe() { OUT=$("$PROBE" -t 1000 "$@" 2>&1); }
yields_get() { [ "$(redis-cli -p "$1" GET "$2")" = "$3" ]; }

sl_start
read -r S1 S2 S3 <<<"$SENTINEL_PORTS"
DEAD=$(dg_free_port)

# --- discovery ----------------------------------------------------------------
probe "$REDIS_URL" connect endpoint "cmd:SET dg:k one"
echo "$OUT" | grep -q '^connect ok' && echo "$OUT" | grep -q '^reply OK'
ok $? "connects to the master through the sentinels and writes"
echo "$OUT" | grep -q "^endpoint redis master 'dgmaster' at 127.0.0.1:$MASTER_PORT "
ok $? "the endpoint names the master found"
is "$(redis-cli -p "$REPLICA_PORT" GET dg:k)" one "the write replicated: it went to the master"

probe "redis-sentinel://127.0.0.1:$DEAD,127.0.0.1:$S2/0#$SL_NAME" connect
echo "$OUT" | grep -q '^connect ok'
ok $? "a dead sentinel first in the list is skipped"

probe "redis-sentinel://127.0.0.1:$DEAD/0#$SL_NAME" connect
echo "$OUT" | grep -q "^connect error: no sentinel answered for master 'dgmaster': sentinel 127.0.0.1:$DEAD: connect: "
ok $? "no sentinel answers: a clear error naming each sentinel"
diag "$OUT"

probe "redis-sentinel://127.0.0.1:$S1,127.0.0.1:$S2/0#nosuch" connect
echo "$OUT" | grep -q "does not monitor a master named 'nosuch'"
ok $? "an unknown master name is a clear error"

# A sentinel that still names a node that is a replica now: ROLE refuses it.
STALE=$(dg_free_port)
cat >"$DG_TMP/stale.conf" <<CONF
port $STALE
bind 127.0.0.1
dir $DG_TMP
logfile $DG_TMP/sentinel-stale.log
sentinel monitor stale 127.0.0.1 $REPLICA_PORT 1
sentinel down-after-milliseconds stale 60000
CONF
redis-sentinel "$DG_TMP/stale.conf" </dev/null >/dev/null 2>&1 &
dg_track $!
dg_wait_for 5 redis-cli -p "$STALE" ping || bail "stale sentinel did not start"
probe "redis-sentinel://127.0.0.1:$STALE/0#stale" connect "cmd:SET dg:stale x"
echo "$OUT" | grep -q "^connect error: redis master 'stale' at 127.0.0.1:$REPLICA_PORT: ROLE is slave: not the master"
ok $? "ROLE: a node the sentinel names but that is a replica is refused"
echo "$OUT" | grep -q '^reply OK'
ok $((!$?)) "and nothing is written to it"
diag "$OUT"

# A sentinel with a password asks for it (NOAUTH): it gets the URL's, and
# a wrong one is a clear error that does not echo it.
PWS=$(dg_free_port)
cat >"$DG_TMP/pw.conf" <<CONF
port $PWS
bind 127.0.0.1
dir $DG_TMP
logfile $DG_TMP/sentinel-pw.log
requirepass "sentinel-secret"
sentinel monitor pwcheck 127.0.0.1 $MASTER_PORT 1
sentinel down-after-milliseconds pwcheck 60000
CONF
redis-sentinel "$DG_TMP/pw.conf" </dev/null >/dev/null 2>&1 &
dg_track $!
dg_wait_for 5 redis-cli -p "$PWS" -a sentinel-secret --no-auth-warning ping || bail "password sentinel did not start"
probe "redis-sentinel://:wrong-secret@127.0.0.1:$PWS/0#pwcheck" connect
echo "$OUT" | grep -q "^connect error: no sentinel answered for master 'pwcheck': sentinel 127.0.0.1:$PWS: refused: WRONGPASS"
ok $? "a sentinel refusing the password: a clear error"
echo "$OUT" | grep -q wrong-secret
ok $((!$?)) "that does not echo the password"
diag "$OUT"

# --- SENTINEL FAILOVER under a connected client -------------------------------
# Sentinel tells a live old master it is a replica only when its next INFO
# (up to 10 s later) shows it still acting as master; until then it takes
# writes the failover has already lost. The client must leave it on the
# sentinels' announcement, not wait for that.
OLD=$MASTER_PORT
"$PROBE" -t 1000 "$REDIS_URL" "cmd:SET dg:f before" "wait:$DG_TMP/failed-over" \
  "cmd:SET dg:f after" endpoint >"$DG_TMP/probe.out" 2>&1 &
dg_track $!
dg_wait_for 5 grep -q '^reply OK' "$DG_TMP/probe.out"
redis-cli -p "$S1" SENTINEL FAILOVER "$SL_NAME" >/dev/null
dg_wait_for 20 sl_promoted "$OLD"
ok $? "SENTINEL FAILOVER promoted the replica"
NEW=$(sl_master_port)
OLD_ROLE=$(sl_role "$OLD")
touch "$DG_TMP/failed-over"
dg_wait_for 10 grep -q '^endpoint' "$DG_TMP/probe.out"
OUT=$(cat "$DG_TMP/probe.out")
diag "$OUT"
diag "the old master's role when the client wrote: $OLD_ROLE"
echo "$OUT" | grep -q "^endpoint redis master 'dgmaster' at 127.0.0.1:$NEW "
ok $? "the client moved to the promoted master ($NEW)"
is "$(echo "$OUT" | grep -c '^reply OK')" 2 "both writes accepted, none failed"
is "$(redis-cli -p "$NEW" GET dg:f)" after "the write after the failover is on the promoted master"
dg_wait_for 20 sl_role_is "$OLD" slave
ok $? "the old master is a replica now"
dg_wait_for 10 yields_get "$OLD" dg:f after
ok $? "and holds what the promoted master has: no write of its own survived"

dg_done
