/* sim.h - internal interfaces of driftguard-exchange-sim, the loopback
 * simulator of the REST subset driftguard's drivers use, on one of three
 * venues (--exchange): Binance USD-M, Bybit v5 linear, OKX v5 SWAP.
 *
 * server.c  HTTP glue (libmicrohttpd), dispatch through the venue, log
 * params.c  query/form parameter parsing, Binance's totalParams
 * reply.c   JSON replies, code tables, Binance's error codes and messages
 * auth.c    Binance's API key, signature and recvWindow checks
 * limits.c  IP request weight, windowed counters, bans, statistics
 * faults.c  injected faults (POST /sim/faults)
 * state.c   symbols, marks, positions, orders (one mutex), venue-neutral
 * routes_fapi.c   Binance USD-M endpoints and its venue description
 * routes_bybit.c  Bybit v5 linear endpoints, signing, envelope, limits
 * routes_okx.c    OKX v5 SWAP endpoints, signing, envelope, limits
 * routes_control.c  the control API under /sim/ */
#ifndef DRIFTGUARD_SIM_H
#define DRIFTGUARD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "driftguard/decimal.h"
#include "driftguard/keyfile.h"

/* ---- configuration (set once by main before the server starts) ---------- */
struct sim_venue;
typedef struct {
  const struct sim_venue *venue;
  dg_api_credentials_t creds;
  char passphrase[DG_SECRET_MAX]; /* OKX: the key file's third line */
  int weight_limit;               /* request weight per IP per minute */
  int route_limit_factor;         /* Bybit, OKX: route limits times this (-r) */
  size_t max_orders;              /* orders kept for queries; oldest dropped */
  volatile int stopping;          /* set on SIGTERM: delays end early */
} sim_config_t;

extern sim_config_t sim_config;

int64_t sim_now_ms(void);
/* Sleep ms milliseconds, returning early when the simulator stops. */
void sim_sleep_ms(int64_t ms);

/* ---- parameters ------------------------------------------------------------
 */
typedef struct {
  char *name;
  char *value;
} sim_param_t;

typedef struct {
  sim_param_t *v;
  size_t n;
} sim_params_t;

/* Append the decoded pairs of an application/x-www-form-urlencoded string.
 * Returns 0, -1 on allocation failure. */
int sim_params_parse(sim_params_t *p, const char *s, size_t len);
/* First value for name (query pairs are parsed first, so the query wins). */
const char *sim_params_get(const sim_params_t *p, const char *name);
void sim_params_free(sim_params_t *p);
/* Binance's totalParams: query then body, no '&' between, each without its
 * signature parameter. Returns a malloc'd string, NULL on failure. */
char *sim_total_params(const char *query, const char *body, size_t body_len);

/* ---- requests and replies
 * ---------------------------------------------------- */
typedef struct {
  const char *method;
  const char *path;
  const char *query; /* raw, undecoded, "" when none */
  const char *body;  /* NUL-terminated, "" when none */
  size_t body_len;
  void *conn; /* the connection, for sim_header */
  const char *ip;
  sim_params_t params; /* query, then form body */
} sim_request_t;

/* A request header's value, NULL when absent. */
const char *sim_header(const sim_request_t *rq, const char *name);
/* A parameter's value, NULL when absent or empty. */
const char *sim_param(const sim_request_t *rq, const char *name);

#define SIM_MAX_REPLY_HEADERS 4
typedef struct {
  int status;
  char *body;      /* malloc'd JSON */
  int retry_after; /* seconds; 0: no Retry-After header */
  int code;        /* the venue's error code for the log, 0 on success */
  const char *content_type; /* NULL: JSON */
  struct {
    char name[40];
    char value[40];
  } headers[SIM_MAX_REPLY_HEADERS];
  int nheaders;
} sim_reply_t;

/* Add a reply header (silently dropped beyond SIM_MAX_REPLY_HEADERS). */
void sim_reply_header(sim_reply_t *r, const char *name, long long value);
/* A venue's code table: the standard message of each error code. */
typedef struct {
  int code;
  const char *msg;
} sim_code_t;
/* The message of code in table t of n entries ("" when unknown). */
const char *sim_code_msg(const sim_code_t *t, size_t n, int code);

