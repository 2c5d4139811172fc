/* dec_literal.h - decimal literals for the C unit tests: a test's own
 * constant that does not parse is a broken test, so it bails out (TAP). */
#ifndef DRIFTGUARD_TEST_DEC_LITERAL_H
#define DRIFTGUARD_TEST_DEC_LITERAL_H

#include "driftguard/decimal.h"

#include <stdio.h>
#include <stdlib.h>

static inline dg_dec_t dec(const char *s) {
  dg_dec_t d = DG_DEC_ZERO;
  if (dg_dec_parse(s, &d) != 0) {
    printf("Bail out! bad decimal literal in test: %s\n", s);
    exit(1);
  }
  return d;
}

#endif
