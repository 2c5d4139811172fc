/* Unit tests of the executor's guardrails (executor/invariants.c): every
 * rule of SPEC section 4 passing and failing with its own label, the order
 * in which they are checked, and hostile stream entries (rule malformed). */
#include "../dec_literal.h"
#include "../tap.h"
#include "driftguard/plan.h"
#include "executor/invariants.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOLD_KEY "quantum:reconcile:hold:BTCUSDT"
#define PLAN_KEY "plan-key-for-tests"

static dg_hmac_key_t *plan_key; /* PLAN_KEY, prepared */

/* The SPEC section 3 plan. */
static dg_plan_t good_plan(void) {
  dg_plan_t p;
  memset(&p, 0, sizeof p);
  snprintf(p.plan_id, sizeof p.plan_id,
           "reconclose:BTCUSDT:416d86940859:14744826");
  snprintf(p.decision, sizeof p.decision, "RECONCILE_CLOSE");
  snprintf(p.source, sizeof p.source, "p3.4");
  snprintf(p.reason, sizeof p.reason, "reconcile_drift");
  snprintf(p.symbol, sizeof p.symbol, "BTCUSDT");
  snprintf(p.side, sizeof p.side, "SELL");
  snprintf(p.type, sizeof p.type, "MARKET");
  p.reduce_only = 1;
  p.qty = dec("0.007");
  p.exchange_amt = dec("0.007");
  p.ledger_amt = dec("0");
  snprintf(p.signature, sizeof p.signature, "416d86940859");
  snprintf(p.hold_key, sizeof p.hold_key, HOLD_KEY);
  p.ts = 1769379791123;
  return p;
}

/* An entry as Redis hands it over: fields plan (and mac). */
typedef struct {
  char json[8192];
  char mac[65];
  const char *fields[4];
  size_t lens[4];
  size_t n;
  ex_entry_t e;
} entry_t;

static ex_rule_t parse_json(entry_t *t, const char *json, const char *key) {
  char why[256];
  snprintf(t->json, sizeof t->json, "%s", json);
  t->n = 0;
  t->fields[t->n] = "plan";
  t->lens[t->n++] = 4;
  t->fields[t->n] = t->json;
  t->lens[t->n++] = strlen(t->json);
  if (key != NULL) {
    dg_hmac_key_t *k = dg_hmac_key_new(key, strlen(key));
    if (k == NULL || dg_plan_mac(k, t->json, strlen(t->json), t->mac) != 0)
      abort();
    dg_hmac_key_free(k);
    t->fields[t->n] = "mac";
    t->lens[t->n++] = 3;
    t->fields[t->n] = t->mac;
    t->lens[t->n++] = 64;
  }
  return ex_parse_entry(t->fields, t->lens, t->n, &t->e, why, sizeof why);
}

static ex_rule_t parse_plan(entry_t *t, const dg_plan_t *p, const char *key) {
  char json[8192];
  if (dg_plan_encode(p, json, sizeof json) < 0)
    abort();
  return parse_json(t, json, key);
}

static ex_facts_t facts(const char *hold_value) {
  return (ex_facts_t){.source = "p3.4",
                      .plan_key = NULL,
                      .hold_key = HOLD_KEY,
                      .hold_value = hold_value};
}

/* Check a plan with the default facts (HOLD active, no plan key). */
static ex_rule_t check(const dg_plan_t *p) {
  entry_t t;
  ex_facts_t f = facts("1");
  char why[256];
  if (parse_plan(&t, p, NULL) != EX_RULE_NONE)
    return EX_RULE_MALFORMED;
  return ex_check_plan(&t.e, &f, why, sizeof why);
}

static void test_rule_names(void) {
  static const char *const want[] = {
      "",         "malformed", "decision",    "source", "auth",
      "hold_key", "mode",      "reduce_only", "type",   "reason",
      "qty",      "side",      "stale"};
  for (int r = 0; r < EX_RULE_COUNT; r++)
    is_str(ex_rule_name((ex_rule_t)r), want[r], "rule label");
}

