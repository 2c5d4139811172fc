/* Unit tests for the plan codec of SPEC section 3: byte-for-byte encoding
 * of the SPEC example, building a plan from a drift, strict decoding of
 * hostile input (a table of refusals plus every truncation and every
 * single-byte mutation of a valid plan), the MAC and the client order id. */
#include "../dec_literal.h"
#include "../tap.h"
#include "driftguard/plan.h"
#include "driftguard/text.h"

#include <stdlib.h>
#include <string.h>

/* SPEC section 3's example, its wrapped lines joined. */
static const char spec_plan[] =
    "{\"plan_id\":\"reconclose:BTCUSDT:416d86940859:14744826\","
    "\"decision\":\"RECONCILE_CLOSE\",\"source\":\"p3.4\","
    "\"reason\":\"reconcile_drift\",\"symbol\":\"BTCUSDT\",\"side\":\"SELL\","
    "\"type\":\"MARKET\",\"reduceOnly\":true,\"qty\":\"0.007\","
    "\"exchange_amt\":\"0.007\",\"ledger_amt\":\"0\","
    "\"signature\":\"416d86940859\","
    "\"hold_key\":\"quantum:reconcile:hold:BTCUSDT\",\"ts\":1769379791123}";

/* The same plan as fields, so tests can replace, drop or add one. */
struct raw_field {
  const char *name, *value;
};
static const struct raw_field spec_fields[] = {
    {"plan_id", "\"reconclose:BTCUSDT:416d86940859:14744826\""},
    {"decision", "\"RECONCILE_CLOSE\""},
    {"source", "\"p3.4\""},
    {"reason", "\"reconcile_drift\""},
    {"symbol", "\"BTCUSDT\""},
    {"side", "\"SELL\""},
    {"type", "\"MARKET\""},
    {"reduceOnly", "true"},
    {"qty", "\"0.007\""},
    {"exchange_amt", "\"0.007\""},
    {"ledger_amt", "\"0\""},
    {"signature", "\"416d86940859\""},
    {"hold_key", "\"quantum:reconcile:hold:BTCUSDT\""},
    {"ts", "1769379791123"},
};
#define SPEC_FIELD_COUNT (sizeof(spec_fields) / sizeof(spec_fields[0]))

/* The SPEC plan with field `name` set to the raw JSON `value` (dropped when
 * value is NULL; appended when name is not a plan field). */
static const char *plan_with(const char *name, const char *value) {
  static char buf[8192];
  size_t n = 0;
  int found = 0;
  buf[n++] = '{';
  for (size_t i = 0; i < SPEC_FIELD_COUNT; i++) {
    const char *v = spec_fields[i].value;
    if (strcmp(spec_fields[i].name, name) == 0) {
      found = 1;
      if ((v = value) == NULL)
        continue;
    }
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s\"%s\":%s",
                          n > 1 ? "," : "", spec_fields[i].name, v);
  }
  if (!found)
    n += (size_t)snprintf(buf + n, sizeof(buf) - n, ",\"%s\":%s", name, value);
  snprintf(buf + n, sizeof(buf) - n, "}");
  return buf;
}

static int decodes(const char *json, dg_plan_t *p) {
  char err[256];
  return dg_plan_decode(json, strlen(json), p, err, sizeof(err)) == 0;
}

static void refused_n(const char *json, size_t len, const char *name) {
  dg_plan_t p;
  char err[256] = "unset";
  int rc = dg_plan_decode(json, len, &p, err, sizeof(err));
  if (ok(rc == -1 && err[0] != '\0' && strcmp(err, "unset") != 0, "refused: %s",
         name))
    printf("#   %s\n", err);
}

static void refused(const char *json, const char *name) {
  refused_n(json, strlen(json), name);
}

