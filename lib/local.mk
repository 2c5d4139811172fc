# lib/: libdriftguard, the internal library shared by the plugin, the
# executor, the simulator and the tools. Built as PIC so reconcile.so can
# carry it. Each group of sources keeps its rules in its own fragment.
noinst_LTLIBRARIES += lib/libdriftguard.la
lib_libdriftguard_la_SOURCES = \
	include/driftguard/decimal.h lib/decimal.c \
	include/driftguard/sign.h lib/sign.c \
	include/driftguard/keys.h lib/keys.c
lib_libdriftguard_la_CFLAGS = $(AM_CFLAGS) -fPIC $(OPENSSL_CFLAGS) \
	$(JSONC_CFLAGS) $(YAJL_CFLAGS) $(HIREDIS_CFLAGS) $(CURL_CFLAGS)
lib_libdriftguard_la_LIBADD = $(OPENSSL_LIBS) $(JSONC_LIBS) $(YAJL_LIBS) $(HIREDIS_LIBS) \
	$(CURL_LIBS)

include lib/logic.mk
include lib/infra.mk
include lib/exchange.mk
include lib/executor_conf.mk
