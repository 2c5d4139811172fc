# tests/venues.mk: the scenarios that run on every venue, one file each.
# make check runs each of VENUE_SCENARIOS as itself (binance-usdm) and once
# more per other venue through a link NAME@VENUE.sh to the same file, made
# in the build tree; tests/harness.sh takes DG_VENUE from the name after
# '@'. One scenario on one venue: make check TESTS=tests/integration/
# e2e_drift@okx-swap.sh, or DG_VENUE=okx-swap make check TESTS=
# tests/integration/e2e_drift.sh.
VENUE_SCENARIOS = \
	tests/integration/e2e_drift.sh tests/integration/e2e_accounts.sh \
	tests/integration/e2e_battle.sh tests/integration/e2e_dry_run.sh \
	tests/integration/e2e_failover.sh tests/integration/e2e_hostile.sh \
	tests/integration/e2e_late_executor.sh tests/integration/e2e_ledger_lost.sh \
	tests/integration/e2e_property.sh tests/integration/e2e_rate_limit.sh \
	tests/integration/e2e_restart.sh tests/integration/e2e_scale.sh \
	tests/integration/executor_exactly_once.sh \
	tests/integration/executor_guardrails.sh \
	tests/integration/executor_ratelimit.sh \
	tests/integration/executor_chaos_kill.sh \
	tests/integration/executor_chaos_ambiguous.sh \
	tests/integration/executor_chaos_5xx_fate.sh \
	tests/integration/executor_chaos_lag_outcome.sh \
	tests/integration/executor_chaos_unresolved_ack.sh \
	tests/integration/executor_chaos_takeover_young_record.sh \
	tests/integration/executor_chaos_zombie.sh \
	tests/integration/executor_chaos_sigterm.sh \
	tests/integration/executor_chaos_redis.sh \
	tests/integration/executor_chaos_redis_drops.sh \
	tests/integration/executor_chaos_soak.sh \
	tests/integration/executor_chaos_collectd.sh \
	tests/integration/executor_chaos_collectd_frozen.sh \
	tests/integration/executor_chaos_oom.sh
VENUE_LINKS = $(VENUE_SCENARIOS:.sh=@bybit-linear.sh) \
	$(VENUE_SCENARIOS:.sh=@okx-swap.sh)
TESTS += $(VENUE_LINKS)
CLEANFILES += $(VENUE_LINKS)
$(VENUE_LINKS): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ && \
	ln -s '$(abs_top_srcdir)'/`echo $@ | sed 's/@[a-z-]*\.sh$$/.sh/'` $@
