/* metrics.h - the executor's counters (SPEC section 5), sent to collectd's
 * unixsock with PUTVAL as DERIVE values every MetricsInterval by a thread
 * of their own, so the executor never blocks on collectd.
 *
 * Identifiers: HOST/reconcile-all/TYPE[-INSTANCE] (every counter, from
 * start-up, summed over symbols) and HOST/reconcile-SYMBOL/TYPE[-INSTANCE]
 * once a symbol has been seen. */
#ifndef DG_EXECUTOR_METRICS_H
#define DG_EXECUTOR_METRICS_H

#include "executor/executor.h"
#include "executor/invariants.h"

typedef enum {
  EX_M_CONSUMED,
  EX_M_EXECUTED_SUCCESS,
  EX_M_EXECUTED_ERROR,
  EX_M_EXECUTED_RATE_LIMIT,
  EX_M_REJECTED_DUPLICATE,
  EX_M_REJECTED_GUARDRAILS,
  EX_M_REJECTED_RATE_LIMIT,
  EX_M_REJECTED_EXCHANGE,
  EX_M_WAITING_REPLICAS, /* an order held back: RedisMinReplicas not met */
  EX_M_GUARDRAIL_FIRST,  /* + rule - 1: close_guardrail_fail-<rule> */
  EX_M_COUNT = EX_M_GUARDRAIL_FIRST + EX_RULE_COUNT - 1
} ex_metric_t;

#define EX_METRICS_ALL "all"
#define EX_METRICS_MAX_SYMBOLS 256

/* socket NULL or "": counters only. Never fails for collectd's sake. */
ex_metrics_t *ex_metrics_start(const char *socket, const char *host,
                               long interval_s);
/* Count one event for symbol (NULL: the aggregate only). */
void ex_metrics_inc(ex_metrics_t *m, const char *symbol, ex_metric_t which);
/* Current aggregate value (for logs and tests). */
unsigned long long ex_metrics_get(ex_metrics_t *m, ex_metric_t which);
/* From the main loop: log collectd_unavailable when a PUTVAL round has
 * waited for collectd longer than two intervals. */
void ex_metrics_watch(ex_metrics_t *m);
/* Send one last time, stop the thread, free; waits at most one interval
 * and a second for a collectd that does not answer. */
void ex_metrics_stop(ex_metrics_t *m);

#endif
