# fuzz/: coverage-guided fuzz targets for every parser of untrusted bytes
# (fuzz.h), their seed corpora (fuzz/corpus/TARGET/) and a dictionary.
#
#   make check   fuzz/replay runs every corpus through its target (any
#                compiler; the sanitizers of --enable-sanitizers apply),
#                and with clang, each target is fuzzed for a few seconds
#                (fuzz/smoke.sh; DG_FUZZ_SMOKE_S, default 1)
#   make fuzz    each target under libFuzzer for FUZZ_TIME seconds (default
#                60); new inputs go to fuzz-work/TARGET, crashes to
#                fuzz-work/crash-*
FUZZ_TARGET_NAMES = plan bn_positions bn_order bn_exchange_info bn_reply \
	decimal conf json_flat

check_PROGRAMS += fuzz/replay
fuzz_replay_SOURCES = fuzz/replay.c fuzz/fail.c fuzz/fuzz.h fuzz/plan.c \
	fuzz/bn_positions.c fuzz/bn_order.c fuzz/bn_exchange_info.c \
	fuzz/bn_reply.c fuzz/decimal.c fuzz/conf.c fuzz/json_flat.c
fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS) -DDG_FUZZ_REPLAY
fuzz_replay_CFLAGS = $(UNIT_CFLAGS)
fuzz_replay_LDADD = $(UNIT_LDADD)

TESTS += fuzz/smoke.sh
EXTRA_DIST += fuzz/smoke.sh fuzz/driftguard.dict fuzz/corpus

# libFuzzer builds: clang, the fuzzer and the sanitizers on the targets
# and on every library source they reach (coverage needs them all). Plain
# shell loops: an object is rebuilt when its source or a header is newer.
FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-I$(top_srcdir)/include -I$(top_builddir) -I$(top_srcdir)/lib \
	-D_GNU_SOURCE -DDG_VERSION='"$(PACKAGE_VERSION)"' \
	-DSYSCONFDIR='"$(sysconfdir)"' \
	$(OPENSSL_CFLAGS) $(JSONC_CFLAGS) $(YAJL_CFLAGS) $(HIREDIS_CFLAGS) \
	$(CURL_CFLAGS)
FUZZ_LIBS = $(OPENSSL_LIBS) $(JSONC_LIBS) $(YAJL_LIBS) $(HIREDIS_LIBS) \
	$(CURL_LIBS)
FUZZ_LIBSRC = decimal sign secret keyfile keys plan drift json_flat text grow conf \
	binance_parse exchange binance_usdm http
FUZZ_TIME = 60

fuzz-build:
	@mkdir -p fuzz-bin/obj
	@header=$$(ls -t $(top_srcdir)/include/driftguard/*.h \
	  $(top_srcdir)/lib/*.h | head -n 1); \
	for src in $(FUZZ_LIBSRC); do \
	  obj=fuzz-bin/obj/$$src.o; \
	  if [ ! "$$obj" -nt "$(top_srcdir)/lib/$$src.c" ] || \
	     [ ! "$$obj" -nt "$$header" ]; then \
	    echo "  FUZZCC   lib/$$src.c"; \
	    $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c \
	      "$(top_srcdir)/lib/$$src.c" -o "$$obj" || exit 1; \
	  fi; \
	done
	@for t in $(FUZZ_TARGET_NAMES); do \
	  echo "  FUZZLD   fuzz-bin/$$t"; \
	  $(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
	    "$(top_srcdir)/fuzz/$$t.c" "$(top_srcdir)/fuzz/fail.c" \
	    fuzz-bin/obj/*.o $(FUZZ_LIBS) -o "fuzz-bin/$$t" || exit 1; \
	done

fuzz: fuzz-build
	@for t in $(FUZZ_TARGET_NAMES); do \
	  mkdir -p fuzz-work/$$t; \
	  echo "fuzz: $$t for $(FUZZ_TIME) s"; \
	  fuzz-bin/$$t -max_total_time=$(FUZZ_TIME) -print_final_stats=1 \
	    -dict=$(top_srcdir)/fuzz/driftguard.dict \
	    -artifact_prefix=fuzz-work/ fuzz-work/$$t \
	    $(top_srcdir)/fuzz/corpus/$$t || exit 1; \
	done

clean-local: clean-fuzz
clean-fuzz:
	rm -rf fuzz-bin fuzz-work

.PHONY: fuzz fuzz-build clean-fuzz
