/* plan.c - the RECONCILE_CLOSE plan of SPEC section 3: build one from a
 * drift, encode it to JSON in the SPEC's field order, decode untrusted JSON
 * strictly, MAC it, and derive its deterministic client order id.
 *
 * One field table drives encode and decode, and one validator checks every
 * plan that is built, encoded or decoded, so the plugin can never publish a
 * plan the executor would refuse to parse. Decoding checks shape and types
 * only; whether the values are acceptable is the executor's business. */
#include "driftguard/plan.h"

#include "driftguard/json_flat.h"
#include "driftguard/keys.h"
#include "driftguard/sign.h"
#include "driftguard/text.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PLAN_ID_PREFIX "reconclose"

enum field_kind {
  FIELD_TOKEN,   /* string of printable ASCII, no spaces */
  FIELD_SYMBOL,  /* string [A-Z0-9][A-Z0-9_-]{0,30} */
  FIELD_DECIMAL, /* exact decimal: string, or number without exponent */
  FIELD_BOOL,    /* true, false, "true" or "false" */
  FIELD_TS,      /* integer, ms epoch */
  FIELD_LEG,     /* "BOTH", "LONG" or "SHORT"; absent: BOTH */
};

typedef struct {
  const char *name;
  enum field_kind kind;
  size_t offset;
  size_t size; /* buffer size of string fields */
} plan_field_t;

#define STRING_FIELD(json_name, member, kind)                                  \
  {                                                                            \
    json_name, kind, offsetof(dg_plan_t, member),                              \
        sizeof(((dg_plan_t *)0)->member)                                       \
  }
#define SCALAR_FIELD(json_name, member, kind)                                  \
  { json_name, kind, offsetof(dg_plan_t, member), 0 }

/* SPEC section 3's field order, which encode reproduces byte for byte. */
static const plan_field_t plan_fields[] = {
    STRING_FIELD("plan_id", plan_id, FIELD_TOKEN),
    STRING_FIELD("decision", decision, FIELD_TOKEN),
    STRING_FIELD("source", source, FIELD_TOKEN),
    STRING_FIELD("reason", reason, FIELD_TOKEN),
    STRING_FIELD("symbol", symbol, FIELD_SYMBOL),
    STRING_FIELD("side", side, FIELD_TOKEN),
    SCALAR_FIELD("position_side", position_side, FIELD_LEG),
    STRING_FIELD("type", type, FIELD_TOKEN),
    SCALAR_FIELD("reduceOnly", reduce_only, FIELD_BOOL),
    SCALAR_FIELD("qty", qty, FIELD_DECIMAL),
    SCALAR_FIELD("exchange_amt", exchange_amt, FIELD_DECIMAL),
    SCALAR_FIELD("ledger_amt", ledger_amt, FIELD_DECIMAL),
    STRING_FIELD("signature", signature, FIELD_TOKEN),
    STRING_FIELD("hold_key", hold_key, FIELD_TOKEN),
    SCALAR_FIELD("ts", ts, FIELD_TS),
};
#define PLAN_FIELD_COUNT (sizeof(plan_fields) / sizeof(plan_fields[0]))

__attribute__((format(printf, 3, 4))) static int fail(char *err, size_t errlen,
                                                      const char *fmt, ...) {
  va_list ap;
  if (err != NULL && errlen > 0) {
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
  }
  return -1;
}

const char *dg_leg_name(dg_leg_t leg) {
  switch (leg) {
  case DG_LEG_LONG:
    return "LONG";
  case DG_LEG_SHORT:
    return "SHORT";
  case DG_LEG_BOTH:
    break;
  }
  return "BOTH";
}

int dg_leg_parse(const char *s, dg_leg_t *leg) {
  static const dg_leg_t legs[] = {DG_LEG_BOTH, DG_LEG_LONG, DG_LEG_SHORT};
  for (size_t i = 0; s != NULL && i < sizeof legs / sizeof legs[0]; i++)
    if (strcmp(s, dg_leg_name(legs[i])) == 0) {
      *leg = legs[i];
      return 0;
    }
  return -1;
}

/* The venues' grammars (BTCUSDT, BTC-USDT-SWAP, BTCUSD_PERP) and nothing
 * that could change the meaning of a Redis key or pattern, a metric
 * identifier, a file name, an argument or a key=value log line: no blank,
 * ':', '{', '}', '*', '?', '[', '/', '.', control byte or lower case (one
 * symbol, one spelling), and no '-' first (not an option). */
int dg_symbol_valid(const char *s, size_t len) {
  if (s == NULL || len == 0 || len >= DG_SYMBOL_MAX)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
          ((s[i] == '-' || s[i] == '_') && i > 0)))
      return 0;
  return 1;
}

