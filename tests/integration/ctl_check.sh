#!/usr/bin/env bash
# driftguard-ctl check: every check OK on a good set-up, and a FAIL line and
# exit code 1 for each thing an operator must fix (key file readable by
# others, hedge mode, Redis down, exchange ban), a WARN for a Redis that
# would lose the ledger on a restart; config and usage errors exit 2.
. "$top_srcdir/tests/integration/ctl_lib.sh"
dg_time_limit 90
ctl_setup --appendonly yes --appendfsync everysec

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
  "config,key_file,redis,redis_persistence,exchange_ban,exchange,clock,api_key,position_mode" \
  "check --json: every check, in order"
is "$(echo "$OUT" | jq -r '[.checks[] | select(.result != "OK")] | length')" 0 \
  "check --json: all OK"

echo "$OUT" | jq -r '.checks[] | select(.check == "redis_persistence") | .detail' | grep -q 'AOF on, appendfsync everysec'
ok $? "check: AOF with appendfsync everysec is OK"

# A Redis that keeps nothing, then one that only snapshots: WARN, naming the fix.
persistence() {
  rcli CONFIG SET appendonly "$1" >/dev/null
  rcli CONFIG SET save "$2" >/dev/null
  ctl check --json
  echo "$(result_of redis_persistence)|$RC|$(echo "$OUT" | jq -r '.checks[] | select(.check == "redis_persistence") | .detail')"
}
got=$(persistence no "")
case "$got" in "WARN|0|Redis keeps nothing (appendonly no, no save rule)"*"set appendonly yes with appendfsync everysec"*) true ;; *) false ;; esac
ok $? "check: no persistence is a WARN that names the fix (exit 0)"
got=$(persistence no "900 1")
case "$got" in "WARN|0|appendonly no, RDB snapshots only (save 900 1)"*"older ledger"*) true ;; *) false ;; esac
ok $? "check: RDB snapshots only is a WARN: an older ledger looks like drift"
rcli CONFIG SET appendonly yes >/dev/null

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

# Hedge mode.
curl -sf -X POST -d '{"dualSidePosition":true}' "$SIM_URL/sim/dual" >/dev/null
ctl check --json
is "$RC" 1 "hedge mode: exit 1"
is "$(result_of position_mode)" FAIL "hedge mode: position_mode FAIL"
is "$(result_of api_key)" OK "hedge mode: the key itself still works"
ctl check
echo "$OUT" | grep -Eq '^FAIL +position_mode +hedge'
ok $? "hedge mode: table line FAIL position_mode"
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
