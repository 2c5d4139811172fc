/* reconcile_metrics.c - the reconcile plugin's side of collectd's data
 * model: the types of SPEC section 5 (registered by the plugin itself so
 * no TypesDB edit is needed, the executor's included), value dispatch and
 * notifications. */
#include "reconcile_account.h"

#include "utils/common/common.h"

#include "driftguard/grow.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* One data source "value" per type; counters never go below zero. */
static data_source_t rc_ds_derive[] = {{"value", DS_TYPE_DERIVE, 0.0, NAN}};
static data_source_t rc_ds_gauge[] = {{"value", DS_TYPE_GAUGE, NAN, NAN}};
static data_source_t rc_ds_flag[] = {{"value", DS_TYPE_GAUGE, 0.0, 1.0}};

#define RC_TYPE(name, ds)                                                      \
  { name, STATIC_ARRAY_SIZE(ds), ds }
static data_set_t rc_types[] = {
    RC_TYPE("close_published", rc_ds_derive),
    RC_TYPE("hold_active", rc_ds_flag),
    RC_TYPE("drift", rc_ds_gauge),
    RC_TYPE("position", rc_ds_gauge),
    RC_TYPE("poll_errors", rc_ds_derive),
    RC_TYPE("exchange_weight", rc_ds_gauge),
    /* Sent by driftguard-executor with PUTVAL over unixsock. */
    RC_TYPE("close_consumed", rc_ds_derive),
    RC_TYPE("close_executed", rc_ds_derive),
    RC_TYPE("close_rejected", rc_ds_derive),
    RC_TYPE("close_guardrail_fail", rc_ds_derive),
    RC_TYPE("close_waiting", rc_ds_derive),
};

int rc_metrics_register_types(void) {
  for (size_t i = 0; i < STATIC_ARRAY_SIZE(rc_types); i++) {
    int status = plugin_register_data_set(&rc_types[i]);
    if (status != 0) {
      ERROR(RC_PLUGIN " plugin: registering type=%s failed: status=%d",
            rc_types[i].type, status);
      return -1;
    }
  }
  return 0;
}

/* src into dst[DATA_MAX_NAME_LEN], cut to fit. Not sstrncpy: padding
 * three names of 128 bytes for thousands of values per poll is a large
 * part of their dispatch. */
static void rc_name_copy(char *dst, const char *src) {
  size_t n = strnlen(src, DATA_MAX_NAME_LEN - 1);
  memcpy(dst, src, n);
  dst[n] = '\0';
}

/* vl's names for q: the plugin instance is the account's name, or the
 * symbol's instance (rc_symbol_instance). vl's other fields are the same
 * for every value of the account. */
static void rc_value_names(const rc_account_t *a, const rc_value_t *q,
                           value_list_t *vl) {
  if (q->symbol == NULL)
    rc_name_copy(vl->plugin_instance, a->name);
  else if (a->instance_with_account)
    rc_symbol_instance(a, q->symbol, vl->plugin_instance,
                       sizeof(vl->plugin_instance));
  else
    rc_name_copy(vl->plugin_instance, q->symbol);
  rc_name_copy(vl->type, q->type);
  rc_name_copy(vl->type_instance, q->type_instance ? q->type_instance : "");
}

static void rc_dispatch(const rc_account_t *a, const rc_value_t *q,
                        value_list_t *vl) {
  value_t v = q->value;
  vl->values = &v;
  rc_value_names(a, q, vl);
  plugin_dispatch_values(vl);
  vl->values = NULL;
}

/* The value list every value of the account starts from. */
static void rc_value_list_init(const rc_account_t *a, value_list_t *vl) {
  *vl = (value_list_t)VALUE_LIST_INIT;
  vl->values_len = 1;
  /* collectd's cache expects the next value one account Interval later. */
  vl->interval = a->conf.interval;
  sstrncpy(vl->plugin, RC_PLUGIN, sizeof(vl->plugin));
}

/* A slot in the queue, or NULL when it cannot grow (the value is then
 * dispatched at once). */
static rc_value_t *rc_queue_slot(rc_account_t *a) {
  if (dg_grow(&a->work.values, &a->work.values_cap, a->work.values_num,
              sizeof(*a->work.values), 64) != 0)
    return NULL;
  return &a->work.values[a->work.values_num++];
}

static void rc_queue(rc_account_t *a, const char *symbol, const char *type,
                     const char *type_instance, value_t v) {
  rc_value_t one, *q = rc_queue_slot(a);
  if (q == NULL)
    q = &one;
  *q = (rc_value_t){.symbol = symbol,
                    .type = type,
                    .type_instance = type_instance,
                    .value = v};
  if (q == &one) {
    value_list_t vl;
    rc_value_list_init(a, &vl);
    rc_dispatch(a, q, &vl);
  }
}

void rc_symbol_instance(const rc_account_t *a, const char *symbol, char *out,
                        size_t size) {
  if (a->instance_with_account)
    snprintf(out, size, "%s-%s", a->name, symbol);
  else
    sstrncpy(out, symbol, size);
}

void rc_metric_account(rc_account_t *a, const char *type,
                       const char *type_instance, value_t v) {
  rc_queue(a, NULL, type, type_instance, v);
}

void rc_metric_symbol(rc_account_t *a, const rc_symbol_t *s, const char *type,
                      const char *type_instance, value_t v) {
  rc_queue(a, s->name, type, type_instance, v);
}

void rc_metrics_flush(rc_account_t *a) {
  value_list_t vl;
  rc_value_list_init(a, &vl);
  for (size_t i = 0; i < a->work.values_num; i++)
    rc_dispatch(a, &a->work.values[i], &vl);
  a->work.values_num = 0;
}

/* For display only (dashboards): the double nearest the exact amount.
 * Decisions never use this value. */
gauge_t rc_dec_to_gauge(dg_dec_t d) {
  /* units and 10^8 are exact doubles below 2^53, and IEEE division rounds
   * correctly: the same double strtod would give, without the text. */
  if (d.units > -(INT64_C(1) << 53) && d.units < (INT64_C(1) << 53))
    return (gauge_t)d.units / (gauge_t)DG_DEC_SCALE;
  char text[DG_DEC_STRLEN];
  dg_dec_format(d, text, sizeof(text));
  return strtod(text, NULL);
}

void rc_notify(const rc_account_t *a, int severity, const char *symbol,
               const char *fmt, ...) {
  notification_t n = {.severity = severity, .time = cdtime()};
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(n.message, sizeof(n.message), fmt, ap);
  va_end(ap);
  sstrncpy(n.host, hostname_g, sizeof(n.host));
  sstrncpy(n.plugin, RC_PLUGIN, sizeof(n.plugin));
  sstrncpy(n.plugin_instance, symbol, sizeof(n.plugin_instance));
  sstrncpy(n.type, "drift", sizeof(n.type));
  sstrncpy(n.type_instance, a->name, sizeof(n.type_instance));
  plugin_dispatch_notification(&n);
}
