#!/usr/bin/env bash
# driftguard-ctl check: every check OK on a good set-up (Redis with AOF and
# a replica), and a FAIL line and exit code 1 for each thing an operator
# must fix (key file readable by others, hedge mode, Redis down, exchange
# ban, fewer replicas than RedisMinReplicas), a WARN for what weakens the
# guarantees (no replica, AOF off); config and usage errors exit 2.
. "$top_srcdir/tests/integration/ctl_lib.sh"
dg_time_limit 90
ctl_setup --appendonly yes
REPLICA_PORT=$(dg_free_port)
redis-server --port "$REPLICA_PORT" --bind 127.0.0.1 --save '' --dir "$DG_TMP" \
  --logfile "$DG_TMP/replica.log" --replicaof 127.0.0.1 "$REDIS_PORT" </dev/null >/dev/null 2>&1 &
REPLICA_PID=$!
dg_track "$REPLICA_PID"
dg_wait_for 10 bash -c "redis-cli -p $REDIS_PORT INFO replication | grep -q 'state=online'" ||
  bail "the replica did not sync"

result_of() { echo "$OUT" | jq -r --arg c "$1" '.checks[] | select(.check == $c) | .result'; }

ctl check
is "$RC" 0 "check: good set-up exits 0"
echo "$OUT" | grep -Eq '^OK +redis ' && echo "$OUT" | grep -Eq '^OK +position_mode '
ok $? "check: table has one OK line per check"
! echo "$OUT" | grep -Eq '^(FAIL|WARN|SKIP) '
ok $? "check: no FAIL, WARN or SKIP line on a good set-up"

ctl check --json
is "$RC" 0 "check --json: exits 0"
is "$(echo "$OUT" | jq -r .ok)" true "check --json: ok is true"
is "$(echo "$OUT" | jq -r '[.checks[].check] | join(",")')" \
  "config,key_file,redis,redis_master,redis_replicas,redis_persistence,redis_tls,exchange_ban,exchange,clock,api_key,position_mode" \
  "check --json: every check, in order"
is "$(echo "$OUT" | jq -r '[.checks[] | select(.result != "OK")] | length')" 0 \
  "check --json: all OK"

detail_of() { echo "$OUT" | jq -r --arg c "$1" '.checks[] | select(.check == $c) | .detail'; }
detail_of redis_master | grep -q "^redis 127.0.0.1:$REDIS_PORT: role master"
ok $? "redis_master: the address and its role ($(detail_of redis_master))"
detail_of redis_replicas | grep -q "^1 replica, 1 online: ip=127.0.0.1,port=$REPLICA_PORT,state=online"
ok $? "redis_replicas: the replica and its state ($(detail_of redis_replicas))"
detail_of redis_persistence | grep -q '^AOF on, last write ok'
ok $? "redis_persistence: AOF on ($(detail_of redis_persistence))"
detail_of redis_tls | grep -q "this host's Redis, no tunnel"
ok $? "redis_tls: loopback, no tunnel ($(detail_of redis_tls))"

# What weakens the guarantees: AOF off, no replica; and RedisMinReplicas
# that cannot be met.
rcli CONFIG SET appendonly no >/dev/null
dg_stop_pid "$REPLICA_PID"
dg_wait_for 10 bash -c "redis-cli -p $REDIS_PORT INFO replication | grep -q '^connected_slaves:0'"
ctl check --json
is "$RC/$(result_of redis_persistence)" 0/WARN "AOF off: redis_persistence WARN (exit 0)"
detail_of redis_persistence | grep -q 'brings the ledger back empty .* or older .*set appendonly yes with appendfsync everysec'
ok $? "AOF off: the WARN says what it does to the ledger and names the fix"
is "$(result_of redis_replicas)" WARN "no replica: redis_replicas WARN"
ctl_conf "$CONF" "RedisMinReplicas 1"
ctl check --json
is "$RC" 1 "RedisMinReplicas 1 without a replica: exit 1"
is "$(result_of redis_replicas)" FAIL "RedisMinReplicas 1 without a replica: redis_replicas FAIL"
detail_of redis_replicas | grep -q 'the executor sends no order'
ok $? "and the detail says what it means"
ctl_conf "$CONF"

# A key file others can read.
cp "$SIM_KEYFILE" "$DG_TMP/open.key"
chmod 644 "$DG_TMP/open.key"
KEYFILE="$DG_TMP/open.key" ctl_conf "$CONF"
ctl check --json
is "$RC" 1 "world-readable key file: exit 1"
is "$(result_of key_file)" FAIL "world-readable key file: key_file FAIL"
echo "$OUT" | jq -r '.checks[] | select(.check == "key_file") | .detail' | grep -q 'chmod 600'
ok $? "world-readable key file: the detail says how to fix it"
ctl_conf "$CONF"

# Hedge mode is supported: reported, not failed.
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
ctl check --json
is "$RC" 0 "hedge mode: exit 0"
is "$(result_of position_mode)" OK "hedge mode: position_mode OK"
is "$(result_of api_key)" OK "hedge mode: the key works"
ctl check
echo "$OUT" | grep -Eq '^OK +position_mode +hedge mode'
ok $? "hedge mode: table line OK position_mode hedge mode"
curl -sf -X POST -d '{"dualSidePosition":false}' "$SIM_URL/sim/dual" >/dev/null