/* Junk for one field at a time: {what, raw JSON value}. */
static const struct raw_field junk_any[] = {
    {"missing", NULL},
    {"as an object", "{}"},
    {"as an array", "[\"0.007\"]"},
    {"as null", "null"},
};
static const struct raw_field junk_string[] = {
    {"empty", "\"\""},
    {"with a space", "\"A B\""},
    {"with a newline", "\"A\\nB\""},
    {"with a raw tab", "\"A\tB\""},
    {"with an escaped NUL", "\"A\\u0000B\""},
};

static void refused_field(const char *field, const char *value,
                          const char *what) {
  char name[64];
  snprintf(name, sizeof(name), "%s %s", field, what);
  refused(plan_with(field, value), name);
}

static void spec_plan_struct(dg_plan_t *p) {
  memset(p, 0, sizeof(*p));
  strcpy(p->plan_id, "reconclose:BTCUSDT:416d86940859:14744826");
  strcpy(p->decision, "RECONCILE_CLOSE");
  strcpy(p->source, "p3.4");
  strcpy(p->reason, "reconcile_drift");
  strcpy(p->symbol, "BTCUSDT");
  strcpy(p->side, "SELL");
  strcpy(p->type, "MARKET");
  p->reduce_only = 1;
  p->qty = dec("0.007");
  p->exchange_amt = dec("0.007");
  p->ledger_amt = DG_DEC_ZERO;
  strcpy(p->signature, "416d86940859");
  strcpy(p->hold_key, "quantum:reconcile:hold:BTCUSDT");
  p->ts = 1769379791123;
}

static void check_encode(void) {
  dg_plan_t p;
  char buf[DG_PLAN_MAX_BYTES + 1];
  int len;

  spec_plan_struct(&p);
  len = dg_plan_encode(&p, buf, sizeof(buf));
  ok(len == (int)strlen(spec_plan), "encode returns the length");
  is_str(buf, spec_plan, "encode matches SPEC section 3 byte for byte");
  ok(dg_plan_encode(&p, buf, strlen(spec_plan) + 1) == len,
     "encode fits a buffer of exactly length + 1");
  ok(dg_plan_encode(&p, buf, strlen(spec_plan)) == -1,
     "encode refuses a buffer one byte short");

  p.reduce_only = 0;
  ok(dg_plan_encode(&p, buf, sizeof(buf)) > 0 &&
         strstr(buf, "\"reduceOnly\":false,") != NULL,
     "encode writes reduceOnly false as a JSON boolean");
  spec_plan_struct(&p);
  p.qty = dec("-12.5");
  ok(dg_plan_encode(&p, buf, sizeof(buf)) > 0 &&
         strstr(buf, "\"qty\":\"-12.5\"") != NULL,
     "encode writes decimals as canonical strings");
  spec_plan_struct(&p);
  strcpy(p.symbol, "btcusdt");
  ok(dg_plan_encode(&p, buf, sizeof(buf)) == -1,
     "encode refuses a plan decode would refuse");
  spec_plan_struct(&p);
  memset(p.hold_key, 'k', sizeof(p.hold_key));
  ok(dg_plan_encode(&p, buf, sizeof(buf)) == -1,
     "encode refuses an unterminated field");
  ok(dg_plan_encode(NULL, buf, sizeof(buf)) == -1, "encode refuses NULL");
}

