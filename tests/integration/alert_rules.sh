#!/usr/bin/env bash
# alert_rules.sh - the shipped monitoring files: the Prometheus alert rules
# are valid, their promtool unit tests pass, every alert is tested both firing
# and quiet; the Grafana dashboard is valid JSON whose queries are valid
# PromQL; both only use metrics the plugin or the executor publish (SPEC 5).
. "$top_srcdir/tests/harness.sh"
dg_time_limit 60

rules="$top_srcdir/packaging/prometheus/driftguard-alerts.yml"
tests="$top_srcdir/packaging/prometheus/driftguard-alerts.test.yml"
command -v promtool >/dev/null || skip_all "promtool not installed (Debian package prometheus)"

promtool check rules "$rules" >"$DG_TMP/check.log" 2>&1
ok $? "promtool check rules accepts driftguard-alerts.yml" || sed 's/^/# /' "$DG_TMP/check.log"

# promtool resolves rule_files relative to the test file and only reads.
promtool test rules "$tests" >"$DG_TMP/test.log" 2>&1
ok $? "promtool test rules passes driftguard-alerts.test.yml" || sed 's/^/# /' "$DG_TMP/test.log"

# Each alert needs a test where it fires and one where it must stay quiet.
alerts=$(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\).*/\1/p' "$rules")
[ -n "$alerts" ]
ok $? "the rules define alerts"
for a in $alerts; do
  # Count the alert_rule_test entries for $a by expectation: "exp_alerts: []"
  # is quiet, a list of exp_labels is firing.
  read -r fire quiet < <(awk -v a="$a" '
    /alertname:/ { cur = ($2 == a) }
    cur && /exp_alerts: *\[\]/ { q++; cur = 0 }
    cur && /exp_labels:/ { f++; cur = 0 }
    END { print f + 0, q + 0 }' "$tests")
  [ "$fire" -gt 0 ] && [ "$quiet" -gt 0 ]
  ok $? "$a is tested firing ($fire) and quiet ($quiet)"
done

# Metric names: the SPEC 5 types through write_prometheus, DERIVE with _total,
# plus exchange_weight (X-MBX-USED-WEIGHT-1M, GAUGE).
known="collectd_reconcile_close_published_total collectd_reconcile_hold_active
collectd_reconcile_drift collectd_reconcile_position collectd_reconcile_poll_errors_total
collectd_reconcile_close_consumed_total collectd_reconcile_close_executed_total
collectd_reconcile_close_rejected_total collectd_reconcile_close_guardrail_fail_total
collectd_reconcile_exchange_weight"
check_names() { # check_names FILE: every collectd_reconcile_* name in FILE is known
  local name bad=0
  # Whole names only: not the "collectd_reconcile_<type>" of comments nor the
  # prefix of a regex selector.
  for name in $(grep -oP 'collectd_reconcile_[a-z_]+(?![a-z_(<])' "$1" | sort -u); do
    case " $(echo $known) " in
    *" $name "*) ;;
    *)
      diag "unknown metric $name in $1"
      bad=1
      ;;
    esac
  done
  return $bad
}
check_names "$rules"
ok $? "the alert rules only use published metric names"
# The rate-limit alert covers both close counters' rate_limit instances.
grep -q 'collectd_reconcile_close_executed_total{reconcile="all",type="rate_limit"}' "$rules" &&
  grep -q 'collectd_reconcile_close_rejected_total{reconcile="all",type="rate_limit"}' "$rules"
ok $? "the rate-limit alert selects executed and rejected counters"

# Each alert's description points at a runbook section that exists.
missing=""
while IFS= read -r section; do
  grep -q "^## $section\b" "$top_srcdir/doc/runbook.md" || missing="$missing '$section'"
done < <(grep -o 'the runbook, section [A-Za-z -]*' "$rules" | sed 's/^the runbook, section //' | sort -u)
[ -z "$missing" ] && [ "$(grep -c 'the runbook, section' "$rules")" -eq "$(echo "$alerts" | wc -w)" ]
ok $? "every alert names a runbook section that exists" || diag "missing:$missing"

# --- Grafana dashboard --------------------------------------------------------
dash="$top_srcdir/packaging/grafana/driftguard-dashboard.json"
jq -e '.uid == "driftguard" and (.panels | length) > 0' "$dash" >/dev/null
ok $? "the dashboard is valid JSON with panels"
check_names "$dash"
ok $? "the dashboard only uses published metric names"
for title in "Close success rate" "Guardrail failures by rule" "Active HOLDs per symbol" \
  "Drift per symbol" "Positions: exchange vs ledger" "Poll errors" \
  "Exchange request weight used (1m)"; do
  jq -e --arg t "$title" '[.panels[] | select(.title == $t)] | length == 1' "$dash" >/dev/null
  ok $? "the dashboard has a panel \"$title\""
done
jq -e '[.templating.list[] | select(.name == "venue")] | length == 1' "$dash" >/dev/null &&
  [ "$(jq -r '.panels[].targets[].expr' "$dash" | grep -cvF 'venue=~"$venue"')" = 0 ]
ok $? "the dashboard has a \$venue variable and every query selects by it"
jq -e '[.panels[] | .datasource.uid, .targets[].datasource.uid] | all(. == "${datasource}")' \
  "$dash" >/dev/null
ok $? "every panel and query uses the \$datasource variable"

# Every query, with Grafana's variables filled in, must parse as PromQL:
# promtool checks them as recording rules.
{
  echo "groups:"
  echo "  - name: dashboard"
  echo "    rules:"
  jq -r '.panels[].targets[].expr' "$dash" |
    sed -e 's/\$__rate_interval/5m/g' -e 's/\$venue/.*/g' -e 's/\$instance/.*/g' -e 's/\$symbol/.*/g' |
    awk '{ gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); printf "      - record: dashboard:query%d\n        expr: \"%s\"\n", NR, $0 }'
} >"$DG_TMP/dashboard-rules.yml"
n=$(jq '[.panels[].targets[]] | length' "$dash")
promtool check rules "$DG_TMP/dashboard-rules.yml" >"$DG_TMP/dash-check.log" 2>&1 &&
  grep -q "SUCCESS: $n rules found" "$DG_TMP/dash-check.log"
ok $? "all $n dashboard queries are valid PromQL" || sed 's/^/# /' "$DG_TMP/dash-check.log"

dg_done
