/* redis_sentinel.h - (private to lib/redis.c) where a Sentinel-managed
 * master is now: SENTINEL get-master-addr-by-name over plain hiredis
 * commands, since Debian's hiredis has no Sentinel client. */
#ifndef DG_REDIS_SENTINEL_H
#define DG_REDIS_SENTINEL_H

#include "driftguard/redis.h"

#include <stddef.h>

/* Ask u's sentinels, starting with u->sentinels[*first], for the address of
 * u->master_name; the first that knows it answers. Returns 0 with the
 * address in master and *first set to the sentinel that answered (asked
 * first next time, as the Sentinel client guidelines say), or -1 with why
 * no sentinel answered in err (never a password). */
int dg_sentinel_master_addr(const dg_redis_url_t *u, int timeout_ms, int *first,
                            dg_redis_addr_t *master, char *err, size_t errlen);

/* A subscription to the failover events of u's sentinels, started on the
 * first that accepts it (from u->sentinels[*first]; *first set to it):
 * +switch-master (a failover ended: the master moved) and +promoted-slave
 * (a replica was just made master, announced before the switch). Start it
 * BEFORE asking where the master is, so no switch falls between the two.
 * NULL with why in err when no sentinel accepts. */
redisContext *dg_sentinel_watch(const dg_redis_url_t *u, int timeout_ms,
                                int *first, char *err, size_t errlen);

/* Without waiting: 1 when the watch announced a failover of u's master
 * since the last call (a message about another master is ignored), 0 when
 * nothing was announced, -1 when the watch is broken (free it). */
int dg_sentinel_switched(redisContext *watch, const char *master_name);

#endif
