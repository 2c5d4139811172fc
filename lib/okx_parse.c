/* okx_parse.c - OKX v5 SWAP: request timestamps, signatures and the close
 * body, reply parsing and the HTTP-reply-to-outcome mapping. Pure
 * functions over byte buffers (see okx_parse.h); the I/O lives in
 * okx_swap.c. */
#include "driftguard/okx_parse.h"

#include "driftguard/grow.h"
#include "driftguard/json_flat.h"
#include "driftguard/json_tree.h"
#include "driftguard/text.h"
#include "exchange_driver.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* --- requests --------------------------------------------------------------
 */

int dg_okx_timestamp(int64_t ms, char out[DG_OKX_TS_LEN + 1]) {
  time_t secs;
  struct tm tm;
  if (ms < 0 || ms > INT64_C(253402300799999)) /* year 9999 */
    return -1;
  secs = (time_t)(ms / 1000);
  if (gmtime_r(&secs, &tm) == NULL ||
      strftime(out, DG_OKX_TS_LEN + 1, "%Y-%m-%dT%H:%M:%S", &tm) != 19)
    return -1;
  snprintf(out + 19, DG_OKX_TS_LEN + 1 - 19, ".%03dZ", (int)(ms % 1000));
  return 0;
}

int dg_okx_sign(const char *secret, const char *ts, const char *method,
                const char *request_path, const char *body,
                char out[DG_SHA256_B64LEN + 1]) {
  size_t len =
      strlen(ts) + strlen(method) + strlen(request_path) + strlen(body);
  char *text = malloc(len + 1);
  int rc;
  if (text == NULL)
    return -1;
  snprintf(text, len + 1, "%s%s%s%s", ts, method, request_path, body);
  rc = dg_hmac_sha256_base64(secret, strlen(secret), text, len, out);
  free(text);
  return rc;
}

int dg_okx_close_body(const char *symbol, int isolated, const char *side,
                      dg_leg_t leg, dg_dec_t qty, const char *client_order_id,
                      char *out, size_t size) {
  char sz[DG_DEC_STRLEN], pos_side[24] = "";
  int n;
  dg_dec_format(qty, sz, sizeof sz);
  if (leg != DG_LEG_BOTH)
    snprintf(pos_side, sizeof pos_side, ",\"posSide\":\"%s\"",
             leg == DG_LEG_LONG ? "long" : "short");
  n = snprintf(out, size,
               "{\"instId\":\"%s\",\"tdMode\":\"%s\",\"side\":\"%s\"%s,"
               "\"ordType\":\"market\",\"sz\":\"%s\"%s,\"clOrdId\":\"%s\"}",
               symbol, isolated ? "isolated" : "cross",
               strcmp(side, "BUY") == 0 ? "buy" : "sell", pos_side, sz,
               leg == DG_LEG_BOTH ? ",\"reduceOnly\":true" : "",
               client_order_id);
  return n >= 0 && (size_t)n < size ? n : -1;
}

int dg_okx_client_order_id(const char *plan_id,
                           char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  return dg_ex_hashed_client_id(plan_id, "dgrc", 32, out);
}

int dg_okx_valid_client_order_id(const char *s) {
  return dg_ex_id_valid(s, "", 32);
}

/* --- the envelope
 * -------------------------------------------------------------- */

/* "0", "51603": OKX's codes are strings of digits (a number is taken too). */
static int parse_code(const char *s, size_t len, long *out) {
  long v = 0;
  if (len == 0 || len > 9)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (s[i] < '0' || s[i] > '9')
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 0;
}

/* The top-level members of {"code":..,"msg":..,"data":[..]}, streamed: a
 * positions or instruments reply is not built into a tree for this. */
typedef struct {
  int has_code, has_data;
  long code;
  char msg[200];
} envelope_t;

static int envelope_member(void *ctx, const char *key, size_t key_len,
                           const dg_json_value_t *v, char *err, size_t errlen) {
  envelope_t *e = ctx;
  (void)err;
  (void)errlen;
  if (key_len == 4 && strcmp(key, "code") == 0 &&
      (v->kind == DG_JSON_STRING || v->kind == DG_JSON_NUMBER))
    e->has_code = parse_code(v->text, v->len, &e->code) == 0;
  else if (key_len == 3 && strcmp(key, "msg") == 0 && v->kind == DG_JSON_STRING)
    dg_text_printable(v->text, v->len, e->msg, sizeof e->msg);
  else if (key_len == 4 && strcmp(key, "data") == 0)
    e->has_data = v->kind == DG_JSON_NESTED;
  return 0;
}

