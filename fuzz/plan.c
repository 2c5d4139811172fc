/* plan.c - fuzz target: the plan decoder (untrusted stream entries). A
 * plan that decodes encodes again and decodes to the same plan. */
#include "fuzz.h"

#include "driftguard/plan.h"

#include <string.h>

DG_FUZZ_TARGET(plan) {
  dg_plan_t p, q;
  char err[256], buf[DG_PLAN_MAX_BYTES * 2];
  if (dg_plan_decode((const char *)data, size, &p, err, sizeof err) != 0)
    return 0;
  DG_FUZZ_CHECK(dg_plan_encode(&p, buf, sizeof buf) > 0);
  DG_FUZZ_CHECK(dg_plan_decode(buf, strlen(buf), &q, err, sizeof err) == 0);
  DG_FUZZ_CHECK(
      strcmp(p.plan_id, q.plan_id) == 0 && strcmp(p.symbol, q.symbol) == 0 &&
      strcmp(p.side, q.side) == 0 && strcmp(p.hold_key, q.hold_key) == 0 &&
      p.reduce_only == q.reduce_only && p.ts == q.ts);
  DG_FUZZ_CHECK(dg_dec_cmp(p.qty, q.qty) == 0 &&
                dg_dec_cmp(p.exchange_amt, q.exchange_amt) == 0 &&
                dg_dec_cmp(p.ledger_amt, q.ledger_amt) == 0);
  DG_FUZZ_CHECK(dg_symbol_valid(p.symbol, strlen(p.symbol)));
  return 0;
}
