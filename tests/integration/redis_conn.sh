#!/usr/bin/env bash
# redis_conn.sh - lib/redis.c and lib/ban.c against a real redis-server with
# a password: AUTH from a password file, a wrong password's message, SELECT,
# reconnect after a server restart, a bounded reply timeout, unix sockets,
# pipelining, and the shared exchange ban.
. "$top_srcdir/tests/harness.sh"
dg_time_limit 30

PROBE="$top_builddir/tests/unit/redis_probe"
PASS="s3cret-redis-pass"
SOCK="$DG_TMP/redis.sock"
REDIS_ARGS=(--requirepass "$PASS" --enable-debug-command local
  --unixsocket "$SOCK" --unixsocketperm 700)
dg_start_redis "${REDIS_ARGS[@]}"
R() { redis-cli -p "$REDIS_PORT" -a "$PASS" --no-auth-warning "$@"; }

(umask 077 && printf '%s\n' "$PASS" >"$DG_TMP/redis.pass")
(umask 077 && printf 'wrong-pass\n' >"$DG_TMP/wrong.pass")
TCP="redis://127.0.0.1:$REDIS_PORT"

# probe ARGS...: run the probe; its output in $OUT
probe() { OUT=$("$PROBE" "$@" 2>&1); }

# --- AUTH and SELECT ---------------------------------------------------------
R -n 3 set dg:db three >/dev/null
probe -P "$DG_TMP/redis.pass" "$TCP/3" connect "cmd:GET dg:db"
echo "$OUT" | grep -q '^connect ok'
ok $? "connects with the password file"
echo "$OUT" | grep -q '^reply three '
ok $? "SELECT 3 from the URL: reads db 3's key"

probe "redis://:$PASS@127.0.0.1:$REDIS_PORT/3" "cmd:GET dg:db"
echo "$OUT" | grep -q '^reply three '
ok $? "password from the URL works too"

probe -P "$DG_TMP/wrong.pass" "redis://:$PASS@127.0.0.1:$REDIS_PORT/0" connect
echo "$OUT" | grep -q '^connect error: .*AUTH refused: WRONGPASS.*(check the password in RedisPasswordFile'
ok $? "the password file overrides the URL's; a wrong one is a clear error naming RedisPasswordFile"
echo "$OUT" | grep -q -e "$PASS" -e wrong-pass
ok $((!$?)) "the error does not echo a password"
diag "$OUT"

probe "$TCP/0" connect
echo "$OUT" | grep -q '^connect error: .*NOAUTH.*RedisPasswordFile'
ok $? "no password: the connect fails, naming RedisPasswordFile"

R acl setuser dgacl on '>acl-pass' '~*' '+@all' >/dev/null
probe "redis://dgacl:acl-pass@127.0.0.1:$REDIS_PORT/0" "cmd:ACL WHOAMI"
echo "$OUT" | grep -q '^reply dgacl '
ok $? "ACL user from the URL: AUTH user pass"

probe -P "$DG_TMP/redis.pass" "unix://$SOCK?db=3" "cmd:GET dg:db"
echo "$OUT" | grep -q '^reply three '
ok $? "unix socket URL with ?db=3"

probe -P "$DG_TMP/redis.pass" "$TCP/0" "cmd:DEL dg:n" "pipeline:INCR dg:n"
echo "$OUT" | grep -q '^pipeline 1,2,3 '
ok $? "pipeline: three commands, three replies in order"

