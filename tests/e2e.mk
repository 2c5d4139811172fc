# tests/e2e.mk: the end-to-end tests of the whole loop (real redis-server,
# the simulator, reconcile.so inside real collectd daemons with unixsock
# and write_prometheus, real driftguard-executor processes).
E2E_TESTS = tests/integration/e2e_drift.sh tests/integration/e2e_battle.sh \
	tests/integration/e2e_hostile.sh tests/integration/e2e_scale.sh \
	tests/integration/e2e_rate_limit.sh tests/integration/e2e_accounts.sh \
	tests/integration/e2e_restart.sh tests/integration/e2e_dry_run.sh \
	tests/integration/e2e_ledger_lost.sh tests/integration/e2e_property.sh \
	tests/integration/e2e_hedge.sh tests/integration/e2e_property_hedge.sh \
	tests/integration/e2e_market_max.sh \
	tests/integration/hostname_default.sh \
	tests/integration/e2e_failover.sh tests/integration/redis_acl.sh \
	tests/integration/redis_tls.sh tests/integration/e2e_bybit.sh \
	tests/integration/e2e_okx.sh
TESTS += $(E2E_TESTS)
# e2e_lib.sh reuses the plugin's and the executor's test set-up.
EXTRA_DIST += $(E2E_TESTS) tests/integration/e2e_lib.sh \
	tests/integration/plugin_common.sh tests/integration/executor_lib.sh