/* A refused order's reason: data[0].sCode / sMsg when sCode is not "0".
 * Refusals are small; a big body is data, not a refusal. */
#define REFUSAL_MAX 65536

static void order_level_code(const char *body, size_t len, envelope_t *e) {
  json_object *root, *data, *row;
  const char *scode, *smsg;
  long code;
  if (len > REFUSAL_MAX || (root = dg_json_parse_strict(body, len)) == NULL)
    return;
  if (json_object_object_get_ex(root, "data", &data) &&
      json_object_is_type(data, json_type_array) &&
      json_object_array_length(data) > 0 &&
      (row = json_object_array_get_idx(data, 0)) != NULL &&
      json_object_is_type(row, json_type_object) &&
      (scode = dg_json_str(row, "sCode")) != NULL &&
      parse_code(scode, strlen(scode), &code) == 0 && code != 0) {
    e->code = code;
    smsg = dg_json_str(row, "sMsg");
    dg_text_printable(smsg ? smsg : "", smsg ? strlen(smsg) : 0, e->msg,
                      sizeof e->msg);
  }
  json_object_put(root);
}

/* The caller-visible meaning of the codes driftguard acts on. */
static dg_ex_reason_t reason_of(long code) {
  switch (code) {
  case DG_OKX_ERR_NO_SUCH_ORDER:
    return DG_EX_REASON_ORDER_NOT_FOUND;
  case DG_OKX_ERR_TIMESTAMP:
    return DG_EX_REASON_CLOCK_SKEW;
  case DG_OKX_ERR_DUPLICATE_CLIENT_ID:
    return DG_EX_REASON_DUPLICATE_CLIENT_ID;
  case DG_OKX_ERR_NO_INSTRUMENT:
    return DG_EX_REASON_UNKNOWN_SYMBOL;
  default:
    return DG_EX_REASON_NONE;
  }
}

/* Codes after which OKX does not say whether the request was executed. */
static int fate_not_stated(long code) {
  return code == DG_OKX_ERR_ENDPOINT_TIMEOUT ||
         code == DG_OKX_ERR_SYSTEM_UNAVAILABLE || code == DG_OKX_ERR_BUSY ||
         code == DG_OKX_ERR_SYSTEM_ERROR || code == DG_OKX_ERR_REQUEST_TIMEOUT;
}

/* Codes of a refusal before processing (see okx_parse.h). */
static int refused_before_processing(long code) {
  if (code == DG_OKX_ERR_RATE_LIMIT || code == DG_OKX_ERR_SUBACCOUNT_RATE ||
      (code >= 50014 && code <= 50016) || code == DG_OKX_ERR_EXPTIME_PAST ||
      code == DG_OKX_ERR_ORDER_EXPIRED)
    return 1;
  if (code >= 50100 && code <= 50199)
    return code != DG_OKX_ERR_TIMESTAMP;
  if (code >= 51000 && code <= 51999)
    return code != DG_OKX_ERR_DUPLICATE_CLIENT_ID &&
           code != DG_OKX_ERR_REQUEST_TIMEOUT;
  return 0;
}