static void test_each_rule(void) {
  dg_plan_t p = good_plan();
  char why[256];
  ok(check(&p) == EX_RULE_NONE, "the SPEC plan passes every rule");

  p = good_plan();
  snprintf(p.decision, sizeof p.decision, "OPEN");
  ok(check(&p) == EX_RULE_DECISION, "decision OPEN -> decision");

  p = good_plan();
  snprintf(p.source, sizeof p.source, "attacker");
  p.qty = dec("100.0");
  ok(check(&p) == EX_RULE_SOURCE, "source=attacker qty=100.0 -> source");

  p = good_plan();
  snprintf(p.hold_key, sizeof p.hold_key, "quantum:reconcile:hold:ETHUSDT");
  ok(check(&p) == EX_RULE_HOLD_KEY, "a hold_key that is not ours -> hold_key");

  p = good_plan();
  p.reduce_only = 0;
  ok(check(&p) == EX_RULE_REDUCE_ONLY, "reduceOnly false -> reduce_only");

  p = good_plan();
  snprintf(p.type, sizeof p.type, "LIMIT");
  ok(check(&p) == EX_RULE_TYPE, "type LIMIT -> type");

  p = good_plan();
  snprintf(p.reason, sizeof p.reason, "take_profit");
  ok(check(&p) == EX_RULE_REASON, "wrong reason -> reason");

  p = good_plan();
  p.qty = dec("0");
  ok(check(&p) == EX_RULE_QTY, "qty 0 -> qty");
  p.qty = dec("-0.007");
  ok(check(&p) == EX_RULE_QTY, "negative qty -> qty");
  p.qty = dec("0.00700001");
  ok(check(&p) == EX_RULE_QTY, "qty above |exchange_amt| -> qty");
  p.qty = dec("0.004");
  ok(check(&p) == EX_RULE_NONE, "partial close qty <= |exchange_amt| passes");
  p = good_plan();
  p.exchange_amt = dec("-0.007");
  snprintf(p.side, sizeof p.side, "BUY");
  ok(check(&p) == EX_RULE_NONE, "short: qty <= |exchange_amt| passes");

  p = good_plan();
  snprintf(p.side, sizeof p.side, "HOLD");
  ok(check(&p) == EX_RULE_SIDE, "side neither SELL nor BUY -> side");

  {
    entry_t t;
    ex_facts_t f = facts(NULL);
    p = good_plan();
    parse_plan(&t, &p, NULL);
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_HOLD_KEY &&
           strstr(why, "HOLD key not active") != NULL,
       "HOLD missing -> hold_key (\"%s\")", why);
    f.hold_value = "0";
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_HOLD_KEY,
       "HOLD value 0 -> hold_key");
    f.hold_value = "1";
    f.hold_sig = "416d86940859";
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_NONE,
       "hold_sig equal to the plan's signature passes");
    f.hold_sig = "0123456789ab";
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_HOLD_KEY &&
           strstr(why, "another drift") != NULL,
       "HOLD for another drift (ledger moved) -> hold_key (\"%s\")", why);
    f.hold_sig = "416d869408591";
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_HOLD_KEY,
       "hold_sig longer than the signature -> hold_key");
  }
}

static void test_auth(void) {
  dg_plan_t p = good_plan();
  entry_t t;
  ex_facts_t f = facts("1");
  char why[256];

  f.plan_key = plan_key;
  parse_plan(&t, &p, PLAN_KEY);
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_NONE,
     "mac made with the plan key passes");
  for (char *c = t.mac; *c; c++)
    if (*c >= 'a' && *c <= 'f')
      *c = (char)(*c - 'a' + 'A');
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_NONE,
     "upper-case hex mac passes");

  parse_plan(&t, &p, "another key");
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_AUTH,
     "mac made with another key -> auth");

  parse_plan(&t, &p, NULL);
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_AUTH,
     "no mac while a key is configured -> auth");

  parse_plan(&t, &p, PLAN_KEY);
  t.e.mac_len = 10;
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_AUTH,
     "short mac -> auth");

  /* The mac covers the exact bytes: the same plan re-serialised with a
   * space added no longer matches. */
  parse_plan(&t, &p, PLAN_KEY);
  {
    char mac[65], spaced[8192];
    memcpy(mac, t.mac, sizeof mac);
    spaced[0] = ' ';
    memcpy(spaced + 1, t.json, strlen(t.json) + 1);
    parse_json(&t, spaced, NULL);
    t.e.mac = mac;
    t.e.mac_len = 64;
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_AUTH,
       "mac over different bytes -> auth");
  }

  f.plan_key = NULL;
  parse_plan(&t, &p, NULL);
  ok(ex_check_plan(&t.e, &f, why, sizeof why) == EX_RULE_NONE,
     "no key configured: rule auth skipped");
}

