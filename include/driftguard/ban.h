/* ban.h - the exchange back-off shared by the plugin and the executor
 * (SPEC section 1: key P:exchange:ban_until, value = ms epoch, TTL until
 * then). Whoever sees a 418/429 stores the time; everyone checks it before
 * calling the exchange. */
#ifndef DRIFTGUARD_BAN_H
#define DRIFTGUARD_BAN_H

#include "driftguard/exchange.h"
#include "driftguard/redis.h"

#include <stdint.h>

/* How long a malformed stored value bans the exchange (see dg_ban_check). */
#define DG_BAN_MALFORMED_MS 60000

/* Nothing here logs: err (always set, "" when there is nothing to say)
 * tells the caller what to log. */

/* When an exchange answer asks every caller to back off (429 Retry-After,
 * 418 ban end: the later of the two), ms epoch; 0 when it does not. */
int64_t dg_ban_until_of(const dg_ex_result_t *res);

/* Record a ban until until_ms (ms epoch). Atomic (one script): extends an
 * existing ban, never shortens it; a past until_ms is a no-op. The key
 * expires at until_ms. Returns 0, -1 on a Redis error (said in err). */
int dg_ban_store(dg_redis_t *r, const char *prefix, int64_t until_ms,
                 int64_t now_ms, char *err, size_t errlen);

/* Returns 1 when calls to the exchange must wait (until_ms set), 0 when not,
 * -1 on a Redis error (connection down or an error reply; said in err). A
 * stored value that is not a decimal ms epoch (or a key of another type) is
 * treated as a ban of DG_BAN_MALFORMED_MS from now, written back so it
 * expires by itself: garbage never makes the callers hammer the exchange
 * nor stops them forever; 1 is then returned with err saying so (a
 * warning to log). */
int dg_ban_check(dg_redis_t *r, const char *prefix, int64_t now_ms,
                 int64_t *until_ms, char *err, size_t errlen);

#endif
