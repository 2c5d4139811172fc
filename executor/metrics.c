/* metrics.c - counters and their PUTVAL sender (see metrics.h).
 *
 * The counters live under a mutex; a thread wakes every MetricsInterval,
 * copies them and sends them with libcollectdclient. When collectd is
 * absent or restarted the thread drops the connection, tries again next
 * interval and logs only when the state changes. libcollectdclient waits
 * for collectd's answer without a timeout, so a collectd that accepts and
 * never answers (frozen, overloaded) blocks the sender: the main loop
 * watches for a round that takes longer than two intervals (logged as
 * collectd_unavailable), and a stop waits for the sender at most one
 * interval and a second, then leaves it behind. */
#include "executor/metrics.h"

#include "driftguard/log.h"

#include <collectd/client.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* A power of two, at least twice the series. */
#define SERIES_INDEX_SIZE 1024
_Static_assert(SERIES_INDEX_SIZE >= 2 * (EX_METRICS_MAX_SYMBOLS + 1) &&
                   (SERIES_INDEX_SIZE & (SERIES_INDEX_SIZE - 1)) == 0,
               "series index too small");

typedef struct {
  char symbol[LCC_NAME_LEN];
  unsigned long long value[EX_M_COUNT];
} series_t;

struct ex_metrics {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  pthread_t thread;
  int running, stopping;
  char socket[256];
  char host[LCC_NAME_LEN];
  long interval_s;
  series_t series[EX_METRICS_MAX_SYMBOLS + 1]; /* [0] is "all" */
  size_t nseries;
  /* Open-addressing index of series by symbol: series number, 0 = free
   * (series 0 is "all", never looked up). Three lookups per plan. */
  uint16_t index[SERIES_INDEX_SIZE];
  int overflow_logged;
  lcc_connection_t *conn;
  int connected;       /* last state logged: 1 up, 0 down, -1 not yet */
  int64_t round_start; /* ms epoch of the round in progress, 0: none */
};

/* A sender that did not finish by the stop's deadline keeps using its
 * state until the process exits: it stays reachable from here. */
static ex_metrics_t *left_behind;

/* type and type instance of each counter (SPEC section 5). */
static void metric_names(ex_metric_t m, const char **type,
                         const char **instance) {
  static const char *const names[][2] = {
      [EX_M_CONSUMED] = {"close_consumed", ""},
      [EX_M_EXECUTED_SUCCESS] = {"close_executed", "success"},
      [EX_M_EXECUTED_ERROR] = {"close_executed", "error"},
      [EX_M_EXECUTED_RATE_LIMIT] = {"close_executed", "rate_limit"},
      [EX_M_REJECTED_DUPLICATE] = {"close_rejected", "duplicate"},
      [EX_M_REJECTED_GUARDRAILS] = {"close_rejected", "guardrails"},
      [EX_M_REJECTED_RATE_LIMIT] = {"close_rejected", "rate_limit"},
      [EX_M_REJECTED_EXCHANGE] = {"close_rejected", "exchange"},
      [EX_M_WAITING_REPLICAS] = {"close_waiting", "replicas"},
  };
  if (m >= EX_M_GUARDRAIL_FIRST) {
    *type = "close_guardrail_fail";
    *instance = ex_rule_name((ex_rule_t)(m - EX_M_GUARDRAIL_FIRST + 1));
  } else {
    *type = names[m][0];
    *instance = names[m][1];
  }
}

/* FNV-1a */
static size_t symbol_hash(const char *symbol) {
  uint32_t h = 2166136261u;
  for (const unsigned char *c = (const unsigned char *)symbol; *c; c++)
    h = (h ^ *c) * 16777619u;
  return h;
}

static series_t *find_series(ex_metrics_t *m, const char *symbol) {
  size_t slot = symbol_hash(symbol) & (SERIES_INDEX_SIZE - 1);
  for (; m->index[slot] != 0; slot = (slot + 1) & (SERIES_INDEX_SIZE - 1))
    if (strcmp(m->series[m->index[slot]].symbol, symbol) == 0)
      return &m->series[m->index[slot]];
  if (m->nseries > EX_METRICS_MAX_SYMBOLS) {
    if (!m->overflow_logged)
      dg_log(
          LOG_WARNING,
          "event=metrics_symbols_full max=%d symbol=%s action=aggregate_only",
          EX_METRICS_MAX_SYMBOLS, symbol);
    m->overflow_logged = 1;
    return NULL;
  }
  snprintf(m->series[m->nseries].symbol, LCC_NAME_LEN, "%s", symbol);
  m->index[slot] = (uint16_t)m->nseries;
  return &m->series[m->nseries++];
}

void ex_metrics_inc(ex_metrics_t *m, const char *symbol, ex_metric_t which) {
  series_t *s;
  pthread_mutex_lock(&m->lock);
  m->series[0].value[which]++;
  if (symbol != NULL && symbol[0] != '\0' &&
      (s = find_series(m, symbol)) != NULL)
    s->value[which]++;
  pthread_mutex_unlock(&m->lock);
}

unsigned long long ex_metrics_get(ex_metrics_t *m, ex_metric_t which) {
  unsigned long long v;
  pthread_mutex_lock(&m->lock);
  v = m->series[0].value[which];
  pthread_mutex_unlock(&m->lock);
  return v;
}

