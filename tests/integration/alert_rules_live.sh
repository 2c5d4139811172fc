#!/usr/bin/env bash
# alert_rules_live.sh - the shipped alert rules in a real Prometheus, on the
# series one real executor and plugin export through collectd's
# write_prometheus, scraped with the shipped scrape job
# (packaging/prometheus/driftguard-scrape.yml). A close hits HTTP 429: every
# rule must evaluate without error, ReconcileRateLimited must fire for the
# collectd host, and the series keep collectd's instance label.
. "$top_srcdir/tests/harness.sh"
. "$top_srcdir/tests/integration/e2e_lib.sh"
dg_time_limit 90
command -v prometheus >/dev/null || skip_all "prometheus not installed (Debian package prometheus)"

e2e_start_rate_limited

# Prometheus: the shipped scrape job and rules, evaluated every second.
web=$(dg_free_port)
{
  printf 'global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n'
  sed -e "s|'\[::1\]:9103'|'[::1]:$PROM_PORT'|" -e 's|scrape_interval: 10s|scrape_interval: 1s|' \
    -e "s|/usr/share/driftguard/driftguard-alerts.yml|$top_srcdir/packaging/prometheus/driftguard-alerts.yml|" \
    "$top_srcdir/packaging/prometheus/driftguard-scrape.yml"
} >"$DG_TMP/prometheus.yml"
prometheus --config.file="$DG_TMP/prometheus.yml" --storage.tsdb.path="$DG_TMP/tsdb" \
  --web.listen-address="127.0.0.1:$web" >"$DG_TMP/prometheus.log" 2>&1 &
dg_track $!
api() { curl -sf "http://127.0.0.1:$web/api/v1/$1"; }
dg_wait_for 20 curl -sf "http://127.0.0.1:$web/-/ready"
ok $? "prometheus starts with the shipped scrape job and rules" || tail -n 20 "$DG_TMP/prometheus.log" | sed 's/^/# /'

# The executor's counters are in Prometheus before the drift.
seen() { api 'query?query=collectd_reconcile_close_consumed_total%7Breconcile%3D%22all%22%7D' |
  jq -e '.data.result | length > 0' >/dev/null; }
dg_wait_for 20 seen
ok $? "prometheus scrapes the executor's counters"
ledger BTCUSDT 0
sim_positions '{"BTCUSDT":"0.007"}' >/dev/null
ex_wait_results 1 15
is "$(ex_result status)" RETRYABLE_RATE_LIMIT "the close gets HTTP 429 (RETRYABLE_RATE_LIMIT)"

firing() { api alerts | jq -e --arg a "$1" \
  '[.data.alerts[] | select(.labels.alertname == $a and .state == "firing")] | length > 0' >/dev/null; }
dg_wait_for 20 firing ReconcileRateLimited
ok $? "ReconcileRateLimited fires" || api alerts | sed 's/^/# /'
is "$(api alerts | jq -r '[.data.alerts[] | select(.labels.alertname == "ReconcileRateLimited") | .labels.instance] | unique | join(",")')" \
  "$E2E_HOST" "it names the collectd host (instance=\"$E2E_HOST\")"

# Every rule evaluates: no "vector cannot contain metrics with the same labelset".
api rules >"$DG_TMP/rules.json"
bad=$(jq -r '[.data.groups[].rules[] | select(.health != "ok") | "\(.name): \(.health) \(.lastError)"] | join("; ")' \
  "$DG_TMP/rules.json")
n=$(jq '[.data.groups[].rules[]] | length' "$DG_TMP/rules.json")
[ -z "$bad" ] && [ "$n" -eq "$(grep -c '^ *- alert:' "$top_srcdir/packaging/prometheus/driftguard-alerts.yml")" ]
ok $? "all $n rules evaluate without error on the real series" || diag "$bad"
! firing ReconcileExecutorMetricsAbsent && ! firing ReconcileCloseGuardrailViolation
ok $? "the executor is seen alive, and no guardrail alert fires"

# honor_labels: collectd's instance label stays instance.
api 'query?query=%7B__name__%3D~%22collectd_reconcile_.%2A%22%7D' >"$DG_TMP/series.json"
jq -e --arg h "$E2E_HOST" '.data.result | length > 0 and
  all(.metric.instance == $h and (.metric | has("exported_instance") | not))' "$DG_TMP/series.json" >/dev/null
ok $? "every driftguard series carries instance=\"$E2E_HOST\", none exported_instance"
dg_wait_for 20 settled BTCUSDT 0
ok $? "the next bucket's plan closes the drift"
dg_done
