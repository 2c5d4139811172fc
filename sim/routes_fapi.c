/* routes_fapi.c - the Binance USD-M futures venue (--exchange binance-usdm,
 * the default): the endpoints driftguard uses, with their IP weights,
 * parameter checks and error codes in Binance's order, and its limits,
 * bans and fault replies. Only MARKET orders are simulated; they fill at
 * once at the mark price. */
#include "sim.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void get_time(const sim_request_t *rq, sim_reply_t *r) {
  (void)rq;
  json_object *o = json_object_new_object();
  json_object_object_add(o, "serverTime", json_object_new_int64(sim_now_ms()));
  sim_reply_json(r, 200, o);
}

static void get_exchange_info(const sim_request_t *rq, sim_reply_t *r) {
  (void)rq;
  sim_reply_json(r, 200, sim_state_exchange_info());
}

static void position_risk(const sim_request_t *rq, sim_reply_t *r, int v2) {
  json_object *arr;
  if (sim_auth_signed(rq, r) != 0)
    return;
  arr = sim_state_position_risk(sim_params_get(&rq->params, "symbol"), v2);
  if (arr == NULL)
    sim_reply_error(r, 400, -1121);
  else
    sim_reply_json(r, 200, arr);
}

static void get_position_risk_v3(const sim_request_t *rq, sim_reply_t *r) {
  position_risk(rq, r, 0);
}

static void get_position_risk_v2(const sim_request_t *rq, sim_reply_t *r) {
  position_risk(rq, r, 1);
}

static void get_dual(const sim_request_t *rq, sim_reply_t *r) {
  json_object *o;
  if (sim_auth_signed(rq, r) != 0)
    return;
  o = json_object_new_object();
  json_object_object_add(o, "dualSidePosition",
                         json_object_new_boolean(sim_state_dual()));
  sim_reply_json(r, 200, o);
}

/* ^[\.A-Z\:/a-z0-9_-]{1,36}$ without the length. */
static int client_id_chars_ok(const char *id) {
  for (; *id; id++)
    if (!((*id >= 'A' && *id <= 'Z') || (*id >= 'a' && *id <= 'z') ||
          (*id >= '0' && *id <= '9') || strchr(".:/_-", *id) != NULL))
      return 0;
  return 1;
}

/* Every parameter but the signature, for GET /sim/orders. */
static json_object *params_json(const sim_params_t *p) {
  json_object *o = json_object_new_object();
  for (size_t i = 0; i < p->n; i++)
    if (strcmp(p->v[i].name, "signature") != 0 &&
        !json_object_object_get_ex(o, p->v[i].name, NULL))
      json_object_object_add(o, p->v[i].name,
                             json_object_new_string(p->v[i].value));
  return o;
}

static int invalid_param(sim_reply_t *r, const char *name) {
  sim_reply_errorf(r, 400, -1130, "Data sent for parameter '%s' is not valid.",
                   name);
  return -1;
}

