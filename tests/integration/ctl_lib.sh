# ctl_lib.sh - shared set-up of driftguard-ctl's integration tests: a real
# redis-server, the exchange simulator, an executor config pointing at
# both, and helpers to plant HOLDs, ledger entries and stream entries the
# way the plugin and the executor write them.
. "$top_srcdir/tests/harness.sh"

CTL="$top_builddir/ctl/driftguard-ctl"
[ -x "$CTL" ] || bail "driftguard-ctl not built: $CTL"

# ctl_setup [REDIS_ARGS...]: start Redis and the simulator, write $CONF.
ctl_setup() {
  dg_start_redis "$@"
  dg_start_sim
  CONF="$DG_TMP/executor.conf"
  ctl_conf "$CONF"
}

# ctl_conf FILE [EXTRA_LINES]: an executor config for this test's servers
# (KEYFILE and REDIS override the key file and the Redis URL).
ctl_conf() {
  cat >"$1" <<CONF
# executor config written by ctl_lib.sh
URL "$SIM_URL"
KeyFile "${KEYFILE:-$SIM_KEYFILE}"
RedisURL "${REDIS:-$REDIS_URL}"
Source "p3.4"
Unauthenticated true
Group "driftguard-executor"
HoldLease 900
Timeout 3
DryRun false
# No collectd here: no metrics, no hostname check.
CollectdSocket ""
${2:-}
CONF
}

# ctl ARGS...: run driftguard-ctl on $CONF; stdout in $OUT, stderr in $ERR,
# exit code in $RC. Every run is also checked for leaked secrets.
ctl() {
  "$CTL" -C "$CONF" "$@" >"$DG_TMP/ctl.out" 2>"$DG_TMP/ctl.err"
  RC=$?
  OUT=$(cat "$DG_TMP/ctl.out")
  ERR=$(cat "$DG_TMP/ctl.err")
  if grep -q -e "$DG_API_SECRET" -e "$DG_API_KEY" "$DG_TMP/ctl.out" \
    "$DG_TMP/ctl.err"; then
    ok 1 "driftguard-ctl $* printed a secret"
  fi
  return 0
}

# set_hold SYMBOL SIG [PREFIX]: the three HOLD keys, as the plugin sets them.
set_hold() {
  local p=${3:-quantum}
  rcli set "$p:reconcile:hold:$1" 1 EX 900 >/dev/null
  rcli set "$p:reconcile:hold_reason:$1" reconcile_drift EX 900 >/dev/null
  rcli set "$p:reconcile:hold_sig:$1" "$2" EX 900 >/dev/null
}
hold_keys() { # hold_keys SYMBOL: how many of the three HOLD keys exist
  rcli exists "quantum:reconcile:hold:$1" "quantum:reconcile:hold_reason:$1" \
    "quantum:reconcile:hold_sig:$1"
}
set_positions() { sim_positions "$1" >/dev/null || bail "sim positions"; }
