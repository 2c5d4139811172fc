/* decimal.c - fuzz target: the exact decimal parser. What parses formats
 * back to text that parses to the same value. */
#include "fuzz.h"

#include "driftguard/decimal.h"

#include <string.h>

DG_FUZZ_TARGET(decimal) {
  dg_dec_t d, back;
  char text[DG_DEC_STRLEN];
  if (dg_dec_parse_n((const char *)data, size, &d) != 0)
    return 0;
  DG_FUZZ_CHECK(dg_dec_format(d, text, sizeof text) > 0);
  DG_FUZZ_CHECK(dg_dec_parse(text, &back) == 0 && dg_dec_cmp(d, back) == 0);
  DG_FUZZ_CHECK(memchr(data, '\0', size) == NULL);
  return 0;
}
