# tests/chaos.mk: the executor's chaos tests (crashes at every step,
# ambiguous exchange replies, Redis and collectd outages, signals, two live
# consumers, random kills and dropped Redis connections).
CHAOS_TESTS = \
	tests/integration/executor_chaos_kill.sh \
	tests/integration/executor_chaos_ambiguous.sh \
	tests/integration/executor_chaos_redis.sh \
	tests/integration/executor_chaos_collectd.sh \
	tests/integration/executor_chaos_sigterm.sh \
	tests/integration/executor_chaos_zombie.sh \
	tests/integration/executor_chaos_soak.sh \
	tests/integration/executor_chaos_redis_drops.sh \
	tests/integration/executor_chaos_5xx_fate.sh \
	tests/integration/executor_chaos_hostile_replies.sh
TESTS += $(CHAOS_TESTS)
EXTRA_DIST += $(CHAOS_TESTS) tests/integration/executor_chaos_lib.sh