/* A plan breaking rules first..last: the first one is reported. */
static void test_order(void) {
  static const ex_rule_t order[] = {
      EX_RULE_DECISION, EX_RULE_SOURCE,      EX_RULE_AUTH,
      EX_RULE_HOLD_KEY, EX_RULE_REDUCE_ONLY, EX_RULE_TYPE,
      EX_RULE_REASON,   EX_RULE_QTY,         EX_RULE_SIDE};
  size_t n = sizeof order / sizeof order[0];
  for (size_t first = 0; first < n; first++) {
    dg_plan_t p = good_plan();
    entry_t t;
    ex_facts_t f = facts("1");
    char why[256];
    const char *key = NULL;
    for (size_t k = first; k < n; k++) {
      switch (order[k]) {
      case EX_RULE_DECISION:
        snprintf(p.decision, sizeof p.decision, "X");
        break;
      case EX_RULE_SOURCE:
        snprintf(p.source, sizeof p.source, "x");
        break;
      case EX_RULE_AUTH:
        key = "wrong key";
        break;
      case EX_RULE_HOLD_KEY:
        f.hold_value = NULL;
        break;
      case EX_RULE_REDUCE_ONLY:
        p.reduce_only = 0;
        break;
      case EX_RULE_TYPE:
        snprintf(p.type, sizeof p.type, "LIMIT");
        break;
      case EX_RULE_REASON:
        snprintf(p.reason, sizeof p.reason, "x");
        break;
      case EX_RULE_QTY:
        p.qty = dec("1");
        break;
      case EX_RULE_SIDE:
        snprintf(p.side, sizeof p.side, "X");
        break;
      default:
        break;
      }
    }
    f.plan_key = plan_key;
    parse_plan(&t, &p, key != NULL ? key : PLAN_KEY);
    ok(ex_check_plan(&t.e, &f, why, sizeof why) == order[first],
       "rules %s..side broken: %s reported", ex_rule_name(order[first]),
       ex_rule_name(order[first]));
  }
}

static void test_position(void) {
  dg_plan_t p = good_plan();
  char why[256];
  ok(ex_check_position(&p, dec("0.007"), why, sizeof why) == EX_RULE_NONE,
     "live position equal to the plan's passes");
  ok(ex_check_position(&p, dec("-0.007"), why, sizeof why) == EX_RULE_SIDE,
     "SELL against a live short -> side");
  ok(ex_check_position(&p, dec("0.005"), why, sizeof why) == EX_RULE_STALE,
     "live long moved -> stale");
  ok(ex_check_position(&p, dec("0.009"), why, sizeof why) == EX_RULE_STALE,
     "live long grew -> stale");
  ok(ex_check_position(&p, dec("0"), why, sizeof why) == EX_RULE_STALE,
     "live flat -> stale");

  p.exchange_amt = dec("-0.007");
  snprintf(p.side, sizeof p.side, "BUY");
  ok(ex_check_position(&p, dec("-0.007"), why, sizeof why) == EX_RULE_NONE,
     "BUY closing the same live short passes");
  ok(ex_check_position(&p, dec("0.007"), why, sizeof why) == EX_RULE_SIDE,
     "BUY against a live long -> side");

  /* Partial drift: exchange 0.010, ledger 0.006, close 0.004. Once it
   * filled, a second 0.004 would still be reduce-only: stale stops it. */
  p = good_plan();
  p.exchange_amt = dec("0.010");
  p.ledger_amt = dec("0.006");
  p.qty = dec("0.004");
  ok(ex_check_position(&p, dec("0.010"), why, sizeof why) == EX_RULE_NONE,
     "partial drift before the fill passes");
  ok(ex_check_position(&p, dec("0.006"), why, sizeof why) == EX_RULE_STALE,
     "partial drift after the fill -> stale (no second fill)");

  /* A plan inconsistent with itself: SELL with a short exchange_amt. */
  p = good_plan();
  p.exchange_amt = dec("-0.007");
  ok(ex_check_position(&p, dec("-0.007"), why, sizeof why) == EX_RULE_SIDE,
     "SELL for a short plan -> side");
}