static void check_decode_valid(void) {
  dg_plan_t p, want;
  char buf[DG_PLAN_MAX_BYTES + 1];

  spec_plan_struct(&want);
  ok(decodes(spec_plan, &p), "SPEC example decodes");
  ok(memcmp(&p, &want, sizeof(p)) == 0, "SPEC example decodes to its fields");
  ok(dg_plan_encode(&p, buf, sizeof(buf)) > 0 && strcmp(buf, spec_plan) == 0,
     "decode then encode gives the same bytes");

  ok(decodes(plan_with("qty", "0.007"), &p) &&
         dg_dec_cmp(p.qty, dec("0.007")) == 0,
     "qty as a JSON number keeps its exact text");
  ok(decodes(plan_with("qty", "0.1000"), &p) &&
         dg_dec_cmp(p.qty, dec("0.1")) == 0,
     "qty number with trailing zeros");
  ok(decodes(plan_with("exchange_amt", "-3"), &p) &&
         dg_dec_cmp(p.exchange_amt, dec("-3")) == 0,
     "exchange_amt as a JSON integer");
  ok(decodes(plan_with("ledger_amt", "0.30000000000000004"), &p) == 0,
     "a number finer than 10^-8 is refused, not rounded");
  ok(decodes(plan_with("qty", "123456.12345678"), &p) &&
         p.qty.units == INT64_C(12345612345678),
     "a number a double cannot hold is decoded exactly");
  ok(decodes(plan_with("reduceOnly", "\"true\""), &p) && p.reduce_only == 1,
     "reduceOnly \"true\"");
  ok(decodes(plan_with("reduceOnly", "false"), &p) && p.reduce_only == 0,
     "reduceOnly false");
  ok(decodes(plan_with("reduceOnly", "\"false\""), &p) && p.reduce_only == 0,
     "reduceOnly \"false\"");
  ok(decodes(plan_with("side", "\"B\\u0055Y\""), &p) &&
         strcmp(p.side, "BUY") == 0,
     "string escapes are decoded");
  ok(decodes(plan_with("decision", "\"anything\""), &p) &&
         strcmp(p.decision, "anything") == 0,
     "decode leaves business rules to the executor");
  ok(decodes("  {\"ts\":1,\"hold_key\":\"h\",\"signature\":\"s\","
             "\"ledger_amt\":\"0\",\"exchange_amt\":\"1\",\"qty\":\"1\","
             "\"reduceOnly\":true,\"type\":\"t\",\"side\":\"s\","
             "\"symbol\":\"X1\",\"reason\":\"r\",\"source\":\"s\","
             "\"decision\":\"d\",\"plan_id\":\"p\"}\n",
             &p) &&
         p.ts == 1 && strcmp(p.symbol, "X1") == 0,
     "any field order and surrounding whitespace");
}

