/* rules_cache.h - private: a driver's cached copy of its venue's symbol
 * rules, sorted by symbol (a poll looks up every watched symbol: a linear
 * search would cost symbols x listed symbols), refreshed when older than
 * an hour, and refetched for a symbol it does not know at most once a
 * minute (a typo in a watch list must not fetch the whole list per poll). */
#ifndef DRIFTGUARD_RULES_CACHE_H
#define DRIFTGUARD_RULES_CACHE_H

#include "exchange_driver.h"

#define DG_RULES_MAX_AGE_MS INT64_C(3600000) /* refresh hourly */
#define DG_RULES_MIN_RETRY_MS INT64_C(60000) /* at most once a minute */

typedef struct {
  dg_symbol_rules_t *rules; /* sorted by symbol */
  size_t n;
  int tried;                    /* a fetch was attempted */
  int64_t fetched_at, tried_at; /* monotonic ms */
} dg_rules_cache_t;

/* Fetches the venue's whole list into *out (malloc'd, any order). */
typedef dg_ex_status_t (*dg_rules_fetch_t)(dg_exchange_t *ex,
                                           dg_symbol_rules_t **out, size_t *n,
                                           dg_ex_result_t *res);

/* symbol's rules into *out, fetching through fetch when the cache is due.
 * A failed hourly refresh keeps serving the rules already known. A symbol
 * that is not valid (dg_symbol_valid) or that the list lacks:
 * DG_EX_REFUSED with reason DG_EX_REASON_UNKNOWN_SYMBOL, code
 * unknown_code (the venue's) and "SYMBOL is not listed " + listing. */
dg_ex_status_t dg_rules_cache_get(dg_rules_cache_t *c, dg_exchange_t *ex,
                                  dg_rules_fetch_t fetch, const char *symbol,
                                  int unknown_code, const char *listing,
                                  dg_symbol_rules_t *out, dg_ex_result_t *res);
void dg_rules_cache_free(dg_rules_cache_t *c);

#endif
