/* ban.h - the exchange back-off shared by the plugin and the executor
 * (SPEC section 1: key P:exchange:ban_until, value = ms epoch, TTL until
 * then). Whoever sees a 418/429 stores the time; everyone checks it before
 * calling the exchange. */
#ifndef DRIFTGUARD_BAN_H
#define DRIFTGUARD_BAN_H

#include "driftguard/redis.h"

#include <stdint.h>

/* How long a malformed stored value bans the exchange (see dg_ban_check). */
#define DG_BAN_MALFORMED_MS 60000

/* Record a ban until until_ms (ms epoch). Atomic (one script): extends an
 * existing ban, never shortens it; a past until_ms is a no-op. The key
 * expires at until_ms. Returns 0, -1 on a Redis error (reason in
 * dg_redis_last_error). */
int dg_ban_store(dg_redis_t *r, const char *prefix, int64_t until_ms,
                 int64_t now_ms);

/* Returns 1 when calls to the exchange must wait (until_ms set), 0 when not,
 * -1 on a Redis error (connection down or an error reply; reason in
 * dg_redis_last_error). A stored value that is not a decimal ms epoch (or a
 * key of another type) is logged and treated as a ban of
 * DG_BAN_MALFORMED_MS from now, written back so it expires by itself:
 * garbage never makes the callers hammer the exchange nor stops them
 * forever. */
int dg_ban_check(dg_redis_t *r, const char *prefix, int64_t now_ms,
                 int64_t *until_ms);

#endif