/* Take ownership of obj and serialise it. */
void sim_reply_json(sim_reply_t *r, int status, json_object *obj);
/* Binance error body {"code":C,"msg":M}, M from the code's standard text. */
void sim_reply_error(sim_reply_t *r, int status, int code);
__attribute__((format(printf, 4, 5))) void
sim_reply_errorf(sim_reply_t *r, int status, int code, const char *fmt, ...);
/* -1102 for a missing or malformed parameter. */
void sim_reply_missing(sim_reply_t *r, const char *param);
/* The standard message of a Binance error code ("" when unknown). */
const char *sim_error_msg(int code);
void sim_reply_clear(sim_reply_t *r);

/* ---- auth
 * --------------------------------------------------------------------- */
/* Checks X-MBX-APIKEY, timestamp/recvWindow and the signature of a signed
 * endpoint. Returns 0 when the request may proceed, else fills r. */
int sim_auth_signed(const sim_request_t *rq, sim_reply_t *r);
/* A non-negative decimal integer (ms). 0, or -1 when malformed. */
int sim_parse_ms(const char *s, int64_t *out);

/* ---- limits and statistics
 * -------------------------------------------------------- */
enum sim_admit { SIM_ADMIT_OK, SIM_ADMIT_429, SIM_ADMIT_418 };
/* Count weight for ip now; decide whether the request is served.
 * *used gets the IP's weight in this minute; on 429/418 r is filled. */
enum sim_admit sim_limits_admit(const char *ip, int weight, int *used,
                                sim_reply_t *r);
/* Ban ip for ban_ms (fault injection); fills r with Binance's 418 reply. */
void sim_limits_ban(const char *ip, int64_t ban_ms, sim_reply_t *r);
/* Bans of any venue: until when ip is banned (0: not), set a ban. */
int64_t sim_limits_banned_until(const char *ip);
void sim_limits_set_ban(const char *ip, int64_t until);
/* Count one request under key in the clock-aligned window of window_ms
 * it falls in. Returns the count in that window; *reset_ms gets the
 * window's end (ms epoch). */
int sim_limits_count(const char *key, int64_t window_ms, int64_t *reset_ms);
/* The 429 reply of an IP over its weight (fault injection). */
void sim_limits_reply_429(const char *ip, sim_reply_t *r);
/* Weight the IP has used in the current minute. */
int sim_limits_used(const char *ip);
void sim_stats_count(const char *method, const char *path, int status);
json_object *sim_stats_json(void);
void sim_limits_reset(void);
void sim_limits_free(void);

/* ---- faults
 * --------------------------------------------------------------------- */
typedef struct {
  int status;        /* 0: none */
  int code;          /* Binance code for the body; 0: default for status */
  char msg[256];     /* "" : default for code/status */
  char body[512];    /* raw reply body instead of an error object ("": none) */
  int64_t pad_bytes; /* spaces appended to the reply body (huge replies) */
  int64_t ban_ms;    /* 418 */
  int retry_after;   /* 429; -1: seconds to the next minute */
  int64_t delay_ms;
  int apply; /* run the real handler (the order happens) */
} sim_fault_t;

/* Append faults from a JSON array (or one object). Returns 0, -1 with a
 * reason in err. */
int sim_faults_add(json_object *list, char *err, size_t errlen);
/* Take (and count down) the first fault matching the request. 1 if found. */
int sim_faults_take(const char *method, const char *path, sim_fault_t *out);
json_object *sim_faults_json(void);
void sim_faults_reset(void);
void sim_faults_free(void);

/* ---- state
 * ---------------------------------------------------------------------- */
typedef struct {
  int64_t order_id;
  char margin_mode[12]; /* OKX tdMode; "" elsewhere */
  int64_t time;
  int64_t update_time;
  char symbol[32];
  char client_id[48];
  char side[8];
  char type[24];
  char position_side[8];
  char status[16];
  char resp_type[8];
  int reduce_only;
  dg_dec_t qty, executed, avg_price;
} sim_order_t;

