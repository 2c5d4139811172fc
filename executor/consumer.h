/* consumer.h - the plan stream as a Redis consumer group: create the group,
 * re-handle this consumer's own pending entries, take over entries left
 * pending by dead consumers (XAUTOCLAIM), and read new ones in batches. */
#ifndef DG_EXECUTOR_CONSUMER_H
#define DG_EXECUTOR_CONSUMER_H

#include "executor/executor.h"

/* Handles a list of [id, fields] entries in order (fields NULL when the
 * entry was deleted), each ACKed or left pending when its outcome is not
 * known yet; the last id handled goes to last (when not NULL). Returns the
 * number handled, -1 when stopping (ex_apply_batch). */
typedef int (*ex_batch_fn)(ex_ctx_t *ctx, const redisReply *list, char *last,
                           size_t last_size);

/* XGROUP CREATE stream group <now - HoldLease> MKSTREAM, so plans
 * published shortly before the group existed (first start, group lost with
 * a Redis restart) are delivered; an existing group is fine.
 * Returns 0, -1 when stopping. */
int ex_consumer_ensure_group(ex_ctx_t *ctx);
/* The consumer name's lease, P:executor:consumer:GROUP:CONSUMER (value:
 * this process's token, TTL lease_ms): two live executors with one name
 * would share pending entries and the ownership of dedupe records.
 * Acquire waits for a dead holder's lease to run out; returns 0 when ours,
 * 1 when a live executor keeps it, -1 when stopping. Renew (every loop)
 * returns 0, 1 when another process took it, -1 when stopping. */
int ex_consumer_lease_acquire(ex_ctx_t *ctx);
int ex_consumer_lease_renew(ex_ctx_t *ctx);
/* Give the lease back on a clean stop, so a restart need not wait. */
void ex_consumer_lease_release(ex_ctx_t *ctx);
/* Re-handle every entry pending for this consumer (XREADGROUP id 0).
 * Returns the number handled, -1 when stopping. */
int ex_consumer_own_pending(ex_ctx_t *ctx, ex_batch_fn fn);
/* Take over and handle entries idle longer than ClaimIdle. */
int ex_consumer_autoclaim(ex_ctx_t *ctx, ex_batch_fn fn);
/* Wait up to block_ms for new entries, handle up to BatchSize. */
int ex_consumer_read_new(ex_ctx_t *ctx, ex_batch_fn fn, int block_ms);

#endif