static void check_decode_hostile(void) {
  char big[DG_PLAN_MAX_BYTES + 64];
  char value[300];

  refused("", "empty input");
  refused("hello", "not JSON");
  refused("[]", "an array");
  refused("\"plan\"", "a string");
  refused("null", "null");
  refused("42", "a number");
  refused("{}", "an empty object");
  refused_n(spec_plan, strlen(spec_plan) - 1, "truncated plan");
  refused(plan_with("extra", "1"), "an unknown field");
  refused(plan_with("extra", "{\"a\":[1]}"), "nested junk");
  refused(plan_with("\x01\x02", "1"), "an unknown field with control chars");
  refused(plan_with("qty", "\"0.007\",\"qty\":\"100\""), "a duplicate field");
  refused("{'plan_id':'x'}", "single-quoted strings");
  {
    char quoted_key[512];
    strcpy(quoted_key, spec_plan);
    quoted_key[1] = quoted_key[9] = '\'';
    refused(quoted_key, "a single-quoted key (json-c takes it even in strict)");
  }
  refused(plan_with("side", "'SELL'"), "a single-quoted value");
  {
    char two[1024];
    snprintf(two, sizeof(two), "%s%s", spec_plan, spec_plan);
    refused(two, "two plans back to back");
    snprintf(two, sizeof(two), "%s x", spec_plan);
    refused(two, "trailing garbage");
    snprintf(two, sizeof(two), "%s,", spec_plan);
    refused(two, "a trailing comma after the plan");
  }
  refused(plan_with("qty", "\"0.007\",}"), "a trailing comma in the plan");
  refused(plan_with("extra", "[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]"),
          "deep nesting");

  for (size_t i = 0; i < SPEC_FIELD_COUNT; i++) {
    const char *f = spec_fields[i].name;
    for (size_t j = 0; j < sizeof(junk_any) / sizeof(junk_any[0]); j++)
      refused_field(f, junk_any[j].value, junk_any[j].name);
    /* String fields (decimals included): nothing but a clean token. */
    if (spec_fields[i].value[0] != '"')
      continue;
    for (size_t j = 0; j < sizeof(junk_string) / sizeof(junk_string[0]); j++)
      refused_field(f, junk_string[j].value, junk_string[j].name);
    value[0] = '"';
    memset(value + 1, 'A', 256);
    strcpy(value + 257, "\"");
    refused_field(f, value, "overlong");
  }

  refused(plan_with("plan_id", "7"), "plan_id as a number");
  refused(plan_with("side", "true"), "side as a boolean");
  refused(plan_with("symbol", "\"btcusdt\""), "lower-case symbol");
  refused(plan_with("symbol", "\"-BTCUSDT\""), "symbol with a dash first");
  refused(plan_with("symbol", "\"BTC:USDT\""), "symbol with a colon");
  {
    dg_plan_t p;
    ok(decodes(plan_with("symbol", "\"BTC-USDT-SWAP\""), &p) &&
           strcmp(p.symbol, "BTC-USDT-SWAP") == 0,
       "an OKX symbol (BTC-USDT-SWAP) accepted");
  }
  refused(plan_with("symbol", "\"BTCUSDT\\u00e9\""), "symbol with non-ASCII");
  refused(plan_with("symbol", "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345\""),
          "symbol of 32 characters");
  ok(decodes(plan_with("symbol", "\"ABCDEFGHIJKLMNOPQRSTUVWXYZ01234\""),
             &(dg_plan_t){0}),
     "symbol of 31 characters accepted");
  value[0] = '"';
  memset(value + 1, 'p', 128);
  strcpy(value + 129, "\"");
  refused(plan_with("plan_id", value), "plan_id of 128 characters");
  value[128] = '"';
  value[129] = '\0';
  ok(decodes(plan_with("plan_id", value), &(dg_plan_t){0}),
     "plan_id of 127 characters accepted");

  refused(plan_with("qty", "7e-3"), "qty with an exponent");
  refused(plan_with("qty", "7E-3"), "qty with a capital exponent");
  refused(plan_with("qty", "\"7e-3\""), "qty string with an exponent");
  refused(plan_with("qty", "NaN"), "qty NaN");
  refused(plan_with("qty", "Infinity"), "qty Infinity");
  refused(plan_with("qty", "-Infinity"), "qty -Infinity");
  refused(plan_with("qty", "\"NaN\""), "qty \"NaN\"");
  refused(plan_with("qty", "1e400"), "qty 1e400");
  refused(plan_with("qty", "1."), "qty 1.");
  refused(plan_with("qty", "99999999999999999999"), "qty beyond uint64");
  refused(plan_with("qty", "18446744073709551615"), "qty UINT64_MAX");
  refused(plan_with("qty", "9223372036854775807"), "qty INT64_MAX");
  refused(plan_with("qty", "-9223372036854775809"), "qty below INT64_MIN");
  refused(plan_with("qty", "92233720369"), "qty beyond dg_dec_t");
  refused(plan_with("qty", "0.000000001"), "qty finer than 10^-8");
  refused(plan_with("qty", "\"0.007x\""), "qty string with garbage");
  refused(plan_with("qty", "\" 0.007\""), "qty string with a space");
  refused(plan_with("qty", "\"\""), "qty empty string");
  refused(plan_with("qty", "true"), "qty boolean");
  refused(plan_with("reduceOnly", "1"), "reduceOnly 1");
  refused(plan_with("reduceOnly", "\"TRUE\""), "reduceOnly \"TRUE\"");
  refused(plan_with("reduceOnly", "\"yes\""), "reduceOnly \"yes\"");
  refused(plan_with("reduceOnly", "\"true \""), "reduceOnly \"true \"");
  refused(plan_with("reduceOnly", "\"true\\u0000\""), "reduceOnly NUL");
  refused(plan_with("ts", "\"1769379791123\""), "ts as a string");
  refused(plan_with("ts", "1769379791123.5"), "ts with a fraction");
  refused(plan_with("ts", "1.7e12"), "ts with an exponent");
  refused(plan_with("ts", "-1"), "ts negative");
  refused(plan_with("ts", "99999999999999999999"), "ts beyond int64");
  refused(plan_with("ts", "9223372036854775807"), "ts INT64_MAX (clamp)");

  refused_n("{\"plan_id\"\0:1}", 14, "NUL byte in the input");
  {
    char with_nul[512];
    size_t n = strlen(spec_plan);
    memcpy(with_nul, spec_plan, n);
    with_nul[n] = '\0';
    refused_n(with_nul, n + 1, "NUL byte after a valid plan");
  }
  refused(plan_with("side", "\"S\xff\""), "invalid UTF-8");

  /* A valid plan padded with whitespace past the limit: only the size is
   * wrong with it. */
  memset(big, ' ', sizeof(big));
  memcpy(big, spec_plan, strlen(spec_plan));
  refused_n(big, DG_PLAN_MAX_BYTES + 1, "oversized input");
  ok(dg_plan_decode(big, DG_PLAN_MAX_BYTES, &(dg_plan_t){0}, NULL, 0) == 0,
     "input of exactly DG_PLAN_MAX_BYTES accepted");

  {
    dg_plan_t p, before;
    char err[64];
    spec_plan_struct(&p);
    before = p;
    ok(dg_plan_decode("{", 1, &p, err, sizeof(err)) == -1 &&
           memcmp(&p, &before, sizeof(p)) == 0,
       "a refused plan leaves the output untouched");
    ok(dg_plan_decode("{", 1, &p, NULL, 0) == -1, "err may be NULL");
    ok(dg_plan_decode(NULL, 0, &p, err, sizeof(err)) == -1 && err[0] != '\0',
       "NULL input refused");
    ok(dg_plan_decode(spec_plan, strlen(spec_plan), NULL, err, sizeof(err)) ==
           -1,
       "NULL output refused");
    ok(dg_plan_decode(spec_plan, strlen(spec_plan), &p, err, 8) == 0 &&
           err[0] == '\0',
       "err is empty after success");
  }
}