/* Called with m->lock held. */
static void set_connected(ex_metrics_t *m, int up, const char *why) {
  if (m->connected == up)
    return;
  if (up)
    dg_log(LOG_NOTICE, "event=collectd_connected socket=%s", m->socket);
  else
    dg_log(LOG_WARNING,
           "event=collectd_unavailable socket=%s error=\"%s\" "
           "action=retry_each_interval",
           m->socket, why);
  m->connected = up;
}

/* Send every series; on the first failure drop the connection. Returns
 * 1 when every value was sent, else 0 with the reason in why. */
static int send_all(ex_metrics_t *m, const series_t *series, size_t n,
                    char *why, size_t why_size) {
  if (m->conn == NULL && lcc_connect(m->socket, &m->conn) != 0) {
    snprintf(why, why_size, "cannot connect");
    m->conn = NULL;
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    for (int k = 0; k < EX_M_COUNT; k++) {
      value_t value = {.derive = series[i].value[k]};
      int vtype = LCC_TYPE_DERIVE;
      lcc_value_list_t vl = LCC_VALUE_LIST_INIT;
      const char *type, *instance;
      metric_names((ex_metric_t)k, &type, &instance);
      vl.values = &value;
      vl.values_types = &vtype;
      vl.values_len = 1;
      vl.interval = (double)m->interval_s;
      snprintf(vl.identifier.host, LCC_NAME_LEN, "%s", m->host);
      snprintf(vl.identifier.plugin, LCC_NAME_LEN, "reconcile");
      snprintf(vl.identifier.plugin_instance, LCC_NAME_LEN, "%s",
               series[i].symbol);
      snprintf(vl.identifier.type, LCC_NAME_LEN, "%s", type);
      snprintf(vl.identifier.type_instance, LCC_NAME_LEN, "%s", instance);
      if (lcc_putval(m->conn, &vl) != 0) {
        snprintf(why, why_size, "%s", lcc_strerror(m->conn));
        LCC_DESTROY(m->conn);
        return 0;
      }
    }
  }
  return 1;
}

static void flush(ex_metrics_t *m) {
  series_t *copy;
  size_t n;
  char why[128] = "";
  int sent;
  pthread_mutex_lock(&m->lock);
  n = m->nseries;
  copy = malloc(n * sizeof *copy);
  if (copy != NULL)
    memcpy(copy, m->series, n * sizeof *copy);
  m->round_start = ex_now_ms();
  pthread_mutex_unlock(&m->lock);
  if (copy == NULL)
    return;
  sent = send_all(m, copy, n, why, sizeof why);
  free(copy);
  pthread_mutex_lock(&m->lock);
  m->round_start = 0;
  set_connected(m, sent, why);
  pthread_mutex_unlock(&m->lock);
}

void ex_metrics_watch(ex_metrics_t *m) {
  pthread_mutex_lock(&m->lock);
  if (m->round_start != 0 &&
      ex_now_ms() - m->round_start > 2000 * m->interval_s)
    set_connected(m, 0, "no answer within two intervals");
  pthread_mutex_unlock(&m->lock);
}

static void *sender(void *arg) {
  ex_metrics_t *m = arg;
  pthread_mutex_lock(&m->lock);
  while (!m->stopping) {
    struct timespec until;
    pthread_mutex_unlock(&m->lock);
    flush(m);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += m->interval_s;
    pthread_mutex_lock(&m->lock);
    while (!m->stopping &&
           pthread_cond_timedwait(&m->wake, &m->lock, &until) == 0)
      ;
  }
  pthread_mutex_unlock(&m->lock);
  flush(m); /* the last counts, so a stop loses nothing */
  return NULL;
}

ex_metrics_t *ex_metrics_start(const char *socket, const char *host,
                               long interval_s) {
  ex_metrics_t *m = calloc(1, sizeof *m);
  if (m == NULL)
    return NULL;
  pthread_mutex_init(&m->lock, NULL);
  pthread_cond_init(&m->wake, NULL);
  snprintf(m->series[0].symbol, LCC_NAME_LEN, "%s", EX_METRICS_ALL);
  m->nseries = 1;
  m->connected = -1;
  m->interval_s = interval_s > 0 ? interval_s : 10;
  snprintf(m->host, sizeof m->host, "%s", host);
  if (socket != NULL && socket[0] != '\0') {
    snprintf(m->socket, sizeof m->socket, "%s", socket);
    if (pthread_create(&m->thread, NULL, sender, m) == 0)
      m->running = 1;
    else
      dg_log(LOG_ERR, "event=metrics_thread_failed action=no_metrics");
  }
  return m;
}

void ex_metrics_stop(ex_metrics_t *m) {
  if (m == NULL)
    return;
  if (m->running) {
    struct timespec until;
    pthread_mutex_lock(&m->lock);
    m->stopping = 1;
    pthread_cond_signal(&m->wake);
    pthread_mutex_unlock(&m->lock);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += m->interval_s + 1;
    if (pthread_timedjoin_np(m->thread, NULL, &until) != 0) {
      dg_log(LOG_WARNING,
             "event=metrics_final_flush_skipped socket=%s reason=\"collectd "
             "does not answer\"",
             m->socket);
      left_behind = m;
      return;
    }
  }
  if (m->conn != NULL)
    LCC_DESTROY(m->conn);
  pthread_cond_destroy(&m->wake);
  pthread_mutex_destroy(&m->lock);
  free(m);
}
