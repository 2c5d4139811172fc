/* fail.c - how a fuzz target reports a broken property (fuzz.h). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>

void dg_fuzz_fail(const char *what, const char *file, int line) {
  fprintf(stderr, "%s:%d: property broken: %s\n", file, line, what);
  abort();
}
