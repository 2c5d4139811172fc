/* rules_cache.c - the sorted, hourly refreshed symbol rules cache of
 * rules_cache.h, shared by the exchange drivers. */
#include "rules_cache.h"

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

static const dg_symbol_rules_t *find(const dg_rules_cache_t *c,
                                     const char *symbol) {
  if (c->n == 0)
    return NULL;
  return bsearch(symbol, c->rules, c->n, sizeof(*c->rules), rules_key_cmp);
}

static dg_ex_status_t refetch(dg_rules_cache_t *c, dg_exchange_t *ex,
                              dg_rules_fetch_t fetch, dg_ex_result_t *res) {
  dg_symbol_rules_t *rules = NULL;
  size_t n = 0;
  c->tried = 1;
  c->tried_at = dg_ex_mono_ms();
  if (fetch(ex, &rules, &n, res) != DG_EX_OK)
    return res->status;
  qsort(rules, n, sizeof(*rules), rules_cmp);
  free(c->rules);
  c->rules = rules;
  c->n = n;
  c->fetched_at = c->tried_at;
  return DG_EX_OK;
}

static void unknown(dg_ex_result_t *res, int code) {
  res->reason = DG_EX_REASON_UNKNOWN_SYMBOL;
  res->code = code;
}

dg_ex_status_t dg_rules_cache_get(dg_rules_cache_t *c, dg_exchange_t *ex,
                                  dg_rules_fetch_t fetch, const char *symbol,
                                  int unknown_code, const char *listing,
                                  dg_symbol_rules_t *out, dg_ex_result_t *res) {
  const dg_symbol_rules_t *r;
  int64_t now = dg_ex_mono_ms();
  int stale = c->rules == NULL || now - c->fetched_at >= DG_RULES_MAX_AGE_MS;

  dg_ex_result_init(res);
  if (symbol == NULL || !dg_symbol_valid(symbol, strlen(symbol))) {
    unknown(res, unknown_code);
    return dg_ex_result_set(res, DG_EX_REFUSED, "invalid symbol \"%.40s\"",
                            symbol ? symbol : "(null)");
  }
  r = find(c, symbol);
  if ((stale || r == NULL) &&
      (!c->tried || now - c->tried_at >= DG_RULES_MIN_RETRY_MS)) {
    if (refetch(c, ex, fetch, res) != DG_EX_OK) {
      int used = res->rate_used; /* the fetch's, for the caller's gauge */
      if (r == NULL)
        return res->status;
      /* A failed hourly refresh keeps serving the rules already known. */
      dg_ex_result_init(res);
      res->rate_used = used;
    }
    r = find(c, symbol);
  }
  if (r == NULL) {
    unknown(res, unknown_code);
    return dg_ex_result_set(res, DG_EX_REFUSED, "%s is not listed %s", symbol,
                            listing);
  }
  *out = *r;
  return DG_EX_OK;
}

void dg_rules_cache_free(dg_rules_cache_t *c) {
  free(c->rules);
  c->rules = NULL;
  c->n = 0;
}
