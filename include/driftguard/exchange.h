/* exchange.h - the one interface between driftguard and an exchange.
 *
 * Every call returns a dg_ex_status_t and fills a dg_ex_result_t so callers
 * can tell apart every outcome they must treat differently: success, a
 * refusal (with a venue-neutral reason when it means something to the
 * caller), rate limiting and bans (until a time), a server failure, and
 * "unknown" (the request may have been executed: a timeout or lost
 * connection after sending, or a reply the venue documents as "execution
 * status unknown"). The venue's own codes and headers stay in its driver: a
 * driver is one file (lib/binance_usdm.c), dg_exchange_new picks it by
 * name. Implementations are blocking, bounded by timeout_ms, and thread
 * compatible (one handle per thread). */
#ifndef DRIFTGUARD_EXCHANGE_H
#define DRIFTGUARD_EXCHANGE_H

#include "driftguard/decimal.h"
#include "driftguard/plan.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
  DG_EX_OK = 0,
  DG_EX_REFUSED,    /* the exchange refused: reason, code, msg */
  DG_EX_RATE_LIMIT, /* rate limited: retry_after_ms is the earliest next call */
  DG_EX_BANNED,     /* banned: no call before ban_until_ms */
  DG_EX_SERVER,     /* 5xx that is a known failure (not executed) */
  DG_EX_UNKNOWN,    /* fate unknown: may have been executed */
  DG_EX_TRANSPORT,  /* could not connect/send: certainly not executed */
  DG_EX_BAD_REPLY,  /* reply not understood (bad JSON, missing fields) */
} dg_ex_status_t;

/* What a refusal (or a failed read) means to the caller, whatever the
 * venue's own code for it; the driver sets it. The other typed outcomes are
 * statuses: rate limited until T is DG_EX_RATE_LIMIT with retry_after_ms,
 * banned until T is DG_EX_BANNED with ban_until_ms, fate unknown is
 * DG_EX_UNKNOWN. */
typedef enum {
  DG_EX_REASON_NONE = 0,
  /* The venue does not know that client order id (yet: a venue may answer
   * so for a while after creating the order). */
  DG_EX_REASON_ORDER_NOT_FOUND,
  /* The request's timestamp was outside the venue's window: the driver
   * re-syncs its clock before the next request (a read is retried once, an
   * order never: its fate is asked for first). */
  DG_EX_REASON_CLOCK_SKEW,
  /* An order with that client order id exists: query it. */
  DG_EX_REASON_DUPLICATE_CLIENT_ID,
  /* The venue does not list (or trade) the symbol. */
  DG_EX_REASON_UNKNOWN_SYMBOL,
  /* The order's leg does not fit the account's position mode (a one-way
   * order on a hedge account or the reverse): the mode changed; the driver
   * forgets what it knew of it. */
  DG_EX_REASON_POSITION_MODE,
  /* A close refused as larger than its position or leg (the venue never
   * trims it into the other leg): the leg is smaller than planned. */
  DG_EX_REASON_CLOSE_TOO_LARGE,
} dg_ex_reason_t;

typedef struct {
  dg_ex_status_t status;
  dg_ex_reason_t reason;  /* DG_EX_REASON_NONE unless one applies */
  int http_status;        /* 0 when no HTTP reply */
  int code;               /* the venue's error code, for logs only; 0: none */
  char msg[256];          /* exchange or transport message, no secrets */
  int64_t retry_after_ms; /* absolute ms epoch, 0 if none (RATE_LIMIT) */
  int64_t ban_until_ms;   /* absolute ms epoch, 0 if none (BANNED) */
  /* The venue's own measure of its request budget used so far, as its reply
   * reported it (the driver's header comment says which header and unit);
   * -1 when the reply did not say. */
  int rate_used;
  /* The request certainly did not execute: it was never sent, or the venue
   * refused it with a well-formed error body whose code it documents as
   * "not executed". 0 for everything else, whatever the status: an order
   * whose reply does not say this is resolved by asking the exchange for
   * its client order id before any second send. */
  int not_executed;
  /* When a signed request went out, local ms epoch (its timestamp
   * parameter is this plus the clock offset); 0 when none did. An order's
   * recvWindow runs from here, after any clock re-sync that delayed it. */
  int64_t sent_ms;
} dg_ex_result_t;

