/* apply.h - one plan end to end: parse, dedupe, guardrails, one fresh
 * position read, lease renewal, one reduce-only MARKET order, outcome. */
#ifndef DG_EXECUTOR_APPLY_H
#define DG_EXECUTOR_APPLY_H

#include "executor/executor.h"

/* Handle one stream entry (fields: name/value array, NULL when deleted).
 * Returns 0 once the entry is ACKed with exactly one result entry, -1 when
 * a stop came first (the entry stays pending; re-handled at next start). */
int ex_apply_entry(ex_ctx_t *ctx, const char *entry_id,
                   const redisReply *fields);

#endif
