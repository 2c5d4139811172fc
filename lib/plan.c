/* plan.c - the RECONCILE_CLOSE plan of SPEC section 3: build one from a
 * drift, encode it to JSON in the SPEC's field order, decode untrusted JSON
 * strictly, MAC it, and derive its deterministic client order id.
 *
 * One field table drives encode and decode, and one validator checks every
 * plan that is built, encoded or decoded, so the plugin can never publish a
 * plan the executor would refuse to parse. Decoding checks shape and types
 * only; whether the values are acceptable is the executor's business. */
#include "driftguard/plan.h"

#include "driftguard/keys.h"
#include "driftguard/sign.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define PLAN_ID_PREFIX "reconclose"
#define CLIENT_ORDER_ID_PREFIX "dgrc-"
/* The plan is a flat object of scalars: one level of nesting is parsed (so
 * it can be reported as a wrong type), anything deeper is refused. */
#define PLAN_JSON_DEPTH 2

enum field_kind {
  FIELD_TOKEN,   /* string of printable ASCII, no spaces */
  FIELD_SYMBOL,  /* string [A-Z0-9]{1,31} */
  FIELD_DECIMAL, /* exact decimal: string, or number without exponent */
  FIELD_BOOL,    /* true, false, "true" or "false" */
  FIELD_TS,      /* integer, ms epoch */
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

int dg_symbol_valid(const char *s, size_t len) {
  if (len == 0 || len >= DG_SYMBOL_MAX)
    return 0;
  for (size_t i = 0; i < len; i++)
    if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
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
                      ? "field %s: must be 1 to %d characters A-Z 0-9"
                      : "field %s: must be 1 to %d printable characters "
                        "without spaces",
                  f->name, (int)f->size - 1);
  }
  if (p->reduce_only != 0 && p->reduce_only != 1)
    return fail(err, errlen, "field reduceOnly: must be 0 or 1");
  /* INT64_MAX is where json-c clamps larger integers: refuse it too. */
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

