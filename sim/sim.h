/* sim.h - internal interfaces of driftguard-exchange-sim, the loopback
 * simulator of the Binance USD-M futures REST subset driftguard uses.
 *
 * server.c  HTTP glue (libmicrohttpd), dispatch, request log
 * params.c  query/form parameter parsing, Binance's totalParams
 * reply.c   JSON replies and Binance's error codes and messages
 * auth.c    API key, signature and recvWindow checks
 * limits.c  IP request weight, 429/418 bans, request statistics
 * faults.c  injected faults (POST /sim/faults)
 * state.c   symbols, marks, positions, orders (one mutex)
 * routes_fapi.c, routes_control.c  the endpoints */
#ifndef DRIFTGUARD_SIM_H
#define DRIFTGUARD_SIM_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

#include "driftguard/decimal.h"
#include "driftguard/keyfile.h"

/* ---- configuration (set once by main before the server starts) ---------- */
typedef struct {
  dg_api_credentials_t creds;
  int weight_limit;      /* request weight per IP per minute */
  size_t max_orders;     /* orders kept for queries; oldest dropped */
  volatile int stopping; /* set on SIGTERM: delays end early */
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
  const char *api_key; /* X-MBX-APIKEY or NULL */
  const char *ip;
  sim_params_t params; /* query, then form body */
} sim_request_t;

typedef struct {
  int status;
  char *body;      /* malloc'd JSON */
  int retry_after; /* seconds; 0: no Retry-After header */
  int code;        /* Binance error code for the log, 0 on success */
} sim_reply_t;

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

/* ---- limits and statistics
 * -------------------------------------------------------- */
enum sim_admit { SIM_ADMIT_OK, SIM_ADMIT_429, SIM_ADMIT_418 };
/* Count weight for ip now; decide whether the request is served.
 * *used gets the IP's weight in this minute; on 429/418 r is filled. */
enum sim_admit sim_limits_admit(const char *ip, int weight, int *used,
                                sim_reply_t *r);
/* Ban ip for ban_ms (fault injection); fills r with the 418 reply. */
void sim_limits_ban(const char *ip, int64_t ban_ms, sim_reply_t *r);
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
  const char *symbol, *side, *type, *client_id, *position_side, *resp_type;
  dg_dec_t qty;
  int reduce_only;
  json_object *params; /* every parameter received; state takes ownership */
} sim_order_req_t;

int sim_state_init(void);
void sim_state_free(void);
void sim_state_reset(void);
/* 1 when name is an acceptable symbol: [A-Z0-9]{2,20}USDT. */
int sim_symbol_valid(const char *name);
/* Command line: a symbol's MARKET_LOT_SIZE, its mark price. The symbol is
 * then listed in exchangeInfo and survives /sim/reset. 0, -1. */
int sim_state_config_symbol(const char *name, dg_dec_t step, dg_dec_t min_qty,
                            dg_dec_t max_qty);
int sim_state_set_mark(const char *name, dg_dec_t mark);
json_object *sim_state_exchange_info(void);
/* v3: non-zero positions only; v2: every listed symbol. symbol may be NULL.
 * Returns NULL when symbol is given but invalid. */
json_object *sim_state_position_risk(const char *symbol, int v2);
int sim_state_dual(void);
void sim_state_set_dual(int dual);
/* Validate and fill a MARKET order. Returns 0 and fills *out, or a Binance
 * error code (the caller replies with HTTP 400). */
int sim_state_place_order(sim_order_req_t *req, sim_order_t *out);
/* By order id (when > 0) or client id. 0, or -1 when unknown. */
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

/* ---- routes
 * --------------------------------------------------------------------- */
typedef void (*sim_handler_fn)(const sim_request_t *rq, sim_reply_t *r);
typedef struct {
  const char *method;
  const char *path;
  int weight;
  sim_handler_fn handler;
} sim_route_t;

/* NULL when no /fapi route has this path; *method_ok tells the method. */
const sim_route_t *sim_fapi_route(const char *method, const char *path,
                                  int *method_ok);
/* Control API under /sim/. */
void sim_control_handle(const sim_request_t *rq, sim_reply_t *r);

/* ---- server
 * --------------------------------------------------------------------- */
struct sockaddr_in;
/* Serve until SIGTERM/SIGINT. Returns 0 on a clean stop, -1 on error. */
int sim_serve(const struct sockaddr_in *addr);

#endif
