#!/usr/bin/env bash
# A bad <Plugin reconcile> block fails the plugin's init with a message
# naming the option; collectd keeps running its other plugins (unixsock
# here), still knows the executor's types, and the plugin never touches
# the exchange or Redis.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 90

plugin_setup
OPEN_KEYFILE="$DG_TMP/world-readable.key"
dg_keyfile "$OPEN_KEYFILE" "$DG_API_KEY" "$DG_API_SECRET"
chmod 0644 "$OPEN_KEYFILE"

# refused NAME OPTION PATTERN CONFIG: collectd NAME logs the error naming
# OPTION, unloads reconcile and still answers on its socket.
refused() {
  local name=$1 option=$2 pattern=$3 conf=$4
  dg_start_collectd "$name" "$conf"
  dg_wait_for 5 grep -q "Initialization of plugin .reconcile. failed" "$DG_TMP/$name-collectd.log"
  # option=NAME, then the value as written when it is the value's fault
  collectd_log "$name" | grep -q "reconcile plugin: .*option=$option\( value=.*\)\{0,1\}: $pattern"
  ok $? "$name: the error names option $option"
  collectd_log "$name" | grep -q "Initialization of plugin .reconcile. failed"
  ok $? "$name: the plugin's init fails"
  printf 'LISTVAL\n' | socat -t 2 - "UNIX-CONNECT:$COLLECTD_SOCK" | grep -q '^0 Values found'
  ok $? "$name: collectd keeps running its other plugins"
  is "$(cd_getval "$COLLECTD_SOCK" dgtest/reconcile-main/poll_errors-exchange | head -c 2)" -1 \
    "$name: no account is polled"
  # The executor's PUTVALs still land: the types are registered whatever
  # the block says.
  printf 'PUTVAL "dgtest/reconcile-BTCUSDT/close_consumed" interval=10 N:1\n' |
    socat -t 2 - "UNIX-CONNECT:$COLLECTD_SOCK" | grep -q '^0 Success'
  ok $? "$name: the executor's PUTVAL close_consumed is still accepted"
  dg_stop_pid "$COLLECTD_PID"
}

refused keyfile KeyFile "key file .* accessible by others" \
  "$(plugin_conf | sed "s|$PLUGIN_KEYFILE|$OPEN_KEYFILE|")"
cp "$PLAN_KEYFILE" "$DG_TMP/open-plan.key" && chmod 0644 "$DG_TMP/open-plan.key"
refused plankey PlanKeyFile "key file .* accessible by others" \
  "$(plugin_conf | sed "s|$PLAN_KEYFILE|$DG_TMP/open-plan.key|")"
printf 'secret\n' >"$DG_TMP/open-redis.pass" && chmod 0644 "$DG_TMP/open-redis.pass"
refused redispass RedisPasswordFile "key file .* accessible by others" \
  "$(plugin_conf "    RedisPasswordFile \"$DG_TMP/open-redis.pass\"")"
refused unknown Bogus "unknown option" "$(plugin_conf '    Bogus 1')"
refused nourl URL "missing" "$(plugin_conf | grep -v '    URL ')"
refused nokeyfile KeyFile "missing" "$(plugin_conf | grep -v '    KeyFile ')"
refused redisurl RedisURL "" "$(plugin_conf | sed 's|RedisURL ".*"|RedisURL "http://nowhere"|')"
refused interval Interval "expects a positive" "$(plugin_conf | sed 's|Interval 1|Interval 0|')"
collectd_log interval | grep -q 'option=Interval value=0: '
ok $? "interval: the message echoes the refused value"
refused typo Timout "unknown option; did you mean Timeout?" "$(plugin_conf '    Timout 2')"
refused lowercase Symbol 'symbols are upper case: Symbol "BTCUSDT"' \
  "$(plugin_conf '    Symbol "btcusdt"')"
collectd_log lowercase | grep -q 'option=Symbol value="btcusdt": '
ok $? "lowercase: the message echoes the symbol as written"
refused badsymbol Symbol "not a symbol" "$(plugin_conf '    Symbol "BTC/USDT"')"
refused timeout Timeout "expects seconds" "$(plugin_conf '    Timeout "3s"')"
collectd_log timeout | grep -q 'option=Timeout value="3s": '
ok $? "timeout: a string where seconds belong is echoed as written"
refused exchange Exchange "" "$(plugin_conf | sed 's|"binance-usdm"|"nasdaq"|')"

is "$(grep -c 'path=/fapi/v3/positionRisk' "$DG_TMP/sim.log")" 0 "the exchange was never polled"
dg_done
