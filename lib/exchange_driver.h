/* exchange_driver.h - private: what a driver provides to exchange.c, the
 * part every driver's handle starts with, and the helpers drivers share.
 * Not installed, not for callers. */
#ifndef DRIFTGUARD_EXCHANGE_DRIVER_H
#define DRIFTGUARD_EXCHANGE_DRIVER_H

#include "driftguard/exchange.h"
#include "driftguard/http.h"
#include "driftguard/keyfile.h"

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
/* The rules of symbol, fetched when the cache says so. A symbol outside
 * the grammar (dg_ex_bad_symbol, nothing sent) or one the venue does not
 * list is DG_EX_REFUSED with reason DG_EX_REASON_UNKNOWN_SYMBOL and code
 * unknown_code (the venue's own code for it, 0 for none); the latter with
 * "<symbol> is not listed <where>" in msg. */
dg_ex_status_t dg_ex_rules_get(dg_ex_rules_cache_t *c, dg_exchange_t *ex,
                               dg_ex_rules_fetch_fn fetch, const char *symbol,
                               const char *where, int unknown_code,
                               dg_symbol_rules_t *out, dg_ex_result_t *res);
void dg_ex_rules_free(dg_ex_rules_cache_t *c);

/* Whether a venue's key files have a third line, the key's passphrase. */
typedef enum {
  DG_EX_PASSPHRASE_REFUSED = 0, /* Binance, Bybit */
  DG_EX_PASSPHRASE_REQUIRED = 1 /* OKX */
} dg_ex_passphrase_t;

/* One entry per exchange; every function gets the handle
 * dg_ex_handle_open made. */
typedef struct dg_ex_driver {
  const char *name;
  /* How a handle is opened (dg_ex_handle_open): the size of the driver's
   * handle (a struct starting with struct dg_exchange), the venue's name
   * in messages, its keys' passphrase, its recv window's default and
   * maximum (ms). */
  size_t handle_size;
  const char *venue;
  dg_ex_passphrase_t passphrase;
  long default_recv_window_ms, max_recv_window_ms;
  /* The driver's own part of a handle whose shared part is filled in
   * (NULL: nothing to do). 0, -1 with "<name>: reason" in err. */
  int (*init)(dg_exchange_t *ex, char *err, size_t errlen);
  /* Frees what the driver's own part holds (NULL: nothing). */
  void (*release)(dg_exchange_t *ex);
  dg_ex_status_t (*sync_time)(dg_exchange_t *ex, dg_ex_result_t *res);
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

/* Every driver's handle starts with this: what exchange.c dispatches
 * through and what every driver keeps alike. The handle lives in secret
 * memory (dg_secret_alloc: out of core dumps, wiped when freed): it holds
 * the keys. */
#define DG_EX_URL_MAX 256
#define DG_EX_TIMEOUT_MS 3000L
struct dg_exchange {
  const dg_ex_driver_t *drv;
  dg_http_t *http;
  char url[DG_EX_URL_MAX]; /* base URL without a trailing slash */
  char api_key[DG_SECRET_MAX];
  char secret[DG_SECRET_MAX];
  char passphrase[DG_SECRET_MAX]; /* "" on a venue without one */
  long recv_window_ms;
  int time_synced;
  int64_t offset_ms; /* server - local, from the last time read */
  dg_ex_rules_cache_t rules;
};

extern const dg_ex_driver_t dg_ex_binance_usdm;
extern const dg_ex_driver_t dg_ex_bybit_linear;
extern const dg_ex_driver_t dg_ex_okx_swap;

/* A handle of drv for options o (exchange_handle.c), checked first: an
 * http(s) URL (trailing slashes dropped) shorter than DG_EX_URL_MAX, a key
 * and secret of 1 to DG_SECRET_MAX - 1 printable characters (the key goes
 * into a header), the passphrase as drv's keys have it (REFUSED: no third
 * line; REQUIRED: 1 to DG_SECRET_MAX - 1 printable characters, a header
 * too), a positive timeout (0: DG_EX_TIMEOUT_MS) and a recv window of 1 to
 * drv's maximum (0: its default). Then drv->init. NULL with
 * "<name>: reason" in err. */
dg_exchange_t *dg_ex_handle_open(const dg_ex_driver_t *drv,
                                 const dg_exchange_opts_t *o, char *err,
                                 size_t errlen);
/* drv->release, the HTTP client, the rules cache, the handle (wiped). */
void dg_ex_handle_free(dg_exchange_t *ex);
/* Replace the API key, secret and passphrase in res->msg with "***"
 * (dg_ex_result_scrub), so no reply text can leak one. */
void dg_ex_handle_scrub(const dg_exchange_t *ex, dg_ex_result_t *res);

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
/* "HTTP <status>: <the body's first 120 bytes, made printable>" into out:
 * the message of a reply that is not the venue's own error (a gateway's
 * page, a bare 404). */
void dg_ex_quote_reply(long http_status, const char *body, size_t len,
                       char *out, size_t size);
/* A symbol outside driftguard's grammar (dg_symbol_valid), refused before
 * anything is sent: REFUSED, not_executed, reason UNKNOWN_SYMBOL, code
 * (the venue's own code for an unknown symbol, 0 for none). Returns
 * res->status. */
dg_ex_status_t dg_ex_bad_symbol(dg_ex_result_t *res, const char *symbol,
                                int code);
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
/* 1 when s is 1 to max letters, digits or characters of extra (an id's
 * alphabet on a venue). */
int dg_ex_id_valid(const char *s, const char *extra, size_t max);
/* The server's clock minus ours, from its time read between our wall
 * clock readings before and after the request. */
int64_t dg_ex_clock_offset_ms(int64_t before, int64_t server, int64_t after);
/* Wall clock (request timestamps) and monotonic clock (cache ages), ms. */
int64_t dg_ex_wall_ms(void);
int64_t dg_ex_mono_ms(void);

#endif
