/* exchange_rules.c - the symbol rules cache every driver keeps (see
 * dg_ex_rules_cache_t in exchange_driver.h): sorted by symbol, refreshed
 * hourly, an unknown symbol refetching at most once a minute. */
#include "exchange_driver.h"

#include "driftguard/plan.h"

#include <stdlib.h>
#include <string.h>

static int rules_cmp(const void *x, const void *y) {
  return strcmp(((const dg_symbol_rules_t *)x)->symbol,
                ((const dg_symbol_rules_t *)y)->symbol);
}

static int rules_key_cmp(const void *symbol, const void *rules) {
  return strcmp(symbol, ((const dg_symbol_rules_t *)rules)->symbol);
}

static const dg_symbol_rules_t *find(const dg_ex_rules_cache_t *c,
                                     const char *symbol) {
  if (c->n == 0)
    return NULL;
  return bsearch(symbol, c->rules, c->n, sizeof(*c->rules), rules_key_cmp);
}

static dg_ex_status_t refresh(dg_ex_rules_cache_t *c, dg_exchange_t *ex,
                              dg_ex_rules_fetch_fn fetch, dg_ex_result_t *res) {
  dg_symbol_rules_t *rules = NULL;
  size_t n = 0;
  c->tried = 1;
  c->tried_at = dg_ex_mono_ms();
  if (fetch(ex, &rules, &n, res) != DG_EX_OK)
    return res->status;
  if (n > 1)
    qsort(rules, n, sizeof(*rules), rules_cmp);
  free(c->rules);
  c->rules = rules;
  c->n = n;
  c->fetched_at = c->tried_at;
  return DG_EX_OK;
}

dg_ex_status_t dg_ex_rules_get(dg_ex_rules_cache_t *c, dg_exchange_t *ex,
                               dg_ex_rules_fetch_fn fetch, const char *symbol,
                               const char *where, int unknown_code,
                               dg_symbol_rules_t *out, dg_ex_result_t *res) {
  const dg_symbol_rules_t *r;
  int64_t now = dg_ex_mono_ms();
  int stale = c->rules == NULL || now - c->fetched_at >= DG_EX_RULES_MAX_AGE_MS;

  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol)))
    return dg_ex_bad_symbol(res, symbol, unknown_code);
  r = find(c, symbol);
  if ((stale || r == NULL) &&
      (!c->tried || now - c->tried_at >= DG_EX_RULES_MIN_RETRY_MS)) {
    if (refresh(c, ex, fetch, res) != DG_EX_OK) {
      int used = res->rate_used; /* the fetch's, for the caller's gauge */
      if (r == NULL)
        return res->status;
      /* A failed hourly refresh keeps serving the rules already known:
       * nothing of its failure (message, code, retry time) stays in an
       * OK result. */
      dg_ex_result_init(res);
      res->rate_used = used;
    }
    r = find(c, symbol);
  }
  if (r == NULL) {
    res->reason = DG_EX_REASON_UNKNOWN_SYMBOL;
    res->code = unknown_code;
    return dg_ex_result_set(res, DG_EX_REFUSED, "%s is not listed %s", symbol,
                            where);
  }
  *out = *r;
  return DG_EX_OK;
}

void dg_ex_rules_free(dg_ex_rules_cache_t *c) {
  free(c->rules);
  c->rules = NULL;
  c->n = 0;
}
