/* bn_positions.c - fuzz target: Binance positionRisk replies, for all
 * symbols and for one. What is accepted lists each symbol once, sorted,
 * open positions only; one symbol's reply has exactly that symbol. */
#include "fuzz.h"

#include "driftguard/binance_parse.h"

#include <stdlib.h>
#include <string.h>

DG_FUZZ_TARGET(bn_positions) {
  dg_position_t *p = NULL;
  size_t n = 0;
  char err[256];
  if (dg_bn_parse_positions((const char *)data, size, NULL, &p, &n, err,
                            sizeof err) == 0) {
    for (size_t i = 0; i < n; i++) {
      DG_FUZZ_CHECK(!dg_dec_is_zero(p[i].amt));
      DG_FUZZ_CHECK(i == 0 || strcmp(p[i - 1].symbol, p[i].symbol) < 0);
    }
    DG_FUZZ_CHECK((n == 0) == (p == NULL));
  } else {
    DG_FUZZ_CHECK(p == NULL && err[0] != '\0');
  }
  free(p);
  p = NULL;
  if (dg_bn_parse_positions((const char *)data, size, "BTCUSDT", &p, &n, err,
                            sizeof err) == 0) {
    DG_FUZZ_CHECK(n == 1 && strcmp(p[0].symbol, "BTCUSDT") == 0);
  }
  free(p);
  return 0;
}
