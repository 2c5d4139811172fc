#!/usr/bin/env bash
# graphite_paths.sh - the shipped write_graphite example produces the metric
# paths the runbook documents. collectd runs the reconcile plugin and the
# example's <Node>, pointed at a socat listener standing in for Graphite; the
# real executor feeds its counters back through unixsock. One plan fails a
# guardrail, one real drift is closed, so every documented path has a value.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/executor_lib.sh"
dg_time_limit 90

example="$top_srcdir/packaging/collectd/graphite-example.conf"
[ -f "$DG_PLUGIN_SO" ] || skip_all "plugin not built"
[ -x "$DG_EXECUTOR" ] || skip_all "executor not built"
[ -f /usr/lib/collectd/write_graphite.so ] || skip_all "collectd's write_graphite not installed"
command -v socat >/dev/null || skip_all "socat not installed"

received="$DG_TMP/graphite.txt"
: >"$received"
start_graphite() { # a free port can still be taken by an outgoing socket: retry
  local try
  for try in 1 2 3 4 5; do
    gport=$(dg_free_port)
    socat -u "TCP-LISTEN:$gport,bind=127.0.0.1,reuseaddr,fork" "OPEN:$received,append" \
      2>>"$DG_TMP/socat.log" &
    gpid=$!
    if dg_wait_for 3 bash -c "exec 3<>/dev/tcp/127.0.0.1/$gport"; then
      dg_track "$gpid"
      return 0
    fi
    dg_stop_pid "$gpid"
  done
  return 1
}
start_graphite || bail "socat listener did not start"

EX_COLLECTD_SOCK="$DG_TMP/graphite.sock" # where dg_start_collectd graphite puts it
ex_setup
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0"}' >/dev/null

cp /usr/lib/collectd/write_graphite.so "$(dg_collectd_plugindir)/"
node=$(sed -e "s|graphite.example.org|127.0.0.1|" -e "s|Port \"2003\"|Port \"$gport\"|" "$example")
dg_start_collectd graphite "LoadPlugin reconcile
<Plugin reconcile>
  <Account \"main\">
    URL \"$SIM_URL\"
    KeyFile \"$SIM_KEYFILE\"
    Symbol \"BTCUSDT\"
    Interval 1
    Timeout 2
    RedisURL \"$REDIS_URL\"
    PlanKeyFile \"$EX_PLAN_KEYFILE\"
  </Account>
</Plugin>
$node"
ex_start || bail "executor did not start"

# A plan for a symbol without HOLD: guardrail hold_key.
ex_publish "$(ex_plan_json BTCUSDT 0.004)" >/dev/null
ex_wait_results 1
is "$(ex_result rule)" hold_key \
  "a plan without HOLD fails guardrail hold_key"
# A real drift: the plugin holds and publishes, the executor closes it.
sim_positions '{"BTCUSDT":"0.004"}' >/dev/null
closed() { [ "$(ex_result status)" = EXECUTED ] && [ "$(sim_position BTCUSDT)" = 0 ]; }
dg_wait_for 20 closed
ok $? "the drift is closed by an order"

# The reconcile-* paths the runbook and the example list for host trade1.
runbook_paths=$(sed -n 's/^driftguard\.trade1\.\(reconcile-[A-Za-z]*\.[a-z_-]*\)$/\1/p' \
  "$top_srcdir/doc/runbook.md")
example_paths=$(sed -n 's/^#   driftguard\.trade1\.\(reconcile-[A-Za-z]*\.[a-z_-]*\).*/\1/p' "$example")
not_seen() { # the paths of $@ that Graphite has not received (host dgtest)
  local path
  for path in "$@"; do
    grep -q "^driftguard\.dgtest\.$path " "$received" || echo "$path"
  done
}
all_seen() { [ -z "$(not_seen $runbook_paths $example_paths)" ]; }
dg_wait_for 15 all_seen
[ -n "$runbook_paths" ] && [ -z "$(not_seen $runbook_paths)" ]
ok $? "every Graphite path in the runbook arrives (host dgtest for trade1)" ||
  diag "not seen: $(not_seen $runbook_paths | tr '\n' ' ')"
[ -n "$example_paths" ] && [ -z "$(not_seen $example_paths)" ]
ok $? "so does every path listed in graphite-example.conf" ||
  diag "not seen: $(not_seen $example_paths | tr '\n' ' ')"
diag "paths seen: $(cut -d' ' -f1 "$received" | sort -u | tr '\n' ' ')"

dg_done