/* Fill req from the parameters; -1 after replying with Binance's error. */
static int read_order(const sim_request_t *rq, sim_order_req_t *req,
                      sim_reply_t *r) {
  const sim_params_t *p = &rq->params;
  const char *reduce = sim_params_get(p, "reduceOnly");
  const char *qty = sim_params_get(p, "quantity");
  int dual = sim_state_dual();

  memset(req, 0, sizeof(*req));
  req->symbol = sim_params_get(p, "symbol");
  req->side = sim_params_get(p, "side");
  req->type = sim_params_get(p, "type");
  req->client_id = sim_params_get(p, "newClientOrderId");
  req->position_side = sim_params_get(p, "positionSide");
  req->resp_type = sim_params_get(p, "newOrderRespType");
  req->buy = req->side != NULL && strcmp(req->side, "BUY") == 0;
  if (req->symbol == NULL || *req->symbol == '\0') {
    sim_reply_missing(r, "symbol");
    return -1;
  }
  if (!sim_symbol_valid(req->symbol)) {
    sim_reply_error(r, 400, -1121);
    return -1;
  }
  if (req->side == NULL || *req->side == '\0') {
    sim_reply_missing(r, "side");
    return -1;
  }
  if (strcmp(req->side, "BUY") != 0 && strcmp(req->side, "SELL") != 0) {
    sim_reply_error(r, 400, -1117);
    return -1;
  }
  if (req->type == NULL || *req->type == '\0') {
    sim_reply_missing(r, "type");
    return -1;
  }
  if (strcmp(req->type, "MARKET") != 0) {
    sim_reply_error(r, 400, -1116); /* the simulator fills MARKET only */
    return -1;
  }
  if (qty == NULL || dg_dec_parse(qty, &req->qty) != 0) {
    sim_reply_missing(r, "quantity");
    return -1;
  }
  if (reduce != NULL && dual) {
    sim_reply_error(r, 400, -1106);
    return -1;
  }
  if (reduce != NULL && strcasecmp(reduce, "true") != 0 &&
      strcasecmp(reduce, "false") != 0)
    return invalid_param(r, "reduceOnly");
  req->reduce_only = reduce != NULL && strcasecmp(reduce, "true") == 0;
  if (dual ? (req->position_side == NULL ||
              (strcmp(req->position_side, "LONG") != 0 &&
               strcmp(req->position_side, "SHORT") != 0))
           : (req->position_side != NULL &&
              strcmp(req->position_side, "BOTH") != 0)) {
    sim_reply_error(r, 400, -4061);
    return -1;
  }
  if (dual) /* hedge mode: the leg (selling LONG or buying SHORT closes) */
    req->leg = strcmp(req->position_side, "LONG") == 0 ? 1 : -1;
  if (req->client_id != NULL && *req->client_id == '\0')
    req->client_id = NULL;
  if (req->client_id != NULL && strlen(req->client_id) > 36) {
    sim_reply_error(r, 400, -4015);
    return -1;
  }
  if (req->client_id != NULL && !client_id_chars_ok(req->client_id)) {
    sim_reply_error(r, 400, -1100);
    return -1;
  }
  if (req->resp_type != NULL && strcmp(req->resp_type, "ACK") != 0 &&
      strcmp(req->resp_type, "RESULT") != 0)
    return invalid_param(r, "newOrderRespType");
  return 0;
}

/* Binance's code for each refusal of the state. */
static int refusal_code(enum sim_refusal why) {
  static const int codes[] = {
      [SIM_REFUSE_SYMBOL] = -1121,        [SIM_REFUSE_QTY_ZERO] = -4003,
      [SIM_REFUSE_QTY_PRECISION] = -1111, [SIM_REFUSE_QTY_MIN] = -4004,
      [SIM_REFUSE_QTY_MAX] = -4005,       [SIM_REFUSE_QTY_STEP] = -4023,
      [SIM_REFUSE_REDUCE_FLAT] = -2022,   [SIM_REFUSE_REDUCE_SIDE] = -2022,
      [SIM_REFUSE_REDUCE_SIZE] = -2022,   [SIM_REFUSE_CLIENT_ID_DUP] = -4116,
  };
  return codes[why];
}

static void post_order(const sim_request_t *rq, sim_reply_t *r) {
  sim_order_req_t req;
  sim_order_t order;
  enum sim_refusal why;

  if (sim_auth_signed(rq, r) != 0 || read_order(rq, &req, r) != 0)
    return;
  req.params = params_json(&rq->params);
  why = sim_state_place_order(&req, &order);
  json_object_put(req.params); /* NULL when the state kept it */
  if (why != SIM_ACCEPTED) {
    sim_reply_error(r, 400, refusal_code(why));
    return;
  }
  sim_reply_json(
      r, 200,
      sim_order_json(&order, 0, strcmp(order.resp_type, "RESULT") != 0));
}