/* Tokens end up in Redis keys and in space-separated audit lines: no
 * spaces or control characters, so a plan cannot forge a log field. */
static int valid_token(const char *s, size_t len, size_t size) {
  if (len == 0 || len >= size)
    return 0;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] < 0x21 || (unsigned char)s[i] > 0x7e)
      return 0;
  return 1;
}

/* Shape of a plan in memory, shared by build, encode and decode. */
static int validate_plan(const dg_plan_t *p, char *err, size_t errlen) {
  for (size_t i = 0; i < PLAN_FIELD_COUNT; i++) {
    const plan_field_t *f = &plan_fields[i];
    const char *s = (const char *)p + f->offset;
    size_t len;
    if (f->kind != FIELD_TOKEN && f->kind != FIELD_SYMBOL)
      continue;
    len = strnlen(s, f->size);
    if (f->kind == FIELD_SYMBOL ? !dg_symbol_valid(s, len)
                                : !valid_token(s, len, f->size))
      return fail(err, errlen,
                  f->kind == FIELD_SYMBOL
                      ? "field %s: must be 1 to %d characters A-Z 0-9 - _ "
                        "(not - or _ first)"
                      : "field %s: must be 1 to %d printable characters "
                        "without spaces",
                  f->name, (int)f->size - 1);
  }
  if (p->reduce_only != 0 && p->reduce_only != 1)
    return fail(err, errlen, "field reduceOnly: must be 0 or 1");
  if (p->position_side != DG_LEG_BOTH && p->position_side != DG_LEG_LONG &&
      p->position_side != DG_LEG_SHORT)
    return fail(err, errlen,
                "field position_side: must be BOTH, LONG or SHORT");
  /* INT64_MAX is no time: where a clamping parser would put any larger. */
  if (p->ts < 0 || p->ts == INT64_MAX)
    return fail(err, errlen, "field ts: out of range");
  return 0;
}

static int copy_string(char *dst, size_t size, const char *src) {
  size_t len = strlen(src);
  if (len >= size)
    return -1;
  memcpy(dst, src, len + 1);
  return 0;
}

int dg_plan_build_leg(dg_plan_t *p, const char *key_prefix, const char *source,
                      const char *symbol, dg_leg_t leg, const char *signature,
                      const dg_drift_t *drift, dg_dec_t exchange_amt,
                      dg_dec_t ledger_amt, int64_t now_ms, int64_t cooldown_s) {
  dg_plan_t b;
  int64_t bucket;
  int n;

  if (p == NULL || key_prefix == NULL || source == NULL || symbol == NULL ||
      signature == NULL || drift == NULL || drift->kind != DG_DRIFT_CLOSE ||
      drift->side == NULL || cooldown_s <= 0 ||
      !dg_symbol_valid(symbol, strlen(symbol)))
    return -1;
  memset(&b, 0, sizeof(b));
  if (copy_string(b.signature, sizeof(b.signature), signature) != 0)
    return -1;
  bucket = dg_drift_bucket(dg_drift_bucket(now_ms, 1000), cooldown_s);
  /* One-way plans keep SPEC section 3's id; a leg's names its leg. */
  n = snprintf(b.plan_id, sizeof(b.plan_id), PLAN_ID_PREFIX ":%s:%s:%" PRId64,
               symbol, b.signature, bucket);
  if (n >= 0 && (size_t)n < sizeof(b.plan_id) && leg != DG_LEG_BOTH)
    n += snprintf(b.plan_id + n, sizeof(b.plan_id) - (size_t)n, ":%s",
                  dg_leg_name(leg));
  if (n < 0 || (size_t)n >= sizeof(b.plan_id))
    return -1;
  if (copy_string(b.decision, sizeof(b.decision), DG_DECISION_CLOSE) != 0 ||
      copy_string(b.source, sizeof(b.source), source) != 0 ||
      copy_string(b.reason, sizeof(b.reason), DG_HOLD_REASON) != 0 ||
      copy_string(b.symbol, sizeof(b.symbol), symbol) != 0 ||
      copy_string(b.side, sizeof(b.side), drift->side) != 0 ||
      copy_string(b.type, sizeof(b.type), "MARKET") != 0 ||
      dg_key_hold(b.hold_key, sizeof(b.hold_key), key_prefix, symbol) < 0)
    return -1;
  /* A leg's close is a SELL of the LONG leg or a BUY of the SHORT one. */
  if ((leg == DG_LEG_LONG && strcmp(b.side, "SELL") != 0) ||
      (leg == DG_LEG_SHORT && strcmp(b.side, "BUY") != 0))
    return -1;
  b.position_side = leg;
  b.reduce_only = 1;
  b.qty = drift->qty;
  b.exchange_amt = exchange_amt;
  b.ledger_amt = ledger_amt;
  b.ts = now_ms;
  if (validate_plan(&b, NULL, 0) != 0)
    return -1;
  *p = b;
  return 0;
}

