/* bn_exchange_info.c - fuzz target: Binance exchangeInfo replies (the
 * MARKET_LOT_SIZE rules). Every rule accepted has a positive step. */
#include "fuzz.h"

#include "driftguard/binance_parse.h"

#include <stdlib.h>

DG_FUZZ_TARGET(bn_exchange_info) {
  dg_symbol_rules_t *r = NULL;
  size_t n = 0;
  char err[256];
  if (dg_bn_parse_exchange_info((const char *)data, size, &r, &n, err,
                                sizeof err) == 0) {
    for (size_t i = 0; i < n; i++)
      DG_FUZZ_CHECK(dg_dec_sign(r[i].step) > 0 && r[i].symbol[0] != '\0');
    free(r);
  }
  return 0;
}
