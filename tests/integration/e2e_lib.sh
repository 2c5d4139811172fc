# e2e_lib.sh - the whole driftguard loop for the end-to-end tests (source
# after tests/harness.sh): a real Redis and the exchange simulator, the
# built reconcile.so inside real collectd daemons (unixsock +
# write_prometheus) and real driftguard-executor processes. It reuses the
# plugin's and the executor's own test set-up (plugin_common.sh,
# executor_lib.sh); plugin and executor share one plan key.
. "$top_srcdir/tests/integration/plugin_common.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"

[ -f /usr/lib/collectd/write_prometheus.so ] || skip_all "write_prometheus.so not installed"
command -v jq >/dev/null || skip_all "jq not installed"

E2E_HOST=dgtest

# e2e_setup [EXECUTOR CONFIG LINES]: Redis, the simulator and the executor
# configuration (executor_lib's ex_setup, metrics to collectd "a" every
# second), plus the plugin's own read-only key file and the shared plan key.
e2e_setup() {
  ex_setup "CollectdSocket \"$DG_TMP/a.sock\"
${1:-}"
  PLUGIN_KEYFILE="$DG_TMP/plugin-readonly.key"
  dg_venue_keyfile "$PLUGIN_KEYFILE"
  PLAN_KEYFILE=$EX_PLAN_KEYFILE
  PLAN_KEY=$EX_PLAN_KEY_TEXT
}

# e2e_restart_sim [SIM ARGS...]: replace the simulator by one started with
# these arguments; the executor configuration follows it (its last URL line
# wins). The simulator lists a symbol in exchangeInfo only once it knows
# it, and the plugin caches exchangeInfo, so tests list theirs up front.
e2e_restart_sim() {
  dg_stop_pid "$SIM_PID"
  dg_start_sim "$@"
  printf 'URL "%s"\n' "$SIM_URL" >>"$EX_CONF"
}
# sim_listed SYMBOL...: simulator arguments listing each symbol (step and
# minimum 0.001; harness.sh's sim_lot_args).
sim_listed() { sim_lot_args "$@"; }

# e2e_start_collectd NAME [ACCOUNT OPTION LINES]: a collectd daemon with the
# plugin's <Account "main"> (plugin_conf) and write_prometheus on a free
# port (prometheus_conf). Sets COLLECTD_PID, COLLECTD_SOCK and PROM_PORT.
e2e_start_collectd() {
  e2e_start_collectd_conf "$1" "$(plugin_conf "${2:-}")"
}

# e2e_start_collectd_conf NAME CONFIG: the same with any plugin
# configuration; tries other ports if write_prometheus cannot listen.
e2e_start_collectd_conf() {
  local try
  for try in 1 2 3; do
    PROM_PORT=$(dg_free_port)
    dg_start_collectd "$1" "$2
$(prometheus_conf)"
    dg_wait_for 10 prom_scrape "$PROM_PORT" && return 0
    dg_stop_pid "$COLLECTD_PID"
    rm -f "$COLLECTD_SOCK"
  done
  bail "collectd $1: write_prometheus does not answer"
}

# e2e_start_rate_limited: the loop on $BTC (ConfirmPolls 1, Cooldown 6)
# with the executor running and the next order refused by the venue's rate
# limit (Binance: a 429 with Retry-After 2).
e2e_start_rate_limited() {
  e2e_setup
  e2e_restart_sim $(sim_listed "$BTC")
  ex_start
  ok $? "executor starts"
  sim_faults "[$(fault_at order "$(venue_error rate_limit | jq -c '. + {retry_after: 2}')")]" >/dev/null
  e2e_start_collectd a "$(symbol_lines BTC)
    ConfirmPolls 1
    Cooldown 6"
}

# e2e_start_executor NAME [CONFIG LINES]: one more executor, consumer NAME
# in the group of ex_setup's configuration; log in $DG_TMP/NAME.log.
e2e_start_executor() {
  local conf="$DG_TMP/$1.conf"
  cp "$EX_CONF" "$conf"
  printf 'Consumer "%s"\n%s\n' "$1" "${2:-}" >>"$conf"
  EX_CONF=$conf EX_LOG="$DG_TMP/$1.log" ex_start
}

# yields WANT CMD...: CMD prints WANT (for dg_wait_for, which runs its
# command again on every try).
yields() {
  local want=$1
  shift
  [ "$("$@")" = "$want" ]
}

# hold_keys SYMBOL: how many of the symbol's three HOLD keys exist.
hold_keys() {
  rcli EXISTS "quantum:reconcile:hold:$1" "quantum:reconcile:hold_reason:$1" \
    "quantum:reconcile:hold_sig:$1"
}

# orders_for SYMBOL: the simulator's orders for SYMBOL, a JSON list.
orders_for() { sim_orders | jq -c --arg s "$1" 'map(select(.symbol == $s))'; }

# settled SYMBOL AMT: the exchange holds AMT and no HOLD is left.
settled() {
  [ "$(sim_position "$1")" = "$2" ] && [ "$(hold_keys "$1")" = 0 ]
}

# counter SYMBOL TYPE [TYPE_INSTANCE]: the counter collectd_reconcile_TYPE_total
# of SYMBOL (plugin instance) on the write_prometheus page at PROM_PORT.
counter() {
  metric "collectd_reconcile_${2}_total{reconcile=\"$1\",${3:+type=\"$3\",}instance=\"$E2E_HOST\"}"
}

# cd_has SOCK IDENT: collectd holds a value for IDENT (GETVAL succeeds).
cd_has() { cd_getval "$1" "$E2E_HOST/$2" | grep -q '^[1-9][0-9]* Values\? found'; }
