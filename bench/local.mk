# bench/: figures, not tests (make check never runs them). `make bench`
# runs every benchmark in BENCHMARKS against this build tree, on loopback;
# see bench/README.md. Figures mean something only from an optimised build
# without --enable-sanitizers (e.g. CFLAGS='-O2 -g').
BENCHMARKS = bench/loop_latency.sh bench/plugin_poll.sh bench/executor_throughput.sh
BENCH_NEEDS = sim/driftguard-exchange-sim$(EXEEXT) \
	executor/driftguard-executor$(EXEEXT) plugins/reconcile.la \
	bench/dg-bench-plans$(EXEEXT)

# Benchmark helpers, built only by `make bench`.
EXTRA_PROGRAMS = bench/dg-bench-plans
bench_dg_bench_plans_SOURCES = bench/plan_backlog.c
bench_dg_bench_plans_LDADD = lib/libdriftguard.la
CLEANFILES += $(EXTRA_PROGRAMS)

bench: $(BENCH_NEEDS)
	@for s in $(BENCHMARKS); do \
	  echo "== $$s"; \
	  top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
	    $(SHELL) '$(abs_top_srcdir)'/$$s || exit 1; \
	done
.PHONY: bench
EXTRA_DIST += bench/README.md $(BENCHMARKS)