/* A position row: one per symbol in one-way mode (leg DG_LEG_BOTH, amt
 * signed), one per leg in hedge mode (DG_LEG_LONG with amt >= 0,
 * DG_LEG_SHORT with amt <= 0). Amounts are in the venue's order unit. */
typedef struct {
  char symbol[DG_SYMBOL_MAX];
  dg_leg_t leg;
  dg_dec_t amt;
} dg_position_t;

typedef struct {
  char symbol[DG_SYMBOL_MAX];
  dg_dec_t step;    /* MARKET_LOT_SIZE stepSize */
  dg_dec_t min_qty; /* MARKET_LOT_SIZE minQty */
  dg_dec_t max_qty; /* MARKET_LOT_SIZE maxQty: the most one MARKET order
                       may carry (a larger close is capped at it) */
  /* The order unit: 0 where quantities are in the base coin (Binance
   * USD-M, Bybit linear), 1 where they are contracts (OKX SWAP); the
   * ledger must be kept in the same unit. */
  int in_contracts;
  /* Base coin per order unit: 1 for coin units, ctVal x ctMult for
   * contracts (shown by driftguard-ctl check, never used to convert). */
  dg_dec_t contract_value;
} dg_symbol_rules_t;

/* An order id is the venue's text (Binance: a decimal number, Bybit: a
 * UUID, OKX: a decimal string): 1 to DG_ORDER_ID_MAX - 1 letters, digits
 * or ". _ : -" (dg_order_id_valid), so it is safe in JSON, Redis values
 * and key=value log lines as it is. */
#define DG_ORDER_ID_MAX 64

typedef struct {
  char symbol[DG_SYMBOL_MAX];
  char order_id[DG_ORDER_ID_MAX];
  char client_order_id[DG_CLIENT_ORDER_ID_MAX + 1];
  /* driftguard's words, whatever the venue's (Binance's names): NEW,
   * PARTIALLY_FILLED, FILLED, CANCELED, EXPIRED, REJECTED; a driver maps its
   * venue's states onto them. */
  char status[24];
  char side[8]; /* BUY or SELL, as in a plan */
  dg_dec_t orig_qty;
  dg_dec_t executed_qty;
  int reduce_only;
} dg_order_t;

typedef struct {
  const char *url;        /* base URL, e.g. https://fapi.binance.com */
  const char *api_key;    /* copied; never logged */
  const char *api_secret; /* copied; wiped on free */
  /* The key's passphrase (OKX), copied and wiped like the secret; NULL or
   * "" when the key has none. A driver whose venue has none refuses one. */
  const char *api_passphrase;
  long timeout_ms;     /* per request, connect included; 0: 3000 */
  long recv_window_ms; /* 0: 5000 (Binance's default), at most 60000 */
} dg_exchange_opts_t;

typedef struct dg_exchange dg_exchange_t;

/* Process-wide set-up of the HTTP stack (curl_global_init), which is not
 * thread-safe: call it once, before any thread creates a handle (the
 * executor in main, the plugin in its init callback), and
 * dg_exchange_global_cleanup once at exit. The library never initialises
 * it implicitly. Returns 0, -1 on failure. */
int dg_exchange_global_init(void);
void dg_exchange_global_cleanup(void);

/* name: "binance-usdm", "bybit-linear" or "okx-swap". Returns NULL with a
 * reason in err. */
dg_exchange_t *dg_exchange_new(const char *name, const dg_exchange_opts_t *o,
                               char *err, size_t errlen);
void dg_exchange_free(dg_exchange_t *ex);
/* recvWindow of signed requests, in ms (the ambiguity window after a send). */
long dg_exchange_recv_window_ms(const dg_exchange_t *ex);

