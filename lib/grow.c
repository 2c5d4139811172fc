/* grow.c - the growable array of grow.h. */
#include "driftguard/grow.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int dg_grow(void *items, size_t *cap, size_t n, size_t size, size_t min_cap) {
  void *p, *grown;
  size_t want;
  if (n < *cap)
    return 0;
  want = *cap > 0 ? 2 * *cap : min_cap;
  if (want < n + 1 || want > SIZE_MAX / size)
    return -1;
  memcpy(&p, items, sizeof p);
  if ((grown = realloc(p, want * size)) == NULL)
    return -1;
  memcpy(items, &grown, sizeof grown);
  *cap = want;
  return 0;
}