typedef struct {
  const char *symbol, *side, *type, *position_side, *resp_type, *margin_mode;
  /* NULL: the simulator makes one ("sim_<orderId>"); "": none (Bybit,
   * OKX without a client id) */
  const char *client_id;
  dg_dec_t qty;
  int buy;
  int reduce_only;
  int unique_client_id; /* refuse a client id any kept order has (Bybit) */
  /* hedge mode: the leg the order acts on (1 long, -1 short; 0 one-way).
   * Selling the long leg or buying the short one closes it (never more
   * than the leg: refused, not trimmed into the other leg); the other way
   * opens or grows it. Both legs of a symbol are simulated. */
  int leg;
  int split_above_max; /* a reduce-only order above the market maximum is
                          split into orders of at most it (Bybit) */
  json_object *params; /* every parameter received; state takes ownership */
} sim_order_req_t;

/* Why the state refuses an order; each venue maps these to its codes. */
enum sim_refusal {
  SIM_ACCEPTED = 0,
  SIM_REFUSE_SYMBOL,
  SIM_REFUSE_QTY_ZERO,
  SIM_REFUSE_QTY_PRECISION, /* more decimals than the step */
  SIM_REFUSE_QTY_MIN,
  SIM_REFUSE_QTY_MAX,
  SIM_REFUSE_QTY_STEP,
  SIM_REFUSE_REDUCE_FLAT, /* reduce-only on a flat position */
  SIM_REFUSE_REDUCE_SIDE, /* reduce-only in the position's direction */
  SIM_REFUSE_REDUCE_SIZE, /* reduce-only larger than the position */
  SIM_REFUSE_CLIENT_ID_DUP,
};

/* A copy of one symbol's state, for the venues' JSON. */
typedef struct {
  char name[32];
  dg_dec_t step, min_qty, max_qty, ct_val, mark, amt, entry;
  /* Hedge mode: the LONG (>= 0) and SHORT (<= 0) legs and their entry
   * prices; amt is then their sum. */
  dg_dec_t legs[2], leg_entry[2];
  int had_position; /* non-zero at some point since the last reset */
  int hedge;        /* in hedge mode: the account's or the symbol's own */
  int64_t update_time;
} sim_symbol_view_t;

/* GET /sim/legs: {"SYMBOL":{"LONG":"..","SHORT":".."}} of every symbol
 * with an open leg. */
json_object *sim_state_legs_json(void);

int sim_state_init(void);
void sim_state_free(void);
void sim_state_reset(void);
/* 1 when name is an acceptable symbol of the venue: [A-Z0-9]{2,20} and
 * the venue's suffix (USDT; OKX: -USDT-SWAP). */
int sim_symbol_valid(const char *name);
/* Command line: a symbol's market lot rules (OKX: in contracts, with the
 * contract value ct_val), its mark price. The symbol is then listed and
 * survives /sim/reset. 0, -1. */
int sim_state_config_symbol(const char *name, dg_dec_t step, dg_dec_t min_qty,
                            dg_dec_t max_qty, dg_dec_t ct_val);
/* Listed symbols sorted by name (malloc'd; NULL with *n 0 when none). */
sim_symbol_view_t *sim_state_symbols(size_t *n);
/* One symbol, made with the defaults when valid and new. 0, -1. */
int sim_state_symbol(const char *name, sim_symbol_view_t *out);
/* Exact helpers for the venues' JSON. */
dg_dec_t sim_dec_mul(dg_dec_t a, dg_dec_t b);
dg_dec_t sim_dec_abs(dg_dec_t a);
void sim_json_add_dec(json_object *o, const char *key, dg_dec_t d);
/* JSON helpers of the venues: a string member, milliseconds as a string,
 * a string member's value (NULL when absent or not a string). */
void sim_json_add_str(json_object *o, const char *key, const char *v);
void sim_json_add_ms(json_object *o, const char *key, int64_t ms);
const char *sim_json_str(json_object *o, const char *key);
int sim_state_set_mark(const char *name, dg_dec_t mark);
json_object *sim_state_exchange_info(void);
/* v3: non-zero positions only; v2: every listed symbol. symbol may be NULL.
 * Returns NULL when symbol is given but invalid. */