# A shared exchange ban: no exchange check may call the exchange.
now_ms=$(($(date +%s%3N)))
rcli set quantum:exchange:ban_until $((now_ms + 60000)) PX 60000 >/dev/null
ctl check --json
is "$RC" 1 "ban active: exit 1"
is "$(result_of exchange_ban)" FAIL "ban active: exchange_ban FAIL"
is "$(result_of exchange)" SKIP "ban active: the exchange is not called"
rcli del quantum:exchange:ban_until >/dev/null

# A Redis password in the URL never shows (this Redis has none: AUTH fails).
REDIS="redis://:Sup3rSecretPw@127.0.0.1:$REDIS_PORT/0" ctl_conf "$CONF"
ctl check
is "$(echo "$OUT" | grep -Ec '^FAIL +redis ')" 1 "Redis AUTH refused: redis FAIL"
! echo "$OUT$ERR" | grep -q Sup3rSecretPw
ok $? "Redis AUTH refused: the password from the URL is not printed"
REDIS="redis://:Sup3rSecretPw@127.0.0.1:$(dg_free_port)/0" ctl_conf "$CONF"
ctl check
! echo "$OUT$ERR" | grep -q Sup3rSecretPw
ok $? "Redis down: the password from the URL is not printed"

# Redis down.
REDIS="redis://127.0.0.1:$(dg_free_port)/0" ctl_conf "$CONF"
ctl check --json
is "$RC" 1 "Redis down: exit 1"
is "$(result_of redis)" FAIL "Redis down: redis FAIL"
is "$(result_of exchange)" OK "Redis down: the exchange is still checked"
ctl_conf "$CONF"

# An exchange whose clock is 5 s behind ours: a WARN, not a FAIL. A socat
# responder answers every request with that server time.
cat >"$DG_TMP/skewed.sh" <<'SH'
#!/usr/bin/env bash
while read -r h && [ "$h" != $'\r' ] && [ -n "$h" ]; do :; done
body="{\"serverTime\":$(($(date +%s%3N) - 5000))}"
printf 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' "${#body}" "$body"
SH
chmod +x "$DG_TMP/skewed.sh"
skew_port=$(dg_free_port)
socat "TCP-LISTEN:$skew_port,bind=127.0.0.1,reuseaddr,fork" "EXEC:$DG_TMP/skewed.sh" &
dg_track $!
dg_wait_for 5 curl -sf "http://127.0.0.1:$skew_port/fapi/v1/time"
sed -i "s|^URL .*|URL \"http://127.0.0.1:$skew_port\"|" "$CONF"
ctl check --json
is "$(result_of exchange)" OK "skewed clock: the exchange answers"
is "$(result_of clock)" WARN "skewed clock: clock WARN"
echo "$OUT" | jq -r '.checks[] | select(.check == "clock") | .detail' | grep -Eq 'clock -(49|50)[0-9]{2} ms'
ok $? "skewed clock: the detail gives the offset"
ctl_conf "$CONF"

# A Redis that wants a password: from the URL or from RedisPasswordFile,
# and never printed.
dg_start_redis --requirepass Sup3rSecretPw
REDIS="redis://:Sup3rSecretPw@127.0.0.1:$REDIS_PORT/0" ctl_conf "$CONF"
ctl check --json
is "$(result_of redis)" OK "Redis password in the URL: redis OK"
! echo "$OUT$ERR" | grep -q Sup3rSecretPw
ok $? "Redis password in the URL: not printed"
(umask 077 && echo Sup3rSecretPw >"$DG_TMP/redis.pass")
REDIS="redis://127.0.0.1:$REDIS_PORT/0" ctl_conf "$CONF" \
  "RedisPasswordFile \"$DG_TMP/redis.pass\""
ctl check --json
is "$(result_of redis)/$(result_of redis_password_file)" OK/OK \
  "RedisPasswordFile: redis OK, file permissions OK"
chmod 604 "$DG_TMP/redis.pass"
ctl check --json
is "$RC/$(result_of redis_password_file)/$(result_of redis)" 1/FAIL/FAIL \
  "RedisPasswordFile readable by others: refused"
ctl_conf "$CONF"

# Config errors exit 2, and check still says why.
ctl_conf "$CONF" "NoSuchOption 1"
ctl check --json
is "$RC" 2 "unknown option: exit 2"
is "$(result_of config)" FAIL "unknown option: config FAIL"
echo "$OUT" | jq -r '.checks[0].detail' | grep -q 'executor.conf:[0-9]*: unknown option'
ok $? "unknown option: FILE:LINE in the detail"
ctl_conf "$CONF" 'Timeout "three"'
ctl holds
is "$RC" 2 "malformed value: holds exits 2"
echo "$ERR" | grep -q 'Timeout'
ok $? "malformed value: the message names the option"
"$CTL" -C "$DG_TMP/missing.conf" check >/dev/null 2>&1
is "$?" 2 "missing config file: exit 2"
ctl_conf "$CONF"

# Usage errors and the documented exit codes.
ctl frobnicate; is "$RC" 2 "unknown command: exit 2"
ctl; is "$RC" 2 "no command: exit 2"
ctl status --force; is "$RC" 2 "--force outside release: exit 2"
ctl results -n 0; is "$RC" 2 "results -n 0: exit 2"
ctl release; is "$RC" 2 "release without a symbol: exit 2"
ctl release btc-usdt; is "$RC" 2 "release of an invalid symbol: exit 2"
ctl --help
is "$RC" 0 "--help: exit 0"
echo "$OUT" | grep -q '^  3  release refused'
ok $? "--help documents the exit codes"
ctl --version
echo "$OUT" | grep -Eq '^driftguard-ctl [0-9]'
ok $? "--version prints the version"

dg_done