static void get_order(const sim_request_t *rq, sim_reply_t *r) {
  const char *symbol = sim_params_get(&rq->params, "symbol");
  const char *id_text = sim_params_get(&rq->params, "orderId");
  const char *client_id = sim_params_get(&rq->params, "origClientOrderId");
  sim_order_t order;
  long long id = 0;
  char *end;

  if (sim_auth_signed(rq, r) != 0)
    return;
  if (symbol == NULL || *symbol == '\0') {
    sim_reply_missing(r, "symbol");
    return;
  }
  if (id_text != NULL) {
    errno = 0;
    id = strtoll(id_text, &end, 10);
    if (errno != 0 || *id_text == '\0' || *end != '\0' || id <= 0) {
      sim_reply_missing(r, "orderId");
      return;
    }
  } else if (client_id == NULL || *client_id == '\0') {
    sim_reply_errorf(r, 400, -1102,
                     "Param 'origClientOrderId' or 'orderId' must be sent, "
                     "but both were empty/null!");
    return;
  }
  if (sim_state_find_order(symbol, id, client_id, &order) != 0) {
    sim_reply_error(r, 400, -2013);
    return;
  }
  sim_reply_json(r, 200, sim_order_json(&order, 1, 0));
}

/* Weights from Binance's docs; orders count in the order limits, not the
 * IP weight. */
static const sim_route_t routes[] = {
    {"GET", "/fapi/v1/time", 1, get_time},
    {"GET", "/fapi/v1/exchangeInfo", 1, get_exchange_info},
    {"GET", "/fapi/v3/positionRisk", 5, get_position_risk_v3},
    {"GET", "/fapi/v2/positionRisk", 5, get_position_risk_v2},
    {"GET", "/fapi/v1/positionSide/dual", 30, get_dual},
    {"POST", "/fapi/v1/order", 0, post_order},
    {"GET", "/fapi/v1/order", 1, get_order},
};

static int admit(const sim_route_t *rt, const sim_request_t *rq,
                 sim_reply_t *r) {
  int used;
  return sim_limits_admit(rq->ip, rt->weight, &used, r) != SIM_ADMIT_OK;
}

static void ban(const sim_request_t *rq, int64_t ban_ms, sim_reply_t *r) {
  sim_limits_ban(rq->ip, ban_ms, r);
}

/* A fault's reply: Binance's error object, its 429, its 503 "Unknown
 * error" (the unknown-outcome message). */
static void fault(const sim_request_t *rq, const sim_fault_t *f,
                  sim_reply_t *r) {
  int code = f->code ? f->code : -1000;
  const char *msg = f->msg[0] ? f->msg : sim_error_msg(code);

  if (f->status == 429 && f->code == 0 && f->msg[0] == '\0') {
    sim_limits_reply_429(rq->ip, r);
    return;
  }
  if (f->status == 503 && f->code == 0 && f->msg[0] == '\0')
    msg = "Unknown error, please check your request or try again later.";
  sim_reply_errorf(r, f->status, code, "%s", msg);
}

static void error(sim_reply_t *r, int status, int code, const char *msg) {
  if (msg != NULL)
    sim_reply_errorf(r, status, code, "%s", msg);
  else
    sim_reply_error(r, status, code);
}

/* Every reply, the control API's too, tells the IP's weight. */
static void finish(const sim_request_t *rq, sim_reply_t *r) {
  sim_reply_header(r, "X-MBX-USED-WEIGHT-1M", sim_limits_used(rq->ip));
}

const sim_venue_t sim_venue_binance = {
    .name = "binance-usdm",
    .symbol_tail = "USDT",
    .default_limit = 2400,
    .key_lines = 2,
    .fault_code_status = 400,
    .routes = routes,
    .nroutes = sizeof(routes) / sizeof(routes[0]),
    .admit = admit,
    .ban = ban,
    .fault = fault,
    .error = error,
    .unknown_status = 503,
    .unknown_code = -1007,
    .not_found_code = -1000,
    .finish = finish,
};