json_object *sim_state_position_risk(const char *symbol, int v2);
int sim_state_dual(void);
void sim_state_set_dual(int dual);
/* Bybit's per-symbol position mode. 0, -1 when symbol is not valid. */
int sim_state_set_symbol_hedge(const char *symbol, int hedge);
/* OKX's acctLv (1 Spot, 2 Futures, 3 Multi-currency, 4 Portfolio). */
int sim_state_account_level(void);
void sim_state_set_account_level(int level);
/* Validate and fill a MARKET order. Returns SIM_ACCEPTED and fills *out
 * (the first order when it was split), or why it was refused. */
enum sim_refusal sim_state_place_order(sim_order_req_t *req, sim_order_t *out);
/* By order id (when > 0) or client id, the latest first; symbol NULL
 * matches any. 0, or -1 when unknown. */
int sim_state_find_order(const char *symbol, int64_t order_id,
                         const char *client_id, sim_order_t *out);
/* Binance's order JSON: query (GET /fapi/v1/order, has "time") or new-order
 * reply shape; ack shows the NEW snapshot newOrderRespType=ACK returns. */
json_object *sim_order_json(const sim_order_t *o, int query, int ack);
/* Control API. */
int sim_state_set_positions(json_object *obj, char *err, size_t errlen);
int sim_state_set_marks(json_object *obj, char *err, size_t errlen);
json_object *sim_state_positions_json(void);
json_object *sim_state_orders_json(void);

/* ---- routes and venues
 * --------------------------------------------------------------------- */
typedef void (*sim_handler_fn)(const sim_request_t *rq, sim_reply_t *r);
typedef struct {
  const char *method;
  const char *path;
  int weight; /* Binance: IP weight; Bybit: per-second limit (0: public);
                 OKX: requests per 2 s */
  sim_handler_fn handler;
} sim_route_t;

/* NULL when no route of the table has this path; *method_ok tells the
 * method. */
const sim_route_t *sim_route_find(const sim_route_t *routes, size_t n,
                                  const char *method, const char *path,
                                  int *method_ok);

/* Everything the server needs to know about a venue. */
typedef struct sim_venue {
  const char *name;        /* the --exchange value */
  const char *symbol_tail; /* USDT, -USDT-SWAP */
  int default_limit;       /* -w default (see the man page) */
  int key_lines;           /* lines of the key file: 2, OKX 3 */
  int fault_code_status;   /* HTTP status of a fault with only a code */
  const sim_route_t *routes;
  size_t nroutes;
  /* Rate limits and bans before a route: 0 to serve, else r is filled. */
  int (*admit)(const sim_route_t *route, const sim_request_t *rq,
               sim_reply_t *r);
  void (*ban)(const sim_request_t *rq, int64_t ban_ms, sim_reply_t *r);
  /* The reply of a fault with a status (and maybe a code, msg). */
  void (*fault)(const sim_request_t *rq, const sim_fault_t *f, sim_reply_t *r);
  /* An error reply in the venue's envelope; msg NULL: the code's own. */
  void (*error)(sim_reply_t *r, int status, int code, const char *msg);
  /* A delayed request that was not applied: the venue's "unknown". */
  int unknown_status, unknown_code;
  int not_found_code; /* an unknown path */
  /* Headers every reply carries (NULL: none). */
  void (*finish)(const sim_request_t *rq, sim_reply_t *r);
} sim_venue_t;

extern const sim_venue_t sim_venue_binance, sim_venue_bybit, sim_venue_okx;
/* Control API under /sim/. */
void sim_control_handle(const sim_request_t *rq, sim_reply_t *r);

/* ---- server
 * --------------------------------------------------------------------- */
struct sockaddr_in;
/* Serve until SIGTERM/SIGINT. Returns 0 on a clean stop, -1 on error. */
int sim_serve(const struct sockaddr_in *addr);

#endif
