/* exchange.c - the exchange interface of exchange.h: picks a driver by name
 * and forwards every call to it; plus the helpers drivers share (results,
 * clocks) and the process-wide HTTP set-up. */
#include "exchange_driver.h"

#include "driftguard/sign.h"
#include "driftguard/text.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const dg_ex_driver_t *const drivers[] = {
    &dg_ex_binance_usdm, &dg_ex_bybit_linear, &dg_ex_okx_swap};

int dg_exchange_global_init(void) {
  return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void dg_exchange_global_cleanup(void) {
  curl_global_cleanup();
}

dg_exchange_t *dg_exchange_new(const char *name, const dg_exchange_opts_t *o,
                               char *err, size_t errlen) {
  if (name == NULL || o == NULL) {
    snprintf(err, errlen, "exchange: no driver name or options");
    return NULL;
  }
  char known[256] = "";
  size_t used = 0;
  for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
    if (strcmp(drivers[i]->name, name) == 0)
      return dg_ex_handle_open(drivers[i], o, err, errlen);
    if (used < sizeof(known))
      used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s",
                               i > 0 ? ", " : "", drivers[i]->name);
  }
  snprintf(err, errlen, "exchange: unknown driver \"%s\" (known: %s)", name,
           known);
  return NULL;
}

void dg_exchange_free(dg_exchange_t *ex) {
  if (ex != NULL)
    dg_ex_handle_free(ex);
}

long dg_exchange_recv_window_ms(const dg_exchange_t *ex) {
  return ex->recv_window_ms;
}

dg_ex_status_t dg_exchange_sync_time(dg_exchange_t *ex, dg_ex_result_t *res) {
  return ex->drv->sync_time(ex, res);
}

int64_t dg_exchange_time_offset_ms(const dg_exchange_t *ex) {
  return ex->offset_ms;
}

dg_ex_status_t dg_exchange_positions(dg_exchange_t *ex, const char *symbol,
                                     dg_position_t **out, size_t *n,
                                     dg_ex_result_t *res) {
  return ex->drv->positions(ex, symbol, out, n, res);
}

dg_ex_status_t dg_exchange_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                        dg_symbol_rules_t *out,
                                        dg_ex_result_t *res) {
  return ex->drv->symbol_rules(ex, symbol, out, res);
}

dg_ex_status_t dg_exchange_hedge_mode(dg_exchange_t *ex, const char *symbol,
                                      int *dual, dg_ex_result_t *res) {
  return ex->drv->hedge_mode(ex, symbol, dual, res);
}

int dg_ex_id_valid(const char *s, const char *extra, size_t max) {
  size_t n = 0;
  if (s == NULL)
    return 0;
  for (; s[n]; n++)
    if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
          (s[n] >= '0' && s[n] <= '9') || strchr(extra, s[n]) != NULL))
      return 0;
  return n > 0 && n <= max;
}

int dg_order_id_valid(const char *s) {
  return dg_ex_id_valid(s, "._:-", DG_ORDER_ID_MAX - 1);
}

/* The order id goes into Redis records, results and log lines as it is:
 * one a driver let through unchecked is a reply not understood. */
static dg_ex_status_t checked_order(dg_ex_status_t st, const dg_order_t *out,
                                    dg_ex_result_t *res) {
  if (st != DG_EX_OK || dg_order_id_valid(out->order_id))
    return st;
  return dg_ex_result_set(res, DG_EX_BAD_REPLY,
                          "order: the order id is not 1 to %d letters, "
                          "digits or \". _ : -\"",
                          DG_ORDER_ID_MAX - 1);
}

dg_ex_status_t dg_exchange_place_close(dg_exchange_t *ex, const char *symbol,
                                       const char *side, dg_leg_t leg,
                                       dg_dec_t qty,
                                       const char *client_order_id,
                                       dg_order_t *out, dg_ex_result_t *res) {
  return checked_order(ex->drv->place_close(ex, symbol, side, leg, qty,
                                            client_order_id, out, res),
                       out, res);
}

dg_ex_status_t dg_exchange_query_order(dg_exchange_t *ex, const char *symbol,
                                       const char *client_order_id,
                                       dg_order_t *out, dg_ex_result_t *res) {
  return checked_order(
      ex->drv->query_order(ex, symbol, client_order_id, out, res), out, res);
}

int dg_exchange_client_order_id(const dg_exchange_t *ex, const char *plan_id,
                                char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  return ex->drv->client_order_id(plan_id, out);
}

int dg_ex_hashed_client_id(const char *plan_id, const char *prefix, size_t len,
                           char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  char digest[DG_SHA256_HEXLEN + 1];
  size_t prefix_len = prefix != NULL ? strlen(prefix) : 0;

  if (plan_id == NULL || out == NULL || len > DG_CLIENT_ORDER_ID_MAX ||
      prefix_len >= len || len - prefix_len > DG_SHA256_HEXLEN ||
      dg_sha256_hex(plan_id, strlen(plan_id), digest) != 0)
    return -1;
  memcpy(out, prefix, prefix_len);
  memcpy(out + prefix_len, digest, len - prefix_len);
  out[len] = '\0';
  return 0;
}

