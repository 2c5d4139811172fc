#!/usr/bin/env bash
# Two <Account> blocks in one collectd: when both could send values for the
# same symbol (a symbol both list, or an account without a Symbol list),
# every account's per-symbol values carry plugin instance
# "<account>-<symbol>" so that neither overwrites the other's; otherwise
# the plugin instance stays the symbol (SPEC section 5).
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/plugin_common.sh"
dg_time_limit 90

# account NAME OPTION_LINES: an <Account> block on the simulator, with its
# own KeyPrefix (and so its own ledger and HOLD keys).
account() {
  cat <<CONF
  <Account "$1">
    URL "$SIM_URL"
    KeyFile "$PLUGIN_KEYFILE"
    Interval 1
    Timeout 0.5
    RedisURL "$REDIS_URL"
    KeyPrefix "$1"
    ConfirmPolls 1
$2
  </Account>
CONF
}
# two_accounts MAIN_OPTIONS ALT_OPTIONS: the plugin's configuration.
two_accounts() {
  printf 'LoadPlugin reconcile\n<Plugin reconcile>\n%s\n%s\n</Plugin>\n' \
    "$(account main "$1")" "$(account alt "$2")"
}
# listval: the identifiers collectd holds.
listval() { printf 'LISTVAL\n' | socat -t 2 - "UNIX-CONNECT:$COLLECTD_SOCK" 2>/dev/null; }
clash_logged() { grep -c 'per-symbol values use plugin instance "<account>-<symbol>"' "$DG_TMP/$1-collectd.log"; }

plugin_setup
# Same exchange for both: main's ledger matches it, alt's holds more than
# the exchange (an unfixable drift: HOLD, no plan, a stable state).
sim_positions '{"BTCUSDT":"0.007","ETHUSDT":"0.5"}' >/dev/null
rcli HSET main:ledger:BTCUSDT position_amt 0.007 >/dev/null
rcli HSET alt:ledger:BTCUSDT position_amt 0.01 >/dev/null
rcli HSET main:ledger:ETHUSDT position_amt 0.5 >/dev/null
rcli HSET alt:ledger:ETHUSDT position_amt 0.5 >/dev/null

# 1. Both list BTCUSDT.
dg_start_collectd a "$(two_accounts '    Symbol "BTCUSDT"' '    Symbol "BTCUSDT"
    Symbol "ETHUSDT"')"
wait_until 10 'test "$(getval reconcile-alt-BTCUSDT/hold_active)" = "1.000000e+00"'
ok $? "alt's HOLD shows under reconcile-alt-BTCUSDT"
is "$(getval reconcile-main-BTCUSDT/hold_active)" "0.000000e+00" \
  "main's hold_active (0) is its own, under reconcile-main-BTCUSDT"
is "$(getval reconcile-main-BTCUSDT/position-ledger)/$(getval reconcile-alt-BTCUSDT/position-ledger)" \
  "7.000000e-03/1.000000e-02" "each account's ledger position under its own instance"
is "$(getval reconcile-alt-ETHUSDT/position-exchange)" "5.000000e-01" \
  "a symbol only one account lists is prefixed too (the rule is per plugin, not per symbol)"
listval | grep -q 'reconcile-alt-BTCUSDT/close_published$'
ok $? "close_published is per account as well"
is "$(listval | grep -c '/reconcile-BTCUSDT/')" 0 "nothing under the bare symbol"
is "$(listval | grep -c '/reconcile-main/poll_errors-exchange$')" 1 \
  "per-account values keep the account's name"
is "$(clash_logged a)" 1 "the naming is logged once at init"
grep -q "accounts main and alt both watch BTCUSDT" "$DG_TMP/a-collectd.log"
ok $? "the log says why"
sleep 1.5 # a second poll: the first one is not counted below
is "$(grep -c 'Value too old' "$DG_TMP/a-collectd.log")" 0 "no value overwrote another's"
dg_stop_pid "$COLLECTD_PID"
# At shutdown each account logs the CPU its polls took (bench/README.md).
is "$(grep -cE 'account=(main|alt) polls=[0-9]+ cpu_us_per_poll=[0-9.]+ exchange_cpu_us_per_poll=[0-9.]+ dispatch_cpu_us_per_poll=[0-9.]+$' \
  "$DG_TMP/a-collectd.log")" 2 "each account logs its polls' CPU time at shutdown"

# 2. Disjoint Symbol lists: the plugin instance stays the symbol.
dg_start_collectd b "$(two_accounts '    Symbol "BTCUSDT"' '    Symbol "ETHUSDT"')"
wait_until 10 'test -n "$(getval reconcile-ETHUSDT/hold_active)"'
ok $? "disjoint lists: values under reconcile-ETHUSDT"
is "$(getval reconcile-BTCUSDT/position-ledger)" "7.000000e-03" \
  "disjoint lists: main's BTCUSDT under reconcile-BTCUSDT"
is "$(clash_logged b)" 0 "disjoint lists: no naming change logged"
dg_stop_pid "$COLLECTD_PID"

# 3. An account without a Symbol list may discover any symbol.
dg_start_collectd c "$(two_accounts '' '    Symbol "ETHUSDT"')"
wait_until 10 'test -n "$(getval reconcile-main-BTCUSDT/position-ledger)"'
ok $? "auto-discovery next to another account: prefixed"
grep -q "account main has no Symbol list" "$DG_TMP/c-collectd.log"
ok $? "auto-discovery: the log says why"
is "$(getval reconcile-alt-ETHUSDT/position-ledger)" "5.000000e-01" \
  "auto-discovery: the other account is prefixed too"
dg_done