/* One decode of arbitrary bytes: it must not crash, and must either
 * succeed with a plan that encodes and decodes back to itself, or fail
 * with a reason. */
static int decode_is_sane(const char *buf, size_t len) {
  dg_plan_t p, again;
  char err[256] = "", text[DG_PLAN_MAX_BYTES + 1];
  int n;
  if (dg_plan_decode(buf, len, &p, err, sizeof(err)) != 0)
    return err[0] != '\0';
  n = dg_plan_encode(&p, text, sizeof(text));
  return n > 0 && dg_plan_decode(text, (size_t)n, &again, err, 8) == 0 &&
         memcmp(&p, &again, sizeof(p)) == 0;
}

static void check_mutations(void) {
  const size_t len = strlen(spec_plan);
  char buf[512];
  int insane = 0, truncations_accepted = 0, accepted = 0, total = 0;

  for (size_t cut = 0; cut < len; cut++) {
    if (!decode_is_sane(spec_plan, cut))
      insane++;
    if (dg_plan_decode(spec_plan, cut, &(dg_plan_t){0}, NULL, 0) == 0)
      truncations_accepted++;
  }
  ok(insane == 0 && truncations_accepted == 0,
     "every truncation of a plan is refused with a reason");

  for (size_t pos = 0; pos < len; pos++) {
    for (int byte = 0; byte < 256; byte++) {
      if ((unsigned char)spec_plan[pos] == byte)
        continue;
      memcpy(buf, spec_plan, len);
      buf[pos] = (char)byte;
      total++;
      if (!decode_is_sane(buf, len) && insane++ < 5)
        printf("#   insane at byte %zu = 0x%02x\n", pos, byte);
      accepted += dg_plan_decode(buf, len, &(dg_plan_t){0}, NULL, 0) == 0;
    }
  }
  ok(insane == 0, "%d single-byte mutations: no crash, success or a reason",
     total);
  /* Mutating digits of decimals or of ts, or letters of tokens, keeps a
   * well-formed plan; most other bytes break it. Both must happen. */
  ok(accepted > 0 && accepted < total / 2,
     "mutations both accepted (%d) and refused", accepted);
}