dg_ex_status_t dg_okx_classify_reply(long http_status, const char *body,
                                     size_t len, int64_t now_ms,
                                     dg_ex_result_t *res) {
  static const dg_json_flat_cb_t callbacks = {.member = envelope_member};
  envelope_t e = {0};
  char why[128];
  int okx, ok2xx = http_status >= 200 && http_status <= 299;

  okx = dg_json_flat_parse(body, len, DG_JSON_ONE_OBJECT, &callbacks, &e, why,
                           sizeof why) == 0 &&
        e.has_code;
  if (okx && e.code != 0)
    order_level_code(body, len, &e);
  res->http_status = (int)http_status;
  res->code = okx ? (int)e.code : 0;
  res->reason = okx ? reason_of(e.code) : DG_EX_REASON_NONE;
  res->not_executed = okx && e.code != 0 && refused_before_processing(e.code);
  if (okx)
    snprintf(res->msg, sizeof res->msg, "%s", e.msg);
  else
    dg_ex_quote_reply(http_status, body, len, res->msg, sizeof res->msg);

  if (okx && e.code == DG_OKX_ERR_ENDPOINT_TIMEOUT)
    return res->status = DG_EX_UNKNOWN;
  if ((okx && (e.code == DG_OKX_ERR_RATE_LIMIT ||
               e.code == DG_OKX_ERR_SUBACCOUNT_RATE)) ||
      http_status == 429) {
    res->retry_after_ms = now_ms + DG_OKX_RATE_LIMIT_DEFAULT_MS;
    return res->status = DG_EX_RATE_LIMIT;
  }
  if ((okx && fate_not_stated(e.code)) ||
      (http_status >= 500 && http_status <= 599)) {
    res->not_executed = 0;
    return res->status = DG_EX_UNKNOWN;
  }
  if (okx && e.code == 0 && ok2xx)
    return res->status = e.has_data ? DG_EX_OK : DG_EX_BAD_REPLY;
  if ((okx && e.code != 0 &&
       (ok2xx || (http_status >= 400 && http_status <= 499))) ||
      (http_status >= 400 && http_status <= 499))
    return res->status = DG_EX_REFUSED;
  if (ok2xx)
    snprintf(res->msg, sizeof res->msg,
             "HTTP %ld: not an OKX reply {\"code\", \"msg\", \"data\"}",
             http_status);
  else
    snprintf(res->msg, sizeof res->msg, "unexpected HTTP status %ld",
             http_status);
  res->not_executed = 0;
  return res->status = DG_EX_BAD_REPLY;
}

/* --- replies
 * ------------------------------------------------------------------- */

/* The data array of an envelope whose code is "0", or NULL. */
static json_object *data_of(json_object *root) {
  json_object *data;
  const char *code;
  if (root == NULL || !json_object_is_type(root, json_type_object) ||
      (code = dg_json_str(root, "code")) == NULL || strcmp(code, "0") != 0 ||
      !json_object_object_get_ex(root, "data", &data) ||
      !json_object_is_type(data, json_type_array))
    return NULL;
  return data;
}

/* data[0] as an object, or NULL. */
static json_object *first_row(json_object *root) {
  json_object *data = data_of(root), *row;
  if (data == NULL || json_object_array_length(data) < 1)
    return NULL;
  row = json_object_array_get_idx(data, 0);
  return json_object_is_type(row, json_type_object) ? row : NULL;
}

/* A member that must be a string of digits (OKX's ms epochs, levels). */
static int digits_member(json_object *o, const char *key, int64_t *out) {
  const char *s = dg_json_str(o, key);
  int64_t v = 0;
  if (s == NULL || *s == '\0' || strlen(s) > 15)
    return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9')
      return -1;
    v = v * 10 + (*s - '0');
  }
  *out = v;
  return 0;
}

int dg_okx_parse_server_time(const char *body, size_t len, int64_t *out) {
  json_object *root = dg_json_parse_strict(body, len), *row = first_row(root);
  int64_t t;
  int rc = -1;
  if (row != NULL && digits_member(row, "ts", &t) == 0 && t > 0) {
    *out = t;
    rc = 0;
  }
  json_object_put(root);
  return rc;
}

int dg_okx_parse_account(const char *body, size_t len, int *acct_lv,
                         int *long_short, char *err, size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *row = first_row(root);
  const char *mode = row ? dg_json_str(row, "posMode") : NULL;
  int64_t lv;
  int rc = -1;
  if (row == NULL || digits_member(row, "acctLv", &lv) != 0 || lv < 1 ||
      lv > 99)
    snprintf(err, errlen, "account config: no acctLv in data[0]");
  else if (mode == NULL || (strcmp(mode, "net_mode") != 0 &&
                            strcmp(mode, "long_short_mode") != 0))
    snprintf(err, errlen,
             "account config: posMode is neither net_mode nor "
             "long_short_mode");
  else {
    *acct_lv = (int)lv;
    *long_short = strcmp(mode, "long_short_mode") == 0;
    rc = 0;
  }
  json_object_put(root);
  return rc;
}

int dg_okx_account_level_supported(int acct_lv) {
  return acct_lv == 2 || acct_lv == 3;
}

const char *dg_okx_account_level_name(int acct_lv) {
  switch (acct_lv) {
  case 1:
    return "Spot mode";
  case 2:
    return "Futures mode";
  case 3:
    return "Multi-currency margin";
  case 4:
    return "Portfolio margin";
  default:
    return "unknown";
  }
}