/* Hedge mode: rule mode against the live mode, rule side per leg. */
static void test_legs(void) {
  dg_plan_t p = good_plan();
  char why[256];
  ok(ex_check_mode(&p, 0, why, sizeof why) == EX_RULE_NONE,
     "one-way plan, one-way account passes");
  ok(ex_check_mode(&p, 1, why, sizeof why) == EX_RULE_MODE,
     "one-way plan, hedge account -> mode");
  p.position_side = DG_LEG_LONG;
  ok(ex_check_mode(&p, 1, why, sizeof why) == EX_RULE_NONE,
     "LONG leg plan, hedge account passes");
  ok(ex_check_mode(&p, 0, why, sizeof why) == EX_RULE_MODE,
     "LONG leg plan, one-way account -> mode");
  ok(check(&p) == EX_RULE_NONE, "SELL of the LONG leg passes the plan rules");
  snprintf(p.side, sizeof p.side, "BUY");
  ok(check(&p) == EX_RULE_SIDE, "BUY of the LONG leg (grows it) -> side");
  p.position_side = DG_LEG_SHORT;
  p.exchange_amt = dec("-0.007");
  ok(check(&p) == EX_RULE_NONE, "BUY of the SHORT leg passes the plan rules");
  ok(ex_check_position(&p, dec("-0.007"), why, sizeof why) == EX_RULE_NONE,
     "BUY of the live SHORT leg passes");
  ok(ex_check_position(&p, dec("-0.004"), why, sizeof why) == EX_RULE_STALE,
     "SHORT leg moved -> stale");
  ok(ex_check_position(&p, dec("0"), why, sizeof why) == EX_RULE_STALE,
     "SHORT leg gone -> stale");
  snprintf(p.side, sizeof p.side, "SELL");
  ok(check(&p) == EX_RULE_SIDE, "SELL of the SHORT leg (grows it) -> side");
}

static void test_hostile(void) {
  static const char *const bad[] = {
      "",
      "not json",
      "[1,2,3]",
      "{}",
      "null",
      "{\"plan_id\":1}",
      "{\"plan_id\":\"a\",\"decision\":\"RECONCILE_CLOSE\"",
      "\xff\xfe\xfd",
  };
  entry_t t;
  char why[256];
  char big[DG_PLAN_MAX_BYTES + 100];
  dg_plan_t p = good_plan();
  char json[8192];

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    ok(parse_json(&t, bad[i], NULL) == EX_RULE_MALFORMED,
       "hostile plan %zu -> malformed", i);

  memset(big, ' ', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  dg_plan_encode(&p, json, sizeof json);
  memcpy(big, json, strlen(json));
  ok(parse_json(&t, big, NULL) == EX_RULE_MALFORMED, "oversized -> malformed");

  {
    const char *fields[] = {"mac", "abc"};
    size_t lens[] = {3, 3};
    ok(ex_parse_entry(fields, lens, 2, &t.e, why, sizeof why) ==
               EX_RULE_MALFORMED &&
           strstr(why, "no plan field") != NULL,
       "entry without plan field -> malformed (\"%s\")", why);
    ok(ex_parse_entry(fields, lens, 1, &t.e, why, sizeof why) ==
           EX_RULE_MALFORMED,
       "odd field count -> malformed");
    ok(ex_parse_entry(NULL, NULL, 0, &t.e, why, sizeof why) ==
           EX_RULE_MALFORMED,
       "no fields -> malformed");
  }
  /* Wrong types and a field with an embedded NUL. */
  ok(parse_json(&t,
                "{\"plan_id\":\"reconclose:BTCUSDT:416d86940859:14744826\","
                "\"decision\":\"RECONCILE_CLOSE\",\"source\":\"p3.4\","
                "\"reason\":\"reconcile_drift\",\"symbol\":\"BTCUSDT\","
                "\"side\":\"SELL\",\"type\":\"MARKET\",\"reduceOnly\":true,"
                "\"qty\":[1],\"exchange_amt\":\"0.007\",\"ledger_amt\":\"0\","
                "\"signature\":\"416d86940859\",\"hold_key\":\"" HOLD_KEY
                "\",\"ts\":1769379791123}",
                NULL) == EX_RULE_MALFORMED,
     "qty of the wrong type -> malformed");
  ok(parse_plan(&t, &p, NULL) == EX_RULE_NONE, "the SPEC plan parses");
  t.lens[1] = 20; /* truncated bytes */
  ok(ex_parse_entry(t.fields, t.lens, 2, &t.e, why, sizeof why) ==
         EX_RULE_MALFORMED,
     "truncated plan -> malformed");
}

int main(void) {
  test_legs();
  if ((plan_key = dg_hmac_key_new(PLAN_KEY, strlen(PLAN_KEY))) == NULL)
    return 1;
  test_rule_names();
  test_each_rule();
  test_auth();
  test_order();
  test_position();
  test_hostile();
  dg_hmac_key_free(plan_key);
  return tap_done();
}
