# plugin_common.sh - shared set-up of the reconcile plugin's integration
# tests (sourced after tests/harness.sh): a Redis, the exchange simulator,
# the plugin's own 0600 copies of the API key and plan key, and the
# <Plugin reconcile> block for collectd.

# An instrumented reconcile.so needs the ASan runtime preloaded into collectd.
if ldd "$DG_PLUGIN_SO" 2>/dev/null | grep -q libasan; then
  DG_SAN_CFLAGS=1
fi
command -v collectd >/dev/null || [ -x /usr/sbin/collectd ] || skip_all "collectd not installed"

# Work around tests/harness.sh copying reconcile.so over the file a running
# collectd has mapped when a second instance starts (that crashes the
# first): copy the plugins once per test.
eval "dg_harness_$(declare -f dg_collectd_plugindir)"
dg_collectd_plugindir() {
  if [ -f "$DG_TMP/plugins/reconcile.so" ]; then
    echo "$DG_TMP/plugins"
  else
    dg_harness_dg_collectd_plugindir
  fi
}

PLAN_KEY="dgTestPlanKey-0123456789"
HOLD=quantum:reconcile:hold:$BTC
HOLD_REASON=quantum:reconcile:hold_reason:$BTC
HOLD_SIG=quantum:reconcile:hold_sig:$BTC
STREAM=quantum:stream:reconcile.close

# plugin_setup: start Redis and the simulator, write the plugin's key files.
plugin_setup() {
  dg_start_redis
  dg_start_sim
  PLUGIN_KEYFILE="$DG_TMP/plugin-readonly.key"
  dg_venue_keyfile "$PLUGIN_KEYFILE"
  PLAN_KEYFILE="$DG_TMP/plan.key"
  (umask 077 && printf '%s\n' "$PLAN_KEY" >"$PLAN_KEYFILE")
}

# plugin_conf [OPTION_LINES]: LoadPlugin + the block for account "main" on
# DG_VENUE, polling every second; OPTION_LINES are added inside <Account>.
plugin_conf() {
  cat <<CONF
LoadPlugin reconcile
<Plugin reconcile>
  <Account "main">
    Exchange "$DG_VENUE"
    URL "$SIM_URL"
    KeyFile "$PLUGIN_KEYFILE"
    Interval 1
    Timeout 0.5
    RedisURL "$REDIS_URL"
    PlanKeyFile "$PLAN_KEYFILE"
${1:-}
  </Account>
</Plugin>
CONF
}

# prometheus_conf: write_prometheus on PROM_PORT, the way operators read
# the counters' absolute values (GETVAL only gives DERIVE rates).
PROM_PORT=$(dg_free_port)
prometheus_conf() {
  dg_prometheus_block "$PROM_PORT"
}
# metric NAME_AND_LABELS: its value on the write_prometheus page.
metric() {
  prom_scrape "$PROM_PORT" | awk -v m="$1" '$1 == m { print $2 }'
}

# avoid_bucket_edge COOLDOWN NEED: a new cooldown bucket (floor(now /
# COOLDOWN)) rightly allows a new plan; tests counting plans start where
# the current bucket has at least NEED seconds left.
avoid_bucket_edge() {
  local left=$(($1 - $(date +%s) % $1))
  [ "$left" -ge "$2" ] || sleep $((left + 1))
}

# wait_until SECONDS 'CONDITION': re-evaluate the shell CONDITION (with its
# $(...) expansions) every 0.1 s until it holds.
wait_until() { dg_wait_for "$1" eval "$2"; }

# drift_sig SYMBOL EXCHANGE LEDGER: SPEC section 2's signature.
drift_sig() { printf '%s|%s|%s' "$1" "$2" "$3" | sha256sum | cut -c1-12; }

# plans: the plan JSON of every stream entry, one per line.
plans() { rcli --raw XRANGE "$STREAM" - + | awk 'prev == "plan" { print } { prev = $0 }'; }
plan_count() { rcli XLEN "$STREAM"; }

# getval IDENT: the first value collectd holds for IDENT (as a number).
getval() { cd_getval "$COLLECTD_SOCK" "dgtest/$1" | sed -n 's/^value=//p' | head -n 1; }
# collectd_log NAME: the collectd log of instance NAME.
collectd_log() { cat "$DG_TMP/$1-collectd.log"; }