/* --- positions
 * ------------------------------------------------------------------ */

typedef struct {
  dg_position_t pos;
  int isolated;
} row_t;

static int row_cmp(const void *x, const void *y) {
  const row_t *a = x, *b = y;
  int c = strcmp(a->pos.symbol, b->pos.symbol);
  return c != 0 ? c : (int)a->pos.leg - (int)b->pos.leg;
}

/* One positions row: 1 kept (open), 0 skipped (pos 0, not a SWAP), -1
 * malformed (err says why). */
static int position_row(json_object *o, size_t index, row_t *r, char *err,
                        size_t errlen) {
  const char *type = dg_json_str(o, "instType");
  const char *inst = dg_json_str(o, "instId");
  const char *side = dg_json_str(o, "posSide");
  const char *mgn = dg_json_str(o, "mgnMode");
  dg_dec_t pos;

  memset(r, 0, sizeof *r);
  if (type != NULL && strcmp(type, "SWAP") != 0)
    return 0;
  if (inst == NULL || !dg_symbol_valid(inst, strlen(inst)) || side == NULL ||
      mgn == NULL || dg_json_dec(o, "pos", &pos) != 0) {
    snprintf(err, errlen,
             "positions row %zu: no valid instId, posSide, mgnMode and pos",
             index);
    return -1;
  }
  if (dg_dec_is_zero(pos))
    return 0; /* OKX keeps closed positions' records */
  snprintf(r->pos.symbol, sizeof r->pos.symbol, "%s", inst);
  if (strcmp(mgn, "isolated") == 0)
    r->isolated = 1;
  else if (strcmp(mgn, "cross") != 0) {
    snprintf(err, errlen,
             "positions: %s has mgnMode neither cross nor isolated", inst);
    return -1;
  }
  if (strcmp(side, "net") == 0) {
    r->pos.leg = DG_LEG_BOTH;
    r->pos.amt = pos;
  } else if (strcmp(side, "long") == 0 && dg_dec_sign(pos) > 0) {
    r->pos.leg = DG_LEG_LONG;
    r->pos.amt = pos;
  } else if (strcmp(side, "short") == 0) {
    /* long/short mode's short rows: pos as a size; taken either way */
    r->pos.leg = DG_LEG_SHORT;
    if (dg_dec_sign(pos) < 0)
      r->pos.amt = pos;
    else
      dg_dec_neg(pos, &r->pos.amt); /* pos > 0: never overflows */
  } else {
    snprintf(err, errlen,
             "positions: %s has posSide \"%.8s\" with pos of the wrong sign",
             inst, side);
    return -1;
  }
  return 1;
}

/* rows[0..n) sorted: the caller's view (see okx_parse.h). */
static dg_position_t *legs_of(const row_t *rows, size_t n, const char *symbol,
                              int long_short, size_t *count) {
  dg_position_t *list = malloc((n > 2 ? n : 2) * sizeof *list);
  int seen_net = 0, seen_side = 0;
  *count = 0;
  if (list == NULL)
    return NULL;
  for (size_t k = 0; k < n; k++) {
    if (symbol != NULL && strcmp(rows[k].pos.symbol, symbol) != 0)
      continue;
    if (rows[k].pos.leg == DG_LEG_BOTH)
      seen_net = 1;
    else
      seen_side = 1;
    list[(*count)++] = rows[k].pos;
  }
  if (symbol == NULL)
    return list;
  if (seen_net || seen_side)
    long_short = seen_side && !seen_net;
  /* One row per leg of the mode, flat legs included. */
  {
    dg_position_t legs[2];
    size_t nlegs = long_short ? 2 : 1;
    for (size_t l = 0; l < nlegs; l++) {
      snprintf(legs[l].symbol, sizeof legs[l].symbol, "%s", symbol);
      legs[l].leg =
          long_short ? (l == 0 ? DG_LEG_LONG : DG_LEG_SHORT) : DG_LEG_BOTH;
      legs[l].amt = DG_DEC_ZERO;
      for (size_t k = 0; k < *count; k++)
        if (list[k].leg == legs[l].leg)
          legs[l].amt = list[k].amt;
    }
    memcpy(list, legs, nlegs * sizeof *list);
    *count = nlegs;
  }
  return list;
}