static void check_build(void) {
  dg_drift_t drift;
  dg_plan_t p;
  char buf[DG_PLAN_MAX_BYTES + 1], want[512];
  char long_prefix[200];
  const dg_dec_t ex = dec("0.007"), led = DG_DEC_ZERO;

  ok(dg_drift_compute(ex, led, dec("0.001"), &drift) == 0 &&
         drift.kind == DG_DRIFT_CLOSE,
     "SPEC example drift is a close");
  ok(dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &drift, ex, led,
                   1769379791123, 120) == 0,
     "plan built");
  /* printf 'BTCUSDT|0.007|0' | sha256sum; 1769379791123 ms / 1000 / 120 */
  is_str(p.plan_id, "reconclose:BTCUSDT:05aef2c8e386:14744831",
         "plan_id = reconclose:S:SIG:BUCKET");
  is_str(p.signature, "05aef2c8e386", "plan carries the drift signature");
  is_str(p.hold_key, "quantum:reconcile:hold:BTCUSDT", "hold_key");
  is_str(p.decision, "RECONCILE_CLOSE", "decision");
  is_str(p.reason, "reconcile_drift", "reason");
  is_str(p.type, "MARKET", "type");
  is_str(p.side, "SELL", "side from the drift");
  ok(p.reduce_only == 1 && p.ts == 1769379791123, "reduceOnly and ts");
  snprintf(want, sizeof(want),
           "{\"plan_id\":\"reconclose:BTCUSDT:05aef2c8e386:14744831\","
           "\"decision\":\"RECONCILE_CLOSE\",\"source\":\"p3.4\","
           "\"reason\":\"reconcile_drift\",\"symbol\":\"BTCUSDT\","
           "\"side\":\"SELL\",\"type\":\"MARKET\",\"reduceOnly\":true,"
           "\"qty\":\"0.007\",\"exchange_amt\":\"0.007\","
           "\"ledger_amt\":\"0\",\"signature\":\"05aef2c8e386\","
           "\"hold_key\":\"quantum:reconcile:hold:BTCUSDT\","
           "\"ts\":1769379791123}");
  ok(dg_plan_encode(&p, buf, sizeof(buf)) > 0, "built plan encodes");
  is_str(buf, want, "built plan encodes to the SPEC's shape");

  ok(dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &drift, ex, led,
                   1769379791123 + 120000, 120) == 0 &&
         strcmp(p.plan_id, "reconclose:BTCUSDT:05aef2c8e386:14744832") == 0,
     "the next cooldown bucket gives a new plan_id");
  ok(dg_plan_build(&p, "acct2", "p3.4", "BTCUSDT", &drift, ex, led,
                   1769379791123, 120) == 0 &&
         strcmp(p.hold_key, "acct2:reconcile:hold:BTCUSDT") == 0,
     "hold_key uses the key prefix");
  {
    dg_drift_t short_drift;
    ok(dg_drift_compute(dec("-1.5"), dec("-0.5"), dec("0.1"), &short_drift) ==
               0 &&
           dg_plan_build(&p, "quantum", "p3.4", "ETHUSDT", &short_drift,
                         dec("-1.5"), dec("-0.5"), 1000, 120) == 0 &&
           strcmp(p.side, "BUY") == 0 && dg_dec_cmp(p.qty, dec("1")) == 0 &&
           dg_dec_cmp(p.exchange_amt, dec("-1.5")) == 0,
       "a short's partial close builds a BUY plan");
  }

  ok(dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &drift, ex, led,
                   1769379791123, 0) == -1,
     "build refuses cooldown 0");
  ok(dg_plan_build(&p, "quantum", "p3.4", "btcusdt", &drift, ex, led,
                   1769379791123, 120) == -1,
     "build refuses a lower-case symbol");
  ok(dg_plan_build(&p, "quantum", "p3.4", "", &drift, ex, led, 1769379791123,
                   120) == -1,
     "build refuses an empty symbol");
  ok(dg_plan_build(&p, "quantum", "p 3", "BTCUSDT", &drift, ex, led,
                   1769379791123, 120) == -1,
     "build refuses a source with a space");
  memset(long_prefix, 'q', sizeof(long_prefix) - 1);
  long_prefix[sizeof(long_prefix) - 1] = '\0';
  ok(dg_plan_build(&p, long_prefix, "p3.4", "BTCUSDT", &drift, ex, led,
                   1769379791123, 120) == -1,
     "build refuses a hold_key that does not fit");
  ok(dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &drift, ex, led, -1,
                   120) == -1,
     "build refuses a negative time");
  ok(dg_plan_build(&p, NULL, "p3.4", "BTCUSDT", &drift, ex, led, 1, 120) == -1,
     "build refuses NULL arguments");
  {
    dg_drift_t none;
    ok(dg_drift_compute(dec("0.3"), dec("0.5"), dec("0.001"), &none) == 0 &&
           dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &none, dec("0.3"),
                         dec("0.5"), 1, 120) == -1,
       "build refuses an unfixable drift");
    ok(dg_drift_compute(ex, ex, dec("0.001"), &none) == 0 &&
           dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &none, ex, ex, 1,
                         120) == -1,
       "build refuses no drift");
  }
}

