/* keys.c - Redis key names of SPEC section 1. */
#include "driftguard/keys.h"

#include <inttypes.h>
#include <stdio.h>

static int fit(int n, size_t size) {
  return (n < 0 || (size_t)n >= size) ? -1 : n;
}

int dg_key_hold(char *buf, size_t size, const char *prefix,
                const char *symbol) {
  return fit(snprintf(buf, size, "%s:reconcile:hold:%s", prefix, symbol), size);
}

int dg_key_hold_reason(char *buf, size_t size, const char *prefix,
                       const char *symbol) {
  return fit(snprintf(buf, size, "%s:reconcile:hold_reason:%s", prefix, symbol),
             size);
}

int dg_key_hold_sig(char *buf, size_t size, const char *prefix,
                    const char *symbol) {
  return fit(snprintf(buf, size, "%s:reconcile:hold_sig:%s", prefix, symbol),
             size);
}

int dg_key_cooldown(char *buf, size_t size, const char *prefix,
                    const char *symbol, const char *signature, int64_t bucket) {
  return fit(snprintf(buf, size, "%s:reconcile:close:cooldown:%s:%s:%" PRId64,
                      prefix, symbol, signature, bucket),
             size);
}

int dg_key_plan_stream(char *buf, size_t size, const char *prefix) {
  return fit(snprintf(buf, size, "%s:stream:reconcile.close", prefix), size);
}

int dg_key_result_stream(char *buf, size_t size, const char *prefix) {
  return fit(snprintf(buf, size, "%s:stream:reconcile.close.result", prefix),
             size);
}

int dg_key_dedupe(char *buf, size_t size, const char *prefix,
                  const char *plan_id) {
  return fit(snprintf(buf, size, "%s:apply:dedupe:%s", prefix, plan_id), size);
}

int dg_key_ban_until(char *buf, size_t size, const char *prefix) {
  return fit(snprintf(buf, size, "%s:exchange:ban_until", prefix), size);
}

int dg_key_replicas_short(char *buf, size_t size, const char *prefix) {
  return fit(snprintf(buf, size, "%s:executor:replicas_short", prefix), size);
}

int dg_key_ledger_default(char *buf, size_t size, const char *prefix) {
  return fit(snprintf(buf, size, "%s:ledger:{symbol}", prefix), size);
}

int dg_key_consumer_lease(char *buf, size_t size, const char *prefix,
                          const char *group, const char *consumer) {
  return fit(snprintf(buf, size, "%s:executor:consumer:%s:%s", prefix, group,
                      consumer),
             size);
}

int dg_key_metrics_host(char *buf, size_t size, const char *prefix,
                        const char *hostname) {
  return fit(
      snprintf(buf, size, "%s:executor:metrics_host:%s", prefix, hostname),
      size);
}
