# bench/: figures, not tests (make check never runs them). `make bench`
# runs the whole-loop latency benchmark against this build tree; see
# bench/README.md.
BENCH_NEEDS = sim/driftguard-exchange-sim$(EXEEXT) \
	executor/driftguard-executor$(EXEEXT) plugins/reconcile.la
bench: $(BENCH_NEEDS)
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)' \
		$(SHELL) $(top_srcdir)/bench/loop_latency.sh
.PHONY: bench
EXTRA_DIST += bench/README.md bench/loop_latency.sh
