/* bn_positions.c - fuzz target: Binance positionRisk replies, for all
 * symbols and for one. What is accepted lists each (symbol, leg) once,
 * sorted by symbol then leg, open positions only, a LONG leg never below 0
 * and a SHORT leg never above; one symbol's reply has exactly that symbol,
 * its one-way row or its LONG then SHORT leg. */
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
      int cmp = i == 0 ? -1 : strcmp(p[i - 1].symbol, p[i].symbol);
      DG_FUZZ_CHECK(!dg_dec_is_zero(p[i].amt));
      DG_FUZZ_CHECK(cmp < 0 || (cmp == 0 && p[i - 1].leg < p[i].leg));
      DG_FUZZ_CHECK(p[i].leg != DG_LEG_LONG || dg_dec_sign(p[i].amt) > 0);
      DG_FUZZ_CHECK(p[i].leg != DG_LEG_SHORT || dg_dec_sign(p[i].amt) < 0);
    }
    DG_FUZZ_CHECK((n == 0) == (p == NULL));
  } else {
    DG_FUZZ_CHECK(p == NULL && err[0] != '\0');
  }
  free(p);
  p = NULL;
  if (dg_bn_parse_positions((const char *)data, size, "BTCUSDT", &p, &n, err,
                            sizeof err) == 0) {
    DG_FUZZ_CHECK(
        (n == 1 && p[0].leg == DG_LEG_BOTH) ||
        (n == 2 && p[0].leg == DG_LEG_LONG && p[1].leg == DG_LEG_SHORT));
    for (size_t i = 0; i < n; i++)
      DG_FUZZ_CHECK(strcmp(p[i].symbol, "BTCUSDT") == 0);
  }
  free(p);
  return 0;
}
