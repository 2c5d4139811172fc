/* bn_order.c - fuzz target: Binance order replies (POST and GET
 * /fapi/v1/order). What is accepted has every field the executor uses. */
#include "fuzz.h"

#include "driftguard/binance_parse.h"

DG_FUZZ_TARGET(bn_order) {
  dg_order_t o;
  char err[256];
  if (dg_bn_parse_order((const char *)data, size, &o, err, sizeof err) == 0)
    DG_FUZZ_CHECK(o.symbol[0] != '\0' && o.client_order_id[0] != '\0' &&
                  o.status[0] != '\0' && o.side[0] != '\0');
  return 0;
}
