/* exchange_driver.h - private: what a driver provides to exchange.c, and
 * the helpers drivers share. Not installed, not for callers. */
#ifndef DRIFTGUARD_EXCHANGE_DRIVER_H
#define DRIFTGUARD_EXCHANGE_DRIVER_H

#include "driftguard/exchange.h"
#include "driftguard/http.h"

/* One entry per exchange; every function gets the handle its open made. */
typedef struct dg_ex_driver {
  const char *name;
  dg_exchange_t *(*open)(const dg_exchange_opts_t *o, char *err, size_t errlen);
  void (*free)(dg_exchange_t *ex);
  long (*recv_window_ms)(const dg_exchange_t *ex);
  dg_ex_status_t (*sync_time)(dg_exchange_t *ex, dg_ex_result_t *res);
  int64_t (*time_offset_ms)(const dg_exchange_t *ex);
  dg_ex_status_t (*positions)(dg_exchange_t *ex, const char *symbol,
                              dg_position_t **out, size_t *n,
                              dg_ex_result_t *res);
  dg_ex_status_t (*symbol_rules)(dg_exchange_t *ex, const char *symbol,
                                 dg_symbol_rules_t *out, dg_ex_result_t *res);
  dg_ex_status_t (*hedge_mode)(dg_exchange_t *ex, const char *symbol, int *dual,
                               dg_ex_result_t *res);
  dg_ex_status_t (*place_close)(dg_exchange_t *ex, const char *symbol,
                                const char *side, dg_leg_t leg, dg_dec_t qty,
                                const char *client_order_id, dg_order_t *out,
                                dg_ex_result_t *res);
  dg_ex_status_t (*query_order)(dg_exchange_t *ex, const char *symbol,
                                const char *client_order_id, dg_order_t *out,
                                dg_ex_result_t *res);
  /* The plan's client order id, valid on the venue (no handle needed). */
  int (*client_order_id)(const char *plan_id,
                         char out[DG_CLIENT_ORDER_ID_MAX + 1]);
} dg_ex_driver_t;

/* Every driver's handle starts with this, so exchange.c can dispatch. */
struct dg_exchange {
  const dg_ex_driver_t *drv;
};

extern const dg_ex_driver_t dg_ex_binance_usdm;
extern const dg_ex_driver_t dg_ex_okx_swap;

/* Reset a result to "no reply yet" (status OK, rate_used -1). */
void dg_ex_result_init(dg_ex_result_t *res);
/* Set status and a printf message; returns the status. */
__attribute__((format(printf, 3, 4))) dg_ex_status_t
dg_ex_result_set(dg_ex_result_t *res, dg_ex_status_t status, const char *fmt,
                 ...);
/* Replace every occurrence of secret (API key, secret, signature) in
 * res->msg with "***", so no reply text can leak one. */
void dg_ex_result_scrub(dg_ex_result_t *res, const char *secret);
/* prefix + the first hex digits of SHA-256(plan_id), len characters in
 * all (at most DG_CLIENT_ORDER_ID_MAX, longer than prefix): the
 * deterministic client order id every driver builds its own from. Returns
 * 0, -1 on failure. */
int dg_ex_hashed_client_id(const char *plan_id, const char *prefix, size_t len,
                           char out[DG_CLIENT_ORDER_ID_MAX + 1]);
/* A request that got no complete reply, as a result: 1 with res set
 * (nothing sent: TRANSPORT and not_executed; failed after sending: UNKNOWN
 * for an order, whose fate it is, TRANSPORT for a read; a body over
 * DG_HTTP_MAX_BODY: BAD_REPLY), 0 when reply is one to classify. The
 * message names the request: method and the first path_len bytes of path
 * (its query string left out). */
int dg_ex_reply_failed(const dg_http_reply_t *reply, int order,
                       const char *method, const char *path, int path_len,
                       dg_ex_result_t *res);
/* Prefix res->msg with the request that failed ("GET /path: ..."), so a
 * caller's own label never points at another request. */
void dg_ex_result_prefix(dg_ex_result_t *res, const char *method,
                         const char *path, int path_len);
/* Longest base URL a driver keeps (without a trailing slash). */
#define DG_EX_URL_MAX 256
/* The options every driver checks alike: the base URL (http(s) only,
 * trailing slashes dropped) into url; API key (printable, no blank) and
 * secret of 1 to DG_SECRET_MAX - 1 characters; the timeout (0: 3000 ms)
 * and recvWindow (0: default_window, at most max_window ms) into *timeout
 * and *window. The passphrase is the driver's business. Returns 0, -1 with
 * a reason naming driver in err. */
int dg_ex_check_opts(const char *driver, const dg_exchange_opts_t *o,
                     long default_window, long max_window,
                     char url[DG_EX_URL_MAX], long *timeout, long *window,
                     char *err, size_t errlen);
/* 1 when s is 1 to max letters, digits or characters of extra (an id's
 * alphabet on a venue). */
int dg_ex_id_valid(const char *s, const char *extra, size_t max);
/* 1 when s is safe in an HTTP header value: printable ASCII, no blank. */
int dg_ex_header_safe(const char *s);
/* Wall clock (request timestamps) and monotonic clock (cache ages), ms. */
int64_t dg_ex_wall_ms(void);
int64_t dg_ex_mono_ms(void);

#endif
