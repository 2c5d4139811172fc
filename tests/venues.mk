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
	tests/integration/e2e_market_max.sh tests/integration/e2e_hedge.sh \
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
# On the other venues these run only with DG_ALL_VENUES=1 (make check
# DG_ALL_VENUES=1, or in the environment): they drive Redis and the
# consumer group (failover, dropped connections, outages, racing consumers,
# random kills) or random volume through the loop, which the scenarios above
# already take through each venue's driver; they add 5 minutes on 2 cores.
# Without it their venue links report SKIP.
VENUE_SCENARIOS_ALL_ONLY = e2e_property e2e_failover executor_chaos_soak \
	executor_chaos_zombie executor_chaos_redis executor_chaos_redis_drops
AM_TESTS_ENVIRONMENT += DG_VENUE_SCENARIOS_ALL_ONLY='$(VENUE_SCENARIOS_ALL_ONLY)' \
	DG_ALL_VENUES='$(DG_ALL_VENUES)'; export DG_VENUE_SCENARIOS_ALL_ONLY DG_ALL_VENUES;
VENUE_LINKS = $(VENUE_SCENARIOS:.sh=@bybit-linear.sh) \
	$(VENUE_SCENARIOS:.sh=@okx-swap.sh)
TESTS += $(VENUE_LINKS)
CLEANFILES += $(VENUE_LINKS)
$(VENUE_LINKS): Makefile
	$(AM_V_GEN)$(MKDIR_P) $(@D) && rm -f $@ && \
	ln -s '$(abs_top_srcdir)'/`echo $@ | sed 's/@[a-z-]*\.sh$$/.sh/'` $@