int dg_okx_parse_positions(const char *body, size_t len, const char *symbol,
                           int long_short, dg_position_t **out, size_t *n,
                           dg_okx_margin_t **margins, size_t *n_margins,
                           char *err, size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *data = data_of(root);
  row_t *rows = NULL;
  size_t count = 0, total, kept;
  dg_position_t *list = NULL;
  dg_okx_margin_t *mlist = NULL;
  int rc = -1;

  if (data == NULL) {
    snprintf(err, errlen, "positions: reply has no data array");
    goto done;
  }
  total = json_object_array_length(data);
  if ((rows = calloc(total > 0 ? total : 1, sizeof *rows)) == NULL)
    goto oom;
  for (size_t i = 0; i < total; i++) {
    json_object *o = json_object_array_get_idx(data, i);
    int r;
    if (!json_object_is_type(o, json_type_object)) {
      snprintf(err, errlen, "positions row %zu: not an object", i);
      goto done;
    }
    if ((r = position_row(o, i, &rows[count], err, errlen)) < 0)
      goto done;
    count += (size_t)r;
  }
  /* Sorted, so that a twin is next to its row (and callers can bsearch). */
  if (count > 1)
    qsort(rows, count, sizeof *rows, row_cmp);
  for (size_t k = 1; k < count; k++)
    if (row_cmp(&rows[k - 1], &rows[k]) == 0) {
      snprintf(err, errlen,
               "positions: %s %s listed twice (cross and isolated "
               "positions on one instrument are not supported)",
               rows[k].pos.symbol, dg_leg_name(rows[k].pos.leg));
      goto done;
    }
  if ((list = legs_of(rows, count, symbol, long_short, &kept)) == NULL ||
      (mlist = malloc((count > 0 ? count : 1) * sizeof *mlist)) == NULL)
    goto oom;
  for (size_t k = 0; k < count; k++) {
    memcpy(mlist[k].symbol, rows[k].pos.symbol, sizeof mlist[k].symbol);
    mlist[k].leg = rows[k].pos.leg;
    mlist[k].isolated = rows[k].isolated;
  }
  if (kept == 0) {
    free(list);
    list = NULL;
  }
  if (count == 0) {
    free(mlist);
    mlist = NULL;
  }
  *out = list;
  *n = kept;
  *margins = mlist;
  *n_margins = count;
  list = NULL;
  mlist = NULL;
  rc = 0;
  goto done;
oom:
  snprintf(err, errlen, "positions: out of memory");
done:
  free(list);
  free(mlist);
  free(rows);
  json_object_put(root);
  return rc;
}

/* --- instruments
 * ----------------------------------------------------------------- */

/* One instrument: 1 kept, 0 not traded by driftguard, -1 malformed. */
static int instrument(json_object *o, dg_symbol_rules_t *r, char *err,
                      size_t errlen) {
  const char *state = dg_json_str(o, "state");
  const char *type = dg_json_str(o, "ctType");
  dg_dec_t ct_val, ct_mult;

  memset(r, 0, sizeof *r);
  if (dg_json_copy_str(r->symbol, sizeof r->symbol, dg_json_str(o, "instId")) !=
          0 ||
      !dg_symbol_valid(r->symbol, strlen(r->symbol)))
    return 0; /* an instrument we could never trade is not worth failing on */
  if (state == NULL || strcmp(state, "live") != 0 || type == NULL ||
      strcmp(type, "linear") != 0)
    return 0;
  if (dg_json_dec(o, "lotSz", &r->step) != 0 ||
      dg_json_dec(o, "minSz", &r->min_qty) != 0 ||
      dg_json_dec(o, "maxMktSz", &r->max_qty) != 0 ||
      dg_json_dec(o, "ctVal", &ct_val) != 0 ||
      dg_json_dec(o, "ctMult", &ct_mult) != 0 || dg_dec_sign(r->step) <= 0 ||
      dg_dec_sign(r->max_qty) <= 0 ||
      dg_dec_mul(ct_val, ct_mult, &r->contract_value) != 0 ||
      dg_dec_sign(r->contract_value) <= 0) {
    snprintf(err, errlen,
             "instruments: bad lotSz, minSz, maxMktSz, ctVal or ctMult for %s",
             r->symbol);
    return -1;
  }
  r->in_contracts = 1;
  return 1;
}

