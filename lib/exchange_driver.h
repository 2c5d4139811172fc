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
extern const dg_ex_driver_t dg_ex_bybit_linear;
extern const dg_ex_driver_t dg_ex_okx_swap;

/* The options as every driver's open checks them: an http(s) URL
 * (url_len: its length without trailing slashes, below url_max), a key and
 * secret of 1 to DG_SECRET_MAX - 1 printable characters (the key goes into
 * a header), no passphrase (venue names the exchange in the message; venue
 * NULL for one whose keys have a passphrase, which its driver checks), a
 * positive timeout and a recv window of 1 to max_window ms. Defaults
 * filled in: DG_EX_TIMEOUT_MS, default_window. Returns 0, -1 with
 * "<name>: reason" in err. */
#define DG_EX_TIMEOUT_MS 3000L
typedef struct {
  size_t url_len;
  long timeout_ms, recv_window_ms;
} dg_ex_opts_checked_t;
int dg_ex_check_opts(const dg_exchange_opts_t *o, const char *name,
                     const char *venue, size_t url_max, long default_window,
                     long max_window, dg_ex_opts_checked_t *out, char *err,
                     size_t errlen);

/* The cache of a venue's symbol rules, sorted by symbol (a poll looks up
 * every watched symbol: a linear search would cost symbols x listed
 * symbols). Refreshed when older than DG_EX_RULES_MAX_AGE_MS, or when a
 * symbol is unknown, at most once per DG_EX_RULES_MIN_RETRY_MS; a failed
 * refresh keeps serving the rules already known. */
#define DG_EX_RULES_MAX_AGE_MS INT64_C(3600000)
#define DG_EX_RULES_MIN_RETRY_MS INT64_C(60000)
typedef struct {
  dg_symbol_rules_t *rules;
  size_t n;
  int tried;                    /* a fetch was attempted */
  int64_t fetched_at, tried_at; /* monotonic ms */
} dg_ex_rules_cache_t;
/* Fetch every listed symbol's rules: *rules malloc'd (any order). */
typedef dg_ex_status_t (*dg_ex_rules_fetch_fn)(dg_exchange_t *ex,
                                               dg_symbol_rules_t **rules,
                                               size_t *n, dg_ex_result_t *res);
/* The rules of symbol (already checked by the driver), fetched when the
 * cache says so. A symbol the venue does not list is DG_EX_REFUSED with
 * reason DG_EX_REASON_UNKNOWN_SYMBOL and "<symbol> is not listed <where>"
 * in msg. */
dg_ex_status_t dg_ex_rules_get(dg_ex_rules_cache_t *c, dg_exchange_t *ex,
                               dg_ex_rules_fetch_fn fetch, const char *symbol,
                               const char *where, dg_symbol_rules_t *out,
                               dg_ex_result_t *res);
void dg_ex_rules_free(dg_ex_rules_cache_t *c);

/* 1 when s is 1 to max letters, digits or characters of extra: an id's
 * alphabet on a venue. */
int dg_ex_id_valid(const char *s, const char *extra, size_t max);
/* 1 when s is safe in an HTTP header value: printable ASCII, no blank. */
int dg_ex_header_safe(const char *s);

/* A request that got no complete HTTP reply, or one too large to read:
 * TRANSPORT with not_executed when nothing was sent; after sending,
 * UNKNOWN for an order (its fate is unknown) and TRANSPORT for a read;
 * BAD_REPLY for a body past DG_HTTP_MAX_BODY. Returns 1 with res set
 * ("METHOD PATH ..." in msg), 0 when reply is to be classified. */
int dg_ex_transport_failed(const dg_http_reply_t *reply, const char *method,
                           const char *path, int order, dg_ex_result_t *res);
/* Prefix res->msg with "METHOD PATH: ", so a caller's own label never
 * points at another request; returns res->status. */
dg_ex_status_t dg_ex_result_prefix(dg_ex_result_t *res, const char *method,
                                   const char *path);
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
/* Wall clock (request timestamps) and monotonic clock (cache ages), ms. */
int64_t dg_ex_wall_ms(void);
int64_t dg_ex_mono_ms(void);

#endif
