# lib/logic.mk: the pure logic of libdriftguard (drift math, plan codec,
# streamed JSON) and its unit tests. Included from lib/local.mk.
lib_libdriftguard_la_SOURCES += \
	include/driftguard/drift.h lib/drift.c \
	include/driftguard/plan.h lib/plan.c \
	include/driftguard/json_flat.h lib/json_flat.c \
	include/driftguard/text.h lib/text.c \
	include/driftguard/grow.h lib/grow.c \
	include/driftguard/suggest.h lib/suggest.c

check_PROGRAMS += tests/unit/test_drift tests/unit/test_plan \
	tests/unit/test_json_flat tests/unit/test_suggest tests/unit/test_grow
tests_unit_test_grow_SOURCES = tests/unit/test_grow.c tests/tap.h
tests_unit_test_grow_LDADD = $(UNIT_LDADD)
tests_unit_test_grow_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_suggest_SOURCES = tests/unit/test_suggest.c tests/tap.h
tests_unit_test_suggest_LDADD = $(UNIT_LDADD)
tests_unit_test_suggest_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_json_flat_SOURCES = tests/unit/test_json_flat.c tests/tap.h
tests_unit_test_json_flat_LDADD = $(UNIT_LDADD)
tests_unit_test_json_flat_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_drift_SOURCES = tests/unit/test_drift.c tests/tap.h
tests_unit_test_drift_LDADD = $(UNIT_LDADD)
tests_unit_test_drift_CFLAGS = $(UNIT_CFLAGS)
tests_unit_test_plan_SOURCES = tests/unit/test_plan.c tests/tap.h
tests_unit_test_plan_LDADD = $(UNIT_LDADD)
tests_unit_test_plan_CFLAGS = $(UNIT_CFLAGS)

TESTS += tests/unit/test_drift tests/unit/test_plan tests/unit/test_json_flat \
	tests/unit/test_suggest tests/unit/test_grow