# --- Lua scripts by SHA1 ----------------------------------------------------------
R del dg:ev >/dev/null
R config resetstat >/dev/null
probe -P "$DG_TMP/redis.pass" "$TCP/0" "eval:dg:ev" "eval:dg:ev" "cmd:SCRIPT FLUSH" "eval:dg:ev"
is "$(echo "$OUT" | grep -c '^reply [123] ')" 3 "a script runs by its SHA1, also after SCRIPT FLUSH"
calls() { R info commandstats | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p"; }
is "$(calls evalsha)/$(calls eval)" "3/2" \
  "EVALSHA every time, the text (EVAL) only when Redis lacks it: the SHA1 is Redis's own"
diag "$OUT"

# --- reply timeout -------------------------------------------------------------
R debug sleep 3 >/dev/null &
sleeper=$!
sleep 0.3
probe -t 500 -P "$DG_TMP/redis.pass" "$TCP/0" connect
diag "$OUT"
echo "$OUT" | grep -q '^connect error: .*no reply within 500 ms'
ok $? "a silent server: error after the reply timeout"
ms=$(echo "$OUT" | sed -n 's/.*(\([0-9]*\) ms)$/\1/p')
[ -n "$ms" ] && [ "$ms" -lt 1200 ]
ok $? "the 500 ms reply timeout bounds the call (took ${ms:-?} ms)"
wait "$sleeper"

touch_go() { : >"$DG_TMP/$1"; }
"$PROBE" -t 500 -P "$DG_TMP/redis.pass" "$TCP/0" "cmd:PING" \
  "wait:$DG_TMP/go1" "cmd:PING" "wait:$DG_TMP/go1b" "cmd:PING" \
  >"$DG_TMP/probe1.out" 2>&1 &
probe_pid=$!
dg_wait_for 5 grep -q PONG "$DG_TMP/probe1.out"
R debug sleep 2 >/dev/null &
sleeper=$!
sleep 0.3
touch_go go1
wait "$sleeper"
touch_go go1b
wait "$probe_pid"
OUT=$(cat "$DG_TMP/probe1.out")
diag "$OUT"
[ "$(echo "$OUT" | sed -n 3p | grep -c '^error: .*no reply within 500 ms')" = 1 ]
ok $? "a connected client: a stalled command fails after the reply timeout"
echo "$OUT" | sed -n 5p | grep -q '^reply PONG'
ok $? "once the server answers again, the next command reconnects"

# --- reconnect after a restart on the same port --------------------------------
"$PROBE" -P "$DG_TMP/redis.pass" "$TCP/0" "cmd:SET dg:k before" \
  "wait:$DG_TMP/go2" "cmd:PING" "cmd:PING" "cmd:GET dg:k" \
  >"$DG_TMP/probe2.out" 2>&1 &
probe_pid=$!
dg_wait_for 5 grep -q OK "$DG_TMP/probe2.out"
dg_stop_pid "$REDIS_PID"
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
  --daemonize no --dir "$DG_TMP" --logfile "$DG_TMP/redis-restart.log" \
  "${REDIS_ARGS[@]}" &
REDIS_PID=$!
dg_track "$REDIS_PID"
dg_wait_for 5 R ping
ok $? "redis restarted on the same port"
touch_go go2
wait "$probe_pid"
OUT=$(cat "$DG_TMP/probe2.out")
diag "$OUT"
echo "$OUT" | sed -n 3,4p | grep -q '^reply PONG'
ok $? "after the restart the client reconnects (with AUTH) by itself"
echo "$OUT" | sed -n 5p | grep -q '^reply nil'
ok $? "it talks to the new server (the old key is gone)"

# --- the shared exchange ban -----------------------------------------------------
NOW=1769384000000
ban() { probe -P "$DG_TMP/redis.pass" "$TCP/0" "$@"; }
ban "ban-check:dgt:$NOW"
echo "$OUT" | grep -q '^ban-check 0 '
ok $? "no ban key: not banned"
ban "ban-store:dgt:$((NOW + 60000)):$NOW" "ban-check:dgt:$NOW"
echo "$OUT" | grep -q "^ban-check 1 $((NOW + 60000)) "
ok $? "stored ban is seen with its end time"
is "$(R get dgt:exchange:ban_until)" "$((NOW + 60000))" \
  "the key is P:exchange:ban_until holding the ms epoch"
ttl=$(R pttl dgt:exchange:ban_until)
[ "$ttl" -gt 55000 ] && [ "$ttl" -le 60000 ]
ok $? "its TTL runs to the ban's end (pttl $ttl)"
ban "ban-store:dgt:$((NOW + 10000)):$NOW"
is "$(R get dgt:exchange:ban_until)" "$((NOW + 60000))" \
  "a shorter ban never shortens the stored one"
ban "ban-store:dgt:$((NOW + 90000)):$NOW"
is "$(R get dgt:exchange:ban_until)" "$((NOW + 90000))" \
  "a longer ban extends it"
ban "ban-check:dgt:$((NOW + 90000))"
echo "$OUT" | grep -q '^ban-check 0 '
ok $? "a ban that has ended is not a ban"
R set dgt:exchange:ban_until 'garbage!' >/dev/null
ban "ban-check:dgt:$NOW"
echo "$OUT" | grep -q "^ban-check 1 $((NOW + 60000)) "
ok $? "a malformed value counts as a 60 s ban"
echo "$OUT" | grep -q '^ban-check 1 [0-9]* err=".*malformed value'
ok $? "and the library says so to its caller"
R set dgt:exchange:ban_until 'garbage!' >/dev/null
ERR=$("$PROBE" -P "$DG_TMP/redis.pass" "$TCP/0" "ban-check:dgt:$NOW" 2>&1 >/dev/null)
is "$ERR" "" "the library itself writes nothing to stderr (inside collectd the caller logs)"
is "$(R get dgt:exchange:ban_until)" "$((NOW + 60000))" \
  "the malformed value is replaced by that ban, so it expires by itself"
[ "$(R pttl dgt:exchange:ban_until)" -gt 0 ]
ok $? "the replacement has a TTL"

R del dgt:exchange:ban_until >/dev/null
R hset dgt:exchange:ban_until a b >/dev/null
ban "ban-check:dgt:$NOW"
echo "$OUT" | grep -q "^ban-check 1 $((NOW + 60000)) "
ok $? "a ban key of the wrong type counts as a 60 s ban"
is "$(R get dgt:exchange:ban_until)" "$((NOW + 60000))" \
  "and is replaced by a proper one"

ban "cmd:HGET dgt:exchange:ban_until x" "cmd:PING"
echo "$OUT" | sed -n 1p | grep -q '^replyerror WRONGTYPE'
ok $? "an error reply is returned to the caller"
echo "$OUT" | sed -n 2p | grep -q '^reply PONG'
ok $? "an error reply keeps the connection"

dg_stop_pid "$REDIS_PID"
ban "ban-check:dgt:$NOW"
echo "$OUT" | grep -q '^ban-check -1 '
ok $? "Redis down: ban check reports an error (-1)"

dg_done
