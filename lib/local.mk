# lib/: libdriftguard, the internal library shared by the plugin, the
# executor, the simulator and the tools. Built as PIC so reconcile.so can
# carry it.
noinst_LTLIBRARIES += lib/libdriftguard.la
lib_libdriftguard_la_SOURCES = \
	include/driftguard/decimal.h lib/decimal.c \
	include/driftguard/sign.h lib/sign.c
lib_libdriftguard_la_CFLAGS = $(AM_CFLAGS) -fPIC $(OPENSSL_CFLAGS)
lib_libdriftguard_la_LIBADD = $(OPENSSL_LIBS)