/* Fetch the server time and keep the offset used for request timestamps. */
dg_ex_status_t dg_exchange_sync_time(dg_exchange_t *ex, dg_ex_result_t *res);
/* Current server-time offset (server - local), ms. */
int64_t dg_exchange_time_offset_ms(const dg_exchange_t *ex);

/* All open positions (symbol == NULL) or one symbol's. Symbols the
 * exchange omits are flat: with symbol == NULL only nonzero rows are
 * listed, sorted by symbol then leg (BOTH, LONG, SHORT), each (symbol,
 * leg) once (a driver refuses a reply that lists one twice); with a
 * symbol, one row per leg of the mode the venue reports for it (1 in
 * one-way mode, LONG then SHORT in hedge mode), amt 0 when flat; a venue
 * that does not report the mode with the rows gives the one-way row. *out
 * is malloc'd (caller frees), *n its size. */
dg_ex_status_t dg_exchange_positions(dg_exchange_t *ex, const char *symbol,
                                     dg_position_t **out, size_t *n,
                                     dg_ex_result_t *res);
/* Step size and limits of a symbol, from a cached copy of the venue's
 * rules (refreshed when older than an hour or when the symbol is unknown).
 * DG_EX_REFUSED with reason DG_EX_REASON_UNKNOWN_SYMBOL when the exchange
 * does not list the symbol. */
dg_ex_status_t dg_exchange_symbol_rules(dg_exchange_t *ex, const char *symbol,
                                        dg_symbol_rules_t *out,
                                        dg_ex_result_t *res);
/* 1 when symbol trades in hedge (two-sided) mode, read from the venue on
 * every call (a mode can be switched while driftguard runs). Venues with
 * one mode per account (Binance, OKX) ignore symbol, which may be NULL
 * there; a venue with a mode per symbol (Bybit) needs it. */
dg_ex_status_t dg_exchange_hedge_mode(dg_exchange_t *ex, const char *symbol,
                                      int *dual, dg_ex_result_t *res);
/* Place a MARKET order carrying client_order_id that can only reduce leg:
 * DG_LEG_BOTH is a reduce-only order of a one-way account, DG_LEG_LONG
 * (side SELL) or DG_LEG_SHORT (side BUY) closes that leg of a hedge-mode
 * account in the venue's own request shape. A driver's order whose order
 * id is not valid is DG_EX_BAD_REPLY (here and for
 * dg_exchange_query_order). */
dg_ex_status_t dg_exchange_place_close(dg_exchange_t *ex, const char *symbol,
                                       const char *side, dg_leg_t leg,
                                       dg_dec_t qty,
                                       const char *client_order_id,
                                       dg_order_t *out, dg_ex_result_t *res);
/* Query an order by client order id: DG_EX_REFUSED with reason
 * DG_EX_REASON_ORDER_NOT_FOUND when the exchange does not (yet) know it. */
dg_ex_status_t dg_exchange_query_order(dg_exchange_t *ex, const char *symbol,
                                       const char *client_order_id,
                                       dg_order_t *out, dg_ex_result_t *res);

/* 1 when s is a valid order id (see DG_ORDER_ID_MAX). */
int dg_order_id_valid(const char *s);

/* The deterministic client order id of a plan, valid on this venue: the
 * same plan_id always gives the same id, so an order of unknown fate is
 * found again by asking for it (binance-usdm: "dgrc-" + 31 hex digits of
 * SHA-256(plan_id)). Returns 0, -1 on failure. */
int dg_exchange_client_order_id(const dg_exchange_t *ex, const char *plan_id,
                                char out[DG_CLIENT_ORDER_ID_MAX + 1]);

/* Text of a status for logs and results: "ok", "refused", "rate_limit", ... */
const char *dg_ex_status_name(dg_ex_status_t s);
/* Text of a reason for logs: "none", "order_not_found", "clock_skew", ... */
const char *dg_ex_reason_name(dg_ex_reason_t r);

#endif
