/* keys.h - the Redis key names of SPEC section 1 (and the executor's own),
 * built here so the plugin, the executor and the tools can never disagree.
 * The ledger key is the exception: its template is configured (LedgerKey;
 * dg_key_ledger_default is the default one). Each returns the length
 * written, or -1 when the name does not fit in size bytes. */
#ifndef DRIFTGUARD_KEYS_H
#define DRIFTGUARD_KEYS_H

#include <stddef.h>
#include <stdint.h>

#define DG_KEY_MAX 256

int dg_key_hold(char *buf, size_t size, const char *prefix, const char *symbol);
int dg_key_hold_reason(char *buf, size_t size, const char *prefix,
                       const char *symbol);
int dg_key_hold_sig(char *buf, size_t size, const char *prefix,
                    const char *symbol);
int dg_key_cooldown(char *buf, size_t size, const char *prefix,
                    const char *symbol, const char *signature, int64_t bucket);
int dg_key_plan_stream(char *buf, size_t size, const char *prefix);
int dg_key_result_stream(char *buf, size_t size, const char *prefix);
int dg_key_dedupe(char *buf, size_t size, const char *prefix,
                  const char *plan_id);
int dg_key_ban_until(char *buf, size_t size, const char *prefix);
/* Set by the executor while RedisMinReplicas replicas do not acknowledge
 * (a JSON object), for driftguard-ctl status. */
int dg_key_replicas_short(char *buf, size_t size, const char *prefix);
/* P:ledger:{symbol}, the default LedgerKey template. */
int dg_key_ledger_default(char *buf, size_t size, const char *prefix);
/* P:executor:consumer:GROUP:CONSUMER, the consumer name's lease. */
int dg_key_consumer_lease(char *buf, size_t size, const char *prefix,
                          const char *group, const char *consumer);
/* P:executor:metrics_host:HOSTNAME, who sends metrics under HOSTNAME. */
int dg_key_metrics_host(char *buf, size_t size, const char *prefix,
                        const char *hostname);

#define DG_HOLD_REASON "reconcile_drift"
#define DG_DECISION_CLOSE "RECONCILE_CLOSE"
#define DG_DEFAULT_PREFIX "quantum"
#define DG_DEFAULT_SOURCE "p3.4"

#endif