int dg_plan_build(dg_plan_t *p, const char *key_prefix, const char *source,
                  const char *symbol, const dg_drift_t *drift,
                  dg_dec_t exchange_amt, dg_dec_t ledger_amt, int64_t now_ms,
                  int64_t cooldown_s) {
  dg_plan_t b;
  int64_t bucket;
  int n;

  if (p == NULL || key_prefix == NULL || source == NULL || symbol == NULL ||
      drift == NULL || drift->kind != DG_DRIFT_CLOSE || drift->side == NULL ||
      cooldown_s <= 0)
    return -1;
  memset(&b, 0, sizeof(b));
  if (!dg_symbol_valid(symbol, strlen(symbol)) ||
      dg_drift_signature(symbol, exchange_amt, ledger_amt, b.signature) != 0)
    return -1;
  bucket = dg_drift_bucket(dg_drift_bucket(now_ms, 1000), cooldown_s);
  n = snprintf(b.plan_id, sizeof(b.plan_id), PLAN_ID_PREFIX ":%s:%s:%" PRId64,
               symbol, b.signature, bucket);
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
    json_object *v = encode_field(p, &plan_fields[i]);
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

/* Counts the top-level members of an object text json-c has accepted, to
 * catch duplicate keys (json-c silently keeps the last one, so a plan could
 * say two things at once). Also refuses single-quoted strings, which json-c
 * accepts even in strict mode. Returns the count, or -1. */
static int count_top_level_members(const char *s, size_t len) {
  int depth = 0, members = 0, in_string = 0;
  for (size_t i = 0; i < len; i++) {
    if (in_string) {
      if (s[i] == '\\')
        i++;
      else if (s[i] == '"')
        in_string = 0;
      continue;
    }
    switch (s[i]) {
    case '"':
      in_string = 1;
      break;
    case '\'':
      return -1;
    case '{':
    case '[':
      depth++;
      break;
    case '}':
    case ']':
      depth--;
      break;
    case ':':
      if (depth == 1)
        members++;
      break;
    default:
      break;
    }
  }
  return members;
}

/* Decimal text as it appeared: a string's contents, or a number's original
 * token (json-c keeps it for doubles; integers print back exactly, and the
 * values it clamps on overflow are all outside dg_dec_t's range). */
static int decode_decimal(json_object *v, dg_dec_t *out) {
  const char *text;
  size_t len;
  if (json_object_is_type(v, json_type_string)) {
    text = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
  } else if (json_object_is_type(v, json_type_double) ||
             json_object_is_type(v, json_type_int)) {
    text = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
    len = text != NULL ? strlen(text) : 0;
  } else {
    return -1;
  }
  return text != NULL ? dg_dec_parse_n(text, len, out) : -1;
}

static int decode_bool(json_object *v, int *out) {
  if (json_object_is_type(v, json_type_boolean)) {
    *out = json_object_get_boolean(v) ? 1 : 0;
    return 0;
  }
  if (json_object_is_type(v, json_type_string)) {
    const char *s = json_object_get_string(v);
    size_t len = (size_t)json_object_get_string_len(v);
    if (len == 4 && memcmp(s, "true", 4) == 0)
      *out = 1;
    else if (len == 5 && memcmp(s, "false", 5) == 0)
      *out = 0;
    else
      return -1;
    return 0;
  }
  return -1;
}

static int decode_field(json_object *v, const plan_field_t *f, dg_plan_t *p,
                        char *err, size_t errlen) {
  char *at = (char *)p + f->offset;

  switch (f->kind) {
  case FIELD_TOKEN:
  case FIELD_SYMBOL: {
    const char *s;
    size_t len;
    if (!json_object_is_type(v, json_type_string))
      return fail(err, errlen, "field %s: must be a string", f->name);
    s = json_object_get_string(v);
    len = (size_t)json_object_get_string_len(v);
    if (len >= f->size)
      return fail(err, errlen, "field %s: longer than %d bytes", f->name,
                  (int)f->size - 1);
    if (memchr(s, '\0', len) != NULL)
      return fail(err, errlen, "field %s: contains a NUL character", f->name);
    memcpy(at, s, len + 1);
    return 0;
  }
  case FIELD_DECIMAL:
    if (decode_decimal(v, (dg_dec_t *)(void *)at) != 0)
      return fail(err, errlen,
                  "field %s: must be an exact decimal (string or number, "
                  "no exponent, at most 8 decimals)",
                  f->name);
    return 0;
  case FIELD_BOOL:
    if (decode_bool(v, (int *)(void *)at) != 0)
      return fail(err, errlen,
                  "field %s: must be true, false, \"true\" or \"false\"",
                  f->name);
    return 0;
  case FIELD_TS:
    if (!json_object_is_type(v, json_type_int))
      return fail(err, errlen, "field %s: must be an integer", f->name);
    *(int64_t *)(void *)at = json_object_get_int64(v);
    return 0;
  }
  return fail(err, errlen, "field %s: unknown kind", f->name);
}

static const plan_field_t *find_field(const char *name) {
  for (size_t i = 0; i < PLAN_FIELD_COUNT; i++)
    if (strcmp(plan_fields[i].name, name) == 0)
      return &plan_fields[i];
  return NULL;
}

/* The first key that is not a plan field, made printable for a log line. */
static void first_unknown_field(json_object *obj, char *out, size_t size) {
  size_t n = 0;
  out[0] = '\0';
  json_object_object_foreach(obj, key, val) {
    (void)val;
    if (find_field(key) != NULL)
      continue;
    for (; key[n] != '\0' && n + 1 < size; n++)
      out[n] = (key[n] >= 0x20 && key[n] < 0x7f) ? key[n] : '?';
    out[n] = '\0';
    return;
  }
}

static int decode_object(json_object *obj, const char *json, size_t len,
                         dg_plan_t *p, char *err, size_t errlen) {
  int members = count_top_level_members(json, len);

  if (members < 0)
    return fail(err, errlen, "not JSON: single-quoted string");
  if (members != json_object_object_length(obj))
    return fail(err, errlen, "duplicate field in plan");
  for (size_t i = 0; i < PLAN_FIELD_COUNT; i++) {
    json_object *v;
    if (!json_object_object_get_ex(obj, plan_fields[i].name, &v))
      return fail(err, errlen, "missing field %s", plan_fields[i].name);
    if (decode_field(v, &plan_fields[i], p, err, errlen) != 0)
      return -1;
  }
  if ((size_t)members != PLAN_FIELD_COUNT) {
    char name[33];
    first_unknown_field(obj, name, sizeof(name));
    return fail(err, errlen, "unknown field %s", name);
  }
  return validate_plan(p, err, errlen);
}

int dg_plan_decode(const char *json, size_t len, dg_plan_t *p, char *err,
                   size_t errlen) {
  struct json_tokener *tok;
  json_object *obj;
  enum json_tokener_error jerr;
  size_t end;
  dg_plan_t d;
  int ret;

  if (err != NULL && errlen > 0)
    err[0] = '\0';
  if (json == NULL || p == NULL)
    return fail(err, errlen, "no plan");
  if (len > DG_PLAN_MAX_BYTES)
    return fail(err, errlen, "plan is %zu bytes, more than %d", len,
                DG_PLAN_MAX_BYTES);
  if (memchr(json, '\0', len) != NULL)
    return fail(err, errlen, "NUL byte in plan");
  if ((tok = json_tokener_new_ex(PLAN_JSON_DEPTH)) == NULL)
    return fail(err, errlen, "out of memory");
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  obj = json_tokener_parse_ex(tok, json, (int)len);
  jerr = json_tokener_get_error(tok);
  end = json_tokener_get_parse_end(tok);
  json_tokener_free(tok);

  if (obj == NULL || jerr != json_tokener_success) {
    json_object_put(obj);
    if (jerr == json_tokener_continue || jerr == json_tokener_success)
      return fail(err, errlen, "not JSON: truncated");
    return fail(err, errlen, "not JSON: %s at byte %zu",
                json_tokener_error_desc(jerr), end);
  }
  if (end != len)
    ret = fail(err, errlen, "not JSON: trailing data at byte %zu", end);
  else if (!json_object_is_type(obj, json_type_object))
    ret = fail(err, errlen, "plan is not a JSON object");
  else {
    memset(&d, 0, sizeof(d));
    ret = decode_object(obj, json, len, &d, err, errlen);
  }
  json_object_put(obj);
  if (ret == 0)
    *p = d;
  return ret;
}

int dg_plan_mac(const char *key, size_t key_len, const char *plan_json,
                size_t len, char out[65]) {
  /* An empty key would authenticate nothing: refuse it. */
  if (key == NULL || key_len == 0 || plan_json == NULL || out == NULL)
    return -1;
  return dg_hmac_sha256_hex(key, key_len, plan_json, len, out);
}

int dg_client_order_id(const char *plan_id,
                       char out[DG_CLIENT_ORDER_ID_MAX + 1]) {
  char digest[DG_SHA256_HEXLEN + 1];
  const size_t prefix_len = sizeof(CLIENT_ORDER_ID_PREFIX) - 1;

  if (plan_id == NULL || out == NULL ||
      dg_sha256_hex(plan_id, strlen(plan_id), digest) != 0)
    return -1;
  memcpy(out, CLIENT_ORDER_ID_PREFIX, prefix_len);
  memcpy(out + prefix_len, digest, DG_CLIENT_ORDER_ID_MAX - prefix_len);
  out[DG_CLIENT_ORDER_ID_MAX] = '\0';
  return 0;
}