int dg_plan_build(dg_plan_t *p, const char *key_prefix, const char *source,
                  const char *symbol, const dg_drift_t *drift,
                  dg_dec_t exchange_amt, dg_dec_t ledger_amt, int64_t now_ms,
                  int64_t cooldown_s) {
  char sig[DG_SIGNATURE_LEN + 1];
  if (symbol == NULL ||
      dg_drift_signature(symbol, exchange_amt, ledger_amt, sig) != 0)
    return -1;
  return dg_plan_build_leg(p, key_prefix, source, symbol, DG_LEG_BOTH, sig,
                           drift, exchange_amt, ledger_amt, now_ms, cooldown_s);
}

static json_object *encode_field(const dg_plan_t *p, const plan_field_t *f) {
  const char *at = (const char *)p + f->offset;
  char dec[DG_DEC_STRLEN];

  switch (f->kind) {
  case FIELD_TOKEN:
  case FIELD_SYMBOL:
    return json_object_new_string(at);
  case FIELD_BOOL:
    return json_object_new_boolean(*(const int *)(const void *)at);
  case FIELD_DECIMAL:
    dg_dec_format(*(const dg_dec_t *)(const void *)at, dec, sizeof(dec));
    return json_object_new_string(dec);
  case FIELD_TS:
    return json_object_new_int64(*(const int64_t *)(const void *)at);
  case FIELD_LEG:
    return json_object_new_string(
        dg_leg_name(*(const dg_leg_t *)(const void *)at));
  }
  return NULL;
}

