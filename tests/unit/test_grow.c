/* Unit tests of the growable array (lib/grow.c): doubling from the first
 * capacity, the items kept, and a size that cannot be allocated refused
 * with the array unchanged. */
#include "../tap.h"
#include "driftguard/grow.h"

#include <stdint.h>
#include <stdlib.h>

int main(void) {
  int *v = NULL;
  size_t cap = 0, n = 0;
  int kept = 1;
  for (int i = 0; i < 100; i++) {
    if (dg_grow(&v, &cap, n, sizeof *v, 4) != 0)
      break;
    v[n++] = i;
  }
  ok(n == 100, "100 items appended (%zu)", n);
  ok(cap == 128, "capacity doubled from 4 to 128 (%zu)", cap);
  for (size_t i = 0; i < n; i++)
    kept &= v[i] == (int)i;
  ok(kept, "every item kept across the moves");
  ok(dg_grow(&v, &cap, 50, sizeof *v, 4) == 0 && cap == 128,
     "room left: nothing moves");
  {
    int *before = v;
    size_t huge = SIZE_MAX / 2;
    ok(dg_grow(&v, &huge, huge, sizeof *v, 4) == -1 && v == before,
       "an impossible size is refused, the array unchanged");
  }
  free(v);
  return tap_done();
}