int dg_okx_parse_instruments(const char *body, size_t len,
                             dg_symbol_rules_t **out, size_t *n, char *err,
                             size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *data = data_of(root);
  dg_symbol_rules_t *list = NULL;
  size_t count = 0, total;
  int rc = -1;

  if (data == NULL) {
    snprintf(err, errlen, "instruments: reply has no data array");
    goto done;
  }
  total = json_object_array_length(data);
  if ((list = calloc(total > 0 ? total : 1, sizeof *list)) == NULL) {
    snprintf(err, errlen, "instruments: out of memory");
    goto done;
  }
  for (size_t i = 0; i < total; i++) {
    json_object *o = json_object_array_get_idx(data, i);
    int found;
    if (!json_object_is_type(o, json_type_object))
      continue;
    if ((found = instrument(o, &list[count], err, errlen)) < 0)
      goto done;
    count += (size_t)found;
  }
  *out = list;
  *n = count;
  list = NULL;
  rc = 0;
done:
  free(list);
  json_object_put(root);
  return rc;
}

/* --- orders
 * ----------------------------------------------------------------------- */

int dg_okx_parse_order_ack(const char *body, size_t len, dg_order_t *out,
                           char *err, size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *row = first_row(root);
  const char *scode = row ? dg_json_str(row, "sCode") : NULL;
  int rc = -1;
  if (row == NULL || scode == NULL || strcmp(scode, "0") != 0 ||
      dg_json_copy_str(out->order_id, sizeof out->order_id,
                       dg_json_str(row, "ordId")) != 0 ||
      dg_json_copy_str(out->client_order_id, sizeof out->client_order_id,
                       dg_json_str(row, "clOrdId")) != 0)
    snprintf(err, errlen,
             "order: no data[0] with sCode \"0\", ordId and clOrdId");
  else
    rc = 0;
  json_object_put(root);
  return rc;
}

/* OKX's order states in driftguard's words, NULL for one it does not know. */
static const char *state_name(const char *state) {
  static const char *const map[][2] = {
      {"live", "NEW"},
      {"partially_filled", "PARTIALLY_FILLED"},
      {"filled", "FILLED"},
      {"canceled", "CANCELED"},
      {"mmp_canceled", "EXPIRED"},
  };
  for (size_t i = 0; state != NULL && i < sizeof map / sizeof map[0]; i++)
    if (strcmp(state, map[i][0]) == 0)
      return map[i][1];
  return NULL;
}

int dg_okx_parse_order(const char *body, size_t len, dg_order_t *out, char *err,
                       size_t errlen) {
  json_object *root = dg_json_parse_strict(body, len), *row = first_row(root);
  const char *side = row ? dg_json_str(row, "side") : NULL;
  const char *state = row ? state_name(dg_json_str(row, "state")) : NULL;
  const char *fill = row ? dg_json_str(row, "accFillSz") : NULL;
  const char *ro = row ? dg_json_str(row, "reduceOnly") : NULL;
  dg_order_t o;
  int rc = -1;

  memset(&o, 0, sizeof o);
  if (row == NULL ||
      dg_json_copy_str(o.symbol, sizeof o.symbol, dg_json_str(row, "instId")) !=
          0 ||
      dg_json_copy_str(o.order_id, sizeof o.order_id,
                       dg_json_str(row, "ordId")) != 0 ||
      dg_json_copy_str(o.client_order_id, sizeof o.client_order_id,
                       dg_json_str(row, "clOrdId")) != 0 ||
      side == NULL || (strcmp(side, "buy") != 0 && strcmp(side, "sell") != 0) ||
      dg_json_dec(row, "sz", &o.orig_qty) != 0 ||
      /* "" until something fills */
      (fill != NULL && *fill == '\0'
           ? 0
           : dg_json_dec(row, "accFillSz", &o.executed_qty)) != 0) {
    snprintf(err, errlen,
             "order: missing or bad instId, ordId, clOrdId, side, sz or "
             "accFillSz");
    goto done;
  }
  if (state == NULL) {
    snprintf(err, errlen,
             "order: state not one of live, partially_filled, "
             "filled, canceled, mmp_canceled");
    goto done;
  }
  snprintf(o.status, sizeof o.status, "%s", state);
  snprintf(o.side, sizeof o.side, "%s",
           strcmp(side, "buy") == 0 ? "BUY" : "SELL");
  o.reduce_only = ro != NULL && strcmp(ro, "true") == 0;
  *out = o;
  rc = 0;
done:
  json_object_put(root);
  return rc;
}
