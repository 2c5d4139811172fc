/* replicas.h - RedisMinReplicas: the "submitted" exactly-once record must
 * be acknowledged by that many replicas (WAIT) before an order is sent, so
 * a failover cannot forget that the order may have gone out. While fewer
 * acknowledge, no order is sent: the plans wait (counted, logged once per
 * shortage, and shown by driftguard-ctl status through the key
 * P:executor:replicas_short). */
#ifndef DG_EXECUTOR_REPLICAS_H
#define DG_EXECUTOR_REPLICAS_H

#include "executor/executor.h"

/* After the write whose reply arrived on connection number conn
 * (dg_redis_connection_number): 1 when RedisMinReplicas is 0 or that many
 * replicas acknowledged everything written on that connection within
 * RedisReplicaTimeout; 0 when fewer did (or the connection changed since:
 * the write's fate on the replicas is unknown); -1 when stopping. */
int ex_replicas_acked(ex_ctx_t *ctx, unsigned long conn, const char *plan_id);

#endif