static void check_mac(void) {
  char mac[65], again[65];
  dg_hmac_key_t *key = dg_hmac_key_new("plan-secret-key", 15);
  /* printf '%s' "$spec_plan" | openssl dgst -sha256 -hmac plan-secret-key */
  ok(dg_plan_mac(key, spec_plan, strlen(spec_plan), mac) == 0, "mac computed");
  is_str(mac,
         "611d9b5a327364b118dceba5b72dd0d7bd8a5272c207ffd7b62953ff2b40905d",
         "mac = HMAC-SHA256 over the exact plan bytes");
  ok(dg_plan_mac(key, spec_plan, strlen(spec_plan), again) == 0 &&
         strcmp(mac, again) == 0,
     "the prepared key gives the same mac again");
  ok(dg_hmac_key_new("", 0) == NULL, "an empty key cannot be prepared");
  ok(dg_plan_mac(NULL, spec_plan, strlen(spec_plan), mac) == -1,
     "mac refuses a NULL key");
  dg_hmac_key_free(key);
}

/* An unknown key reaches the log line printable, whatever it holds. */
/* The venues' spellings pass; nothing that would change a Redis key or
 * pattern, a metric identifier, a file name or an argument does. */
static void check_symbol_grammar(void) {
  static const char *const good[] = {"BTCUSDT",         "BTC-USDT-SWAP",
                                     "BTCUSD_PERP",     "BTCUSD_200925",
                                     "BTCUSDT-21FEB25", "1000PEPEUSDT"};
  static const char *const bad[] = {
      "btcusdt", "BTC USDT", "BTC:USDT", "BTC{USDT}",   "BTC*",       "BTC?",
      "BTC[1]",  "BTC/USDT", "BTC.USDT", "-BTC",        "_BTC",       "BTC\tX",
      "BTC\nX",  "BTC\\X",   "BTC\"X",   "BTCUSDT\x7f", "BTC\xc3\xa9"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    ok(dg_symbol_valid(good[i], strlen(good[i])), "symbol %s accepted",
       good[i]);
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok(!dg_symbol_valid(bad[i], strlen(bad[i])), "symbol %zu refused", i);
  ok(!dg_symbol_valid("BTC\0X", 5), "an embedded NUL refused");
  ok(!dg_symbol_valid(NULL, 3), "NULL refused");
}

static void check_printable_reason(void) {
  dg_plan_t p;
  char err[256], out[8];
  const char *json = "{\"a\\nb\\u00e9\":1}";
  ok(dg_plan_decode(json, strlen(json), &p, err, sizeof err) == -1,
     "unknown field with a newline refused");
  is_str(err, "unknown field a?b??", "its name made printable");
  dg_text_printable("abcdefghij", 10, out, sizeof out);
  is_str(out, "abcdefg", "printable text is cut to fit");
}

/* Hedge mode: a leg's plan names its leg; one-way plans do not. */
static void check_legs(void) {
  dg_drift_t drift;
  dg_plan_t p, back;
  char buf[DG_PLAN_MAX_BYTES + 1], err[200], sig[DG_SIGNATURE_LEN + 1];
  const dg_dec_t ex = dec("0.5"), led = dec("0.2");
  int len;

  ok(dg_drift_compute(ex, led, dec("0.001"), &drift) == 0, "leg drift");
  /* printf 'BTCUSDT|LONG:0.5:0.2|SHORT:-0.3:-0.3' | sha256sum */
  ok(dg_drift_signature_legs("BTCUSDT", ex, "0.2", dec("-0.3"), "-0.3", sig) ==
         0,
     "signature over both legs");
  is_str(sig, "6b1ee730188a", "S|LONG:ex:ledger|SHORT:ex:ledger");
  ok(dg_plan_build_leg(&p, "quantum", "p3.4", "BTCUSDT", DG_LEG_LONG, sig,
                       &drift, ex, led, 1769379791123, 120) == 0,
     "LONG leg plan built");
  is_str(p.plan_id, "reconclose:BTCUSDT:6b1ee730188a:14744831:LONG",
         "a leg's plan_id ends with its leg");
  ok(p.position_side == DG_LEG_LONG && strcmp(p.side, "SELL") == 0 &&
         dg_dec_cmp(p.qty, dec("0.3")) == 0,
     "SELL 0.3 of the LONG leg");
  len = dg_plan_encode(&p, buf, sizeof buf);
  ok(len > 0 && strstr(buf, "\"side\":\"SELL\",\"position_side\":\"LONG\","
                            "\"type\"") != NULL,
     "position_side follows side in the JSON");
  ok(dg_plan_decode(buf, (size_t)len, &back, err, sizeof err) == 0 &&
         back.position_side == DG_LEG_LONG,
     "a leg's plan decodes with its leg");
  ok(dg_plan_build_leg(&p, "quantum", "p3.4", "BTCUSDT", DG_LEG_SHORT, sig,
                       &drift, ex, led, 1769379791123, 120) == -1,
     "a SELL is never built for the SHORT leg");

  ok(dg_drift_compute(ex, led, dec("0.001"), &drift) == 0 &&
         dg_plan_build(&p, "quantum", "p3.4", "BTCUSDT", &drift, ex, led,
                       1769379791123, 120) == 0 &&
         (len = dg_plan_encode(&p, buf, sizeof buf)) > 0 &&
         strstr(buf, "position_side") == NULL,
     "a one-way plan has no position_side: SPEC section 3's bytes");
  ok(dg_plan_decode(buf, (size_t)len, &back, err, sizeof err) == 0 &&
         back.position_side == DG_LEG_BOTH,
     "a plan without position_side is BOTH (one-way)");
  {
    static const char *const bad[] = {"\"long\"", "\"\"", "1", "null",
                                      "\"BOTHX\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
      char text[DG_PLAN_MAX_BYTES];
      int n = snprintf(text, sizeof text, "{\"position_side\":%s,%s", bad[i],
                       buf + 1);
      ok(n > 0 && dg_plan_decode(text, (size_t)n, &back, err, sizeof err) != 0,
         "position_side %s refused: %s", bad[i], err);
    }
  }
}

int main(void) {
  check_legs();
  check_encode();
  check_decode_valid();
  check_decode_hostile();
  check_mutations();
  check_build();
  check_mac();
  check_printable_reason();
  check_symbol_grammar();
  return tap_done();
}