int dg_plan_encode(const dg_plan_t *p, char *buf, size_t size) {
  json_object *obj;
  const char *text;
  size_t len = 0;
  int ret = -1;

  if (p == NULL || buf == NULL || validate_plan(p, NULL, 0) != 0)
    return -1;
  if ((obj = json_object_new_object()) == NULL)
    return -1;
  for (size_t i = 0; i < PLAN_FIELD_COUNT; i++) {
    json_object *v;
    /* A one-way plan stays SPEC section 3's bytes, so that an executor of
     * before hedge mode takes it as ever; a leg's plan names its leg, which
     * such an executor refuses as an unknown field (never as BOTH). */
    if (plan_fields[i].kind == FIELD_LEG && p->position_side == DG_LEG_BOTH)
      continue;
    v = encode_field(p, &plan_fields[i]);
    if (v == NULL || json_object_object_add(obj, plan_fields[i].name, v) != 0) {
      json_object_put(v);
      goto out;
    }
  }
  text = json_object_to_json_string_length(
      obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
  if (text != NULL && len < size && len <= (size_t)DG_PLAN_MAX_BYTES) {
    memcpy(buf, text, len + 1);
    ret = (int)len;
  }
out:
  json_object_put(obj);
  return ret;
}

/* Digits with an optional minus sign, within int64 (the ts field). */
static int parse_int64(const char *s, size_t len, int64_t *out) {
  int neg = len > 0 && s[0] == '-';
  uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
  size_t i = neg ? 1 : 0;
  if (i == len)
    return -1;
  for (; i < len; i++) {
    unsigned d = (unsigned char)s[i] - '0';
    if (d > 9 || v > (limit - d) / 10)
      return -1;
    v = v * 10 + d;
  }
  *out = neg ? (int64_t)(0 - v) : (int64_t)v;
  return 0;
}

static int decode_field(const dg_json_value_t *v, const plan_field_t *f,
                        dg_plan_t *p, char *err, size_t errlen) {
  char *at = (char *)p + f->offset;

  switch (f->kind) {
  case FIELD_TOKEN:
  case FIELD_SYMBOL:
    if (v->kind != DG_JSON_STRING)
      return fail(err, errlen, "field %s: must be a string", f->name);
    if (v->len >= f->size)
      return fail(err, errlen, "field %s: longer than %d bytes", f->name,
                  (int)f->size - 1);
    if (memchr(v->text, '\0', v->len) != NULL)
      return fail(err, errlen, "field %s: contains a NUL character", f->name);
    memcpy(at, v->text, v->len);
    at[v->len] = '\0';
    return 0;
  case FIELD_DECIMAL:
    if ((v->kind != DG_JSON_STRING && v->kind != DG_JSON_NUMBER) ||
        dg_dec_parse_n(v->text, v->len, (dg_dec_t *)(void *)at) != 0)
      return fail(err, errlen,
                  "field %s: must be an exact decimal (string or number, "
                  "no exponent, at most 8 decimals)",
                  f->name);
    return 0;
  case FIELD_BOOL:
    if (v->kind == DG_JSON_TRUE || (v->kind == DG_JSON_STRING && v->len == 4 &&
                                    memcmp(v->text, "true", 4) == 0))
      *(int *)(void *)at = 1;
    else if (v->kind == DG_JSON_FALSE ||
             (v->kind == DG_JSON_STRING && v->len == 5 &&
              memcmp(v->text, "false", 5) == 0))
      *(int *)(void *)at = 0;
    else
      return fail(err, errlen,
                  "field %s: must be true, false, \"true\" or \"false\"",
                  f->name);
    return 0;
  case FIELD_TS:
    if (v->kind != DG_JSON_NUMBER ||
        parse_int64(v->text, v->len, (int64_t *)(void *)at) != 0)
      return fail(err, errlen, "field %s: must be an integer", f->name);
    return 0;
  case FIELD_LEG: {
    char name[8];
    if (v->kind != DG_JSON_STRING || v->len >= sizeof name ||
        memchr(v->text, '\0', v->len) != NULL)
      return fail(err, errlen, "field %s: must be BOTH, LONG or SHORT",
                  f->name);
    memcpy(name, v->text, v->len);
    name[v->len] = '\0';
    if (dg_leg_parse(name, (dg_leg_t *)(void *)at) != 0)
      return fail(err, errlen, "field %s: must be BOTH, LONG or SHORT",
                  f->name);
    return 0;
  }
  }
  return fail(err, errlen, "field %s: unknown kind", f->name);
}

/* The plan being decoded and the fields seen so far. */
typedef struct {
  dg_plan_t plan;
  uint32_t seen;  /* bit i: plan_fields[i] */
  size_t members; /* read so far */
} decoding_t;

_Static_assert(PLAN_FIELD_COUNT <= 32, "seen is a 32-bit set");

static int decode_member(void *ctx, const char *key, size_t key_len,
                         const dg_json_value_t *v, char *err, size_t errlen) {
  decoding_t *d = ctx;
  char name[33];
  /* Plans come in the table's order (encode writes it): look where this
   * member should be first. */
  for (size_t k = 0, i = d->members++ % PLAN_FIELD_COUNT; k < PLAN_FIELD_COUNT;
       k++, i = (i + 1) % PLAN_FIELD_COUNT) {
    if (strcmp(plan_fields[i].name, key) != 0)
      continue;
    /* JSON allows a key twice and parsers disagree on which wins: a plan
     * that says two things at once is refused. */
    if (d->seen & (UINT32_C(1) << i))
      return fail(err, errlen, "duplicate field %s in plan", key);
    d->seen |= UINT32_C(1) << i;
    return decode_field(v, &plan_fields[i], &d->plan, err, errlen);
  }
  dg_text_printable(key, key_len, name, sizeof name);
  return fail(err, errlen, "unknown field %s", name);
}

int dg_plan_decode(const char *json, size_t len, dg_plan_t *p, char *err,
                   size_t errlen) {
  static const dg_json_flat_cb_t callbacks = {.member = decode_member};
  decoding_t d;

  if (err != NULL && errlen > 0)
    err[0] = '\0';
  if (json == NULL || p == NULL)
    return fail(err, errlen, "no plan");
  if (len > DG_PLAN_MAX_BYTES)
    return fail(err, errlen, "plan is %zu bytes, more than %d", len,
                DG_PLAN_MAX_BYTES);
  memset(&d, 0, sizeof d);
  if (dg_json_flat_parse(json, len, DG_JSON_ONE_OBJECT, &callbacks, &d, err,
                         errlen) != 0) {
    if (err != NULL && errlen > 0 && err[0] == '\0')
      fail(err, errlen, "not a plan");
    return -1;
  }
  /* A plan without position_side predates hedge mode: BOTH (memset). */
  for (size_t i = 0; i < PLAN_FIELD_COUNT; i++)
    if (!(d.seen & (UINT32_C(1) << i)) && plan_fields[i].kind != FIELD_LEG)
      return fail(err, errlen, "missing field %s", plan_fields[i].name);
  if (validate_plan(&d.plan, err, errlen) != 0)
    return -1;
  *p = d.plan;
  return 0;
}

int dg_plan_mac(const dg_hmac_key_t *key, const char *plan_json, size_t len,
                char out[65]) {
  if (key == NULL || plan_json == NULL || out == NULL)
    return -1;
  return dg_hmac_key_hex(key, plan_json, len, out);
}
