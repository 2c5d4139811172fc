# lib/executor_conf.mk: the executor's config file (SPEC section 8), one
# reader for driftguard-executor and driftguard-ctl, and its unit test.
# Included from lib/local.mk.
lib_libdriftguard_la_SOURCES += \
	include/driftguard/executor_conf.h lib/executor_conf.c

check_PROGRAMS += tests/unit/test_executor_conf
tests_unit_test_executor_conf_SOURCES = tests/unit/test_executor_conf.c \
	tests/tap.h
tests_unit_test_executor_conf_LDADD = $(UNIT_LDADD)
tests_unit_test_executor_conf_CFLAGS = $(UNIT_CFLAGS)

TESTS += tests/unit/test_executor_conf
