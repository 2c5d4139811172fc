/* routes_control.c - the simulator's own unsigned control API under /sim/
 * (SPEC section 8): set positions, marks and the position mode, inject
 * faults, list orders and request statistics, reset. Bodies are JSON
 * whatever the Content-Type says (curl -d sends form encoding). */
#include "sim.h"

#include <stdio.h>
#include <string.h>

static void reply_ok(sim_reply_t *r) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "ok", json_object_new_boolean(1));
  sim_reply_json(r, 200, o);
}

static void reply_bad(sim_reply_t *r, int status, const char *why) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "error", json_object_new_string(why));
  sim_reply_json(r, status, o);
}

/* The body as JSON, or NULL after replying 400. */
static json_object *body_json(const sim_request_t *rq, sim_reply_t *r) {
  enum json_tokener_error jerr;
  json_object *o = json_tokener_parse_verbose(rq->body, &jerr);
  if (o == NULL) {
    char why[160];
    snprintf(why, sizeof(why), "body is not JSON: %s",
             json_tokener_error_desc(jerr));
    reply_bad(r, 400, why);
  }
  return o;
}

typedef int (*setter_fn)(json_object *obj, char *err, size_t errlen);

/* POST with a JSON body handed to set. */
static void post_with(const sim_request_t *rq, sim_reply_t *r, setter_fn set) {
  char err[256];
  json_object *o = body_json(rq, r);
  if (o == NULL)
    return;
  if (set(o, err, sizeof(err)) != 0)
    reply_bad(r, 400, err);
  else
    reply_ok(r);
  json_object_put(o);
}

/* {"dualSidePosition":true|false}: the account's position mode; with
 * "symbol": one symbol's (Bybit sets the mode per symbol). */
static int set_dual(json_object *o, char *err, size_t errlen) {
  json_object *v;
  const char *symbol = sim_json_str(o, "symbol");
  if (!json_object_object_get_ex(o, "dualSidePosition", &v) ||
      !json_object_is_type(v, json_type_boolean)) {
    snprintf(err, errlen, "expected {\"dualSidePosition\":true|false}");
    return -1;
  }
  if (symbol == NULL) {
    sim_state_set_dual(json_object_get_boolean(v));
    return 0;
  }
  if (sim_config.venue != &sim_venue_bybit) {
    snprintf(err, errlen, "the position mode of %s is account-wide",
             sim_config.venue->name);
    return -1;
  }
  if (sim_state_set_symbol_hedge(symbol, json_object_get_boolean(v)) != 0) {
    snprintf(err, errlen, "invalid symbol '%s'", symbol);
    return -1;
  }
  return 0;
}

/* {"acctLv":"1".."4","posMode":"net_mode"|"long_short_mode"}, both
 * optional: OKX's account configuration (posMode is the position mode
 * /sim/dual sets). */
static int set_account(json_object *o, char *err, size_t errlen) {
  json_object *lv = NULL, *mode = NULL;
  const char *m = NULL;
  int level = 0;
  if (json_object_object_get_ex(o, "acctLv", &lv)) {
    const char *t = json_object_get_string(lv);
    level = t && t[0] >= '1' && t[0] <= '4' && t[1] == '\0' ? t[0] - '0' : 0;
  }
  if (json_object_object_get_ex(o, "posMode", &mode))
    m = json_object_get_string(mode);
  if ((lv != NULL && level == 0) ||
      (mode != NULL && (m == NULL || (strcmp(m, "net_mode") != 0 &&
                                      strcmp(m, "long_short_mode") != 0)))) {
    snprintf(err, errlen,
             "expected {\"acctLv\":\"1\"..\"4\",\"posMode\":"
             "\"net_mode\"|\"long_short_mode\"}");
    return -1;
  }
  if (level != 0)
    sim_state_set_account_level(level);
  if (m != NULL)
    sim_state_set_dual(strcmp(m, "long_short_mode") == 0);
  return 0;
}

static json_object *dual_json(void) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "dualSidePosition",
                         json_object_new_boolean(sim_state_dual()));
  return o;
}

void sim_control_handle(const sim_request_t *rq, sim_reply_t *r) {
  const char *p = rq->path + strlen("/sim");
  int get = strcmp(rq->method, "GET") == 0;
  int post = strcmp(rq->method, "POST") == 0;

  if (strcmp(p, "/positions") == 0 && get)
    sim_reply_json(r, 200, sim_state_positions_json());
  else if (strcmp(p, "/legs") == 0 && get)
    sim_reply_json(r, 200, sim_state_legs_json());
  else if (strcmp(p, "/positions") == 0 && post)
    post_with(rq, r, sim_state_set_positions);
  else if (strcmp(p, "/mark") == 0 && post)
    post_with(rq, r, sim_state_set_marks);
  else if (strcmp(p, "/faults") == 0 && post)
    post_with(rq, r, sim_faults_add);
  else if (strcmp(p, "/faults") == 0 && get)
    sim_reply_json(r, 200, sim_faults_json());
  else if (strcmp(p, "/dual") == 0 && post)
    post_with(rq, r, set_dual);
  else if (strcmp(p, "/account") == 0 && post)
    post_with(rq, r, set_account);
  else if (strcmp(p, "/dual") == 0 && get)
    sim_reply_json(r, 200, dual_json());
  else if (strcmp(p, "/orders") == 0 && get)
    sim_reply_json(r, 200, sim_state_orders_json());
  else if (strcmp(p, "/stats") == 0 && get)
    sim_reply_json(r, 200, sim_stats_json());
  else if (strcmp(p, "/reset") == 0 && post) {
    sim_state_reset();
    sim_faults_reset();
    sim_limits_reset();
    reply_ok(r);
  } else
    reply_bad(r, 404, "unknown control endpoint or method");
}
