/* batch.h - the entries of one stream read, handled in order. */
#ifndef DG_EXECUTOR_BATCH_H
#define DG_EXECUTOR_BATCH_H

#include "executor/executor.h"

/* Handle a batch of stream entries (XREADGROUP/XAUTOCLAIM's list of [id,
 * fields], fields NULL when deleted), in order; their dedupe records and
 * HOLD keys are read in one round trip first. Each entry is ACKed with
 * exactly one result entry once its outcome is certain, else left
 * pending. The last id handled goes to last (when not NULL). Returns the
 * number handled, -1 when a stop came first (the rest stays pending). */
int ex_apply_batch(ex_ctx_t *ctx, const redisReply *list, char *last,
                   size_t last_size);

#endif