const char *dg_ex_status_name(dg_ex_status_t s) {
  switch (s) {
  case DG_EX_OK:
    return "ok";
  case DG_EX_REFUSED:
    return "refused";
  case DG_EX_RATE_LIMIT:
    return "rate_limit";
  case DG_EX_BANNED:
    return "banned";
  case DG_EX_SERVER:
    return "server";
  case DG_EX_UNKNOWN:
    return "unknown";
  case DG_EX_TRANSPORT:
    return "transport";
  case DG_EX_BAD_REPLY:
    return "bad_reply";
  }
  return "invalid";
}

const char *dg_ex_reason_name(dg_ex_reason_t r) {
  switch (r) {
  case DG_EX_REASON_NONE:
    return "none";
  case DG_EX_REASON_ORDER_NOT_FOUND:
    return "order_not_found";
  case DG_EX_REASON_CLOCK_SKEW:
    return "clock_skew";
  case DG_EX_REASON_DUPLICATE_CLIENT_ID:
    return "duplicate_client_id";
  case DG_EX_REASON_UNKNOWN_SYMBOL:
    return "unknown_symbol";
  }
  return "invalid";
}

int dg_ex_transport_failed(const dg_http_reply_t *reply, const char *method,
                           const char *path, int order, dg_ex_result_t *res) {
  if (reply->outcome == DG_HTTP_NOT_SENT) {
    res->not_executed = 1;
    dg_ex_result_set(res, DG_EX_TRANSPORT, "%s %s not sent: %s", method, path,
                     reply->error);
    return 1;
  }
  if (reply->outcome == DG_HTTP_MAYBE_SENT) {
    if (order)
      dg_ex_result_set(res, DG_EX_UNKNOWN,
                       "%s %s failed after sending, the order's fate is "
                       "unknown: %s",
                       method, path, reply->error);
    else
      dg_ex_result_set(res, DG_EX_TRANSPORT, "%s %s failed: %s", method, path,
                       reply->error);
    return 1;
  }
  if (reply->body_too_large) {
    res->http_status = (int)reply->status;
    dg_ex_result_set(res, DG_EX_BAD_REPLY, "%s %s: reply larger than %u bytes",
                     method, path, DG_HTTP_MAX_BODY);
    return 1;
  }
  return 0;
}

dg_ex_status_t dg_ex_result_prefix(dg_ex_result_t *res, const char *method,
                                   const char *path) {
  char msg[sizeof(res->msg)];
  snprintf(msg, sizeof(msg), "%s", res->msg);
  return dg_ex_result_set(res, res->status, "%s %s: %s", method, path, msg);
}

void dg_ex_quote_reply(long http_status, const char *body, size_t len,
                       char *out, size_t size) {
  char snip[128];
  dg_text_printable(body, len < 120 ? len : 120, snip, sizeof(snip));
  snprintf(out, size, "HTTP %ld%s%s", http_status, snip[0] ? ": " : "", snip);
}

dg_ex_status_t dg_ex_bad_symbol(dg_ex_result_t *res, const char *symbol,
                                int code) {
  res->not_executed = 1;
  res->reason = DG_EX_REASON_UNKNOWN_SYMBOL;
  res->code = code;
  return dg_ex_result_set(res, DG_EX_REFUSED, "invalid symbol \"%.40s\"",
                          symbol ? symbol : "(null)");
}

void dg_ex_result_init(dg_ex_result_t *res) {
  memset(res, 0, sizeof(*res));
  res->status = DG_EX_OK;
  res->rate_used = -1;
}

dg_ex_status_t dg_ex_result_set(dg_ex_result_t *res, dg_ex_status_t status,
                                const char *fmt, ...) {
  va_list ap;
  res->status = status;
  va_start(ap, fmt);
  vsnprintf(res->msg, sizeof(res->msg), fmt, ap);
  va_end(ap);
  return status;
}

void dg_ex_result_scrub(dg_ex_result_t *res, const char *secret) {
  size_t n = secret ? strlen(secret) : 0, r = n < 3 ? n : 3;
  char *p = res->msg;
  if (n == 0)
    return;
  while ((p = strstr(p, secret)) != NULL) {
    memmove(p + r, p + n, strlen(p + n) + 1); /* never grows: r <= n */
    memset(p, '*', r);
    p += r;
  }
}

int64_t dg_ex_clock_offset_ms(int64_t before, int64_t server, int64_t after) {
  /* The server read its clock about halfway through the round trip. */
  return server - (before + (after - before) / 2);
}

static int64_t clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t dg_ex_wall_ms(void) {
  return clock_ms(CLOCK_REALTIME);
}
int64_t dg_ex_mono_ms(void) {
  return clock_ms(CLOCK_MONOTONIC);
}
