# executor/: driftguard-executor, the daemon that consumes RECONCILE_CLOSE
# plans and closes drift exactly once (SPEC section 4).
sbin_PROGRAMS += executor/driftguard-executor

EXECUTOR_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
EXECUTOR_CFLAGS = $(AM_CFLAGS) -pthread $(HIREDIS_CFLAGS) $(JSONC_CFLAGS) \
	$(CURL_CFLAGS) $(LCC_CFLAGS) $(SYSTEMD_CFLAGS)

executor_driftguard_executor_SOURCES = \
	executor/main.c \
	executor/executor.h executor/rcmd.c \
	executor/config.h executor/config.c \
	executor/invariants.h executor/invariants.c \
	executor/consumer.h executor/consumer.c \
	executor/batch.h executor/batch.c \
	executor/apply.h executor/apply.c executor/resolve.c executor/facts.c \
	executor/verdict.h executor/verdict.c \
	executor/exchange_call.h executor/exchange_call.c \
	executor/dedupe.h executor/dedupe.c \
	executor/replicas.h executor/replicas.c \
	executor/results.h executor/results.c \
	executor/metrics.h executor/metrics.c
executor_driftguard_executor_CPPFLAGS = $(EXECUTOR_CPPFLAGS)
executor_driftguard_executor_CFLAGS = $(EXECUTOR_CFLAGS)
executor_driftguard_executor_LDFLAGS = $(AM_LDFLAGS) -pthread
executor_driftguard_executor_LDADD = lib/libdriftguard.la $(HIREDIS_LIBS) \
	$(JSONC_LIBS) $(LCC_LIBS) $(SYSTEMD_LIBS)

# The guardrails are pure: tested directly, without Redis or an exchange.
check_PROGRAMS += tests/unit/test_invariants
tests_unit_test_invariants_SOURCES = tests/unit/test_invariants.c tests/tap.h \
	executor/invariants.h executor/invariants.c
tests_unit_test_invariants_CPPFLAGS = $(EXECUTOR_CPPFLAGS)
tests_unit_test_invariants_CFLAGS = $(EXECUTOR_CFLAGS)
tests_unit_test_invariants_LDADD = lib/libdriftguard.la

# The exactly-once table: verdict x record held -> what is written.
check_PROGRAMS += tests/unit/test_verdict
tests_unit_test_verdict_SOURCES = tests/unit/test_verdict.c tests/tap.h \
	executor/verdict.h executor/verdict.c
tests_unit_test_verdict_CPPFLAGS = $(EXECUTOR_CPPFLAGS)
tests_unit_test_verdict_CFLAGS = $(EXECUTOR_CFLAGS)

# The exactly-once record's encoding (linked with the Redis helpers it uses).
check_PROGRAMS += tests/unit/test_executor_dedupe
tests_unit_test_executor_dedupe_SOURCES = tests/unit/test_executor_dedupe.c \
	tests/tap.h executor/dedupe.h executor/dedupe.c executor/executor.h \
	executor/rcmd.c
tests_unit_test_executor_dedupe_CPPFLAGS = $(EXECUTOR_CPPFLAGS)
tests_unit_test_executor_dedupe_CFLAGS = $(EXECUTOR_CFLAGS)
tests_unit_test_executor_dedupe_LDADD = lib/libdriftguard.la $(HIREDIS_LIBS) \
	$(JSONC_LIBS) $(SYSTEMD_LIBS)

EXECUTOR_INTEGRATION_TESTS = tests/integration/executor_execute.sh \
	tests/integration/executor_guardrails.sh \
	tests/integration/executor_config.sh \
	tests/integration/executor_sighup.sh \
	tests/integration/executor_big_reply.sh \
	tests/integration/executor_dedupe_future_stamp.sh \
	tests/integration/executor_log_flood.sh \
	tests/integration/executor_ratelimit.sh \
	tests/integration/executor_ban_store_refused.sh \
	tests/integration/executor_send_time.sh \
	tests/integration/executor_exactly_once.sh \
	tests/integration/executor_recovery.sh \
	tests/integration/executor_metrics.sh \
	tests/integration/executor_redis.sh \
	tests/integration/executor_chaos_unresolved_ack.sh \
	tests/integration/executor_chaos_takeover_young_record.sh \
	tests/integration/executor_chaos_lag_outcome.sh \
	tests/integration/executor_chaos_oom.sh \
	tests/integration/executor_chaos_collectd_frozen.sh \
	tests/integration/executor_hostname_shared.sh \
	tests/integration/executor_unresolved_giveup.sh \
	tests/integration/executor_group_start.sh \
	tests/integration/executor_min_replicas.sh \
	tests/integration/e2e_late_executor.sh
TESTS += tests/unit/test_invariants tests/unit/test_verdict \
	tests/unit/test_executor_dedupe \
	$(EXECUTOR_INTEGRATION_TESTS)
EXTRA_DIST += $(EXECUTOR_INTEGRATION_TESTS) tests/integration/executor_lib.sh
