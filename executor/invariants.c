/* invariants.c - the guardrails of SPEC section 4, each rule its own check,
 * in the table's order. Pure functions of the plan and the facts handed in,
 * so every rule is unit-tested directly (tests/unit/test_invariants.c). */
#include "executor/invariants.h"

#include "driftguard/keys.h"
#include "driftguard/sign.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const rule_names[EX_RULE_COUNT] = {
    [EX_RULE_NONE] = "",
    [EX_RULE_MALFORMED] = "malformed",
    [EX_RULE_DECISION] = "decision",
    [EX_RULE_SOURCE] = "source",
    [EX_RULE_AUTH] = "auth",
    [EX_RULE_HOLD_KEY] = "hold_key",
    [EX_RULE_MODE] = "mode",
    [EX_RULE_REDUCE_ONLY] = "reduce_only",
    [EX_RULE_TYPE] = "type",
    [EX_RULE_REASON] = "reason",
    [EX_RULE_QTY] = "qty",
    [EX_RULE_SIDE] = "side",
    [EX_RULE_STALE] = "stale",
};

const char *ex_rule_name(ex_rule_t r) {
  return r >= 0 && r < EX_RULE_COUNT ? rule_names[r] : "unknown";
}

__attribute__((format(printf, 4, 5))) static ex_rule_t
fail(ex_rule_t rule, char *why, size_t whylen, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(why, whylen, fmt, ap);
  va_end(ap);
  return rule;
}

static int field_is(const char *name, size_t len, const char *want) {
  return len == strlen(want) && memcmp(name, want, len) == 0;
}

ex_rule_t ex_parse_entry(const char *const *fields, const size_t *lens,
                         size_t nfields, ex_entry_t *out, char *why,
                         size_t whylen) {
  char reason[200];
  memset(out, 0, sizeof *out);
  if (nfields % 2 != 0)
    return fail(EX_RULE_MALFORMED, why, whylen, "odd number of fields");
  for (size_t i = 0; i < nfields; i += 2) {
    if (field_is(fields[i], lens[i], "plan")) {
      out->plan_json = fields[i + 1];
      out->plan_len = lens[i + 1];
    } else if (field_is(fields[i], lens[i], "mac")) {
      out->mac = fields[i + 1];
      out->mac_len = lens[i + 1];
    }
  }
  if (out->plan_json == NULL)
    return fail(EX_RULE_MALFORMED, why, whylen, "entry has no plan field");
  if (dg_plan_decode(out->plan_json, out->plan_len, &out->plan, reason,
                     sizeof reason) != 0)
    return fail(EX_RULE_MALFORMED, why, whylen, "bad plan: %s", reason);
  return EX_RULE_NONE;
}

static ex_rule_t check_auth(const ex_entry_t *e, const ex_facts_t *f, char *why,
                            size_t whylen) {
  char want[DG_SHA256_HEXLEN + 1], got[DG_SHA256_HEXLEN + 1];
  if (f->plan_key == NULL)
    return EX_RULE_NONE; /* warned about at start-up */
  if (e->mac == NULL)
    return fail(EX_RULE_AUTH, why, whylen, "plan has no mac");
  if (e->mac_len != DG_SHA256_HEXLEN)
    return fail(EX_RULE_AUTH, why, whylen, "mac is not 64 hex digits");
  memcpy(got, e->mac, DG_SHA256_HEXLEN);
  got[DG_SHA256_HEXLEN] = '\0';
  if (dg_plan_mac(f->plan_key, e->plan_json, e->plan_len, want) != 0)
    return fail(EX_RULE_AUTH, why, whylen, "cannot compute the mac");
  if (!dg_hex_equal(want, got))
    return fail(EX_RULE_AUTH, why, whylen, "mac does not match the plan key");
  return EX_RULE_NONE;
}

ex_rule_t ex_check_plan(const ex_entry_t *e, const ex_facts_t *f, char *why,
                        size_t whylen) {
  const dg_plan_t *p = &e->plan;
  dg_dec_t size;
  ex_rule_t r;

  if (strcmp(p->decision, DG_DECISION_CLOSE) != 0)
    return fail(EX_RULE_DECISION, why, whylen, "decision must be %s, got %s",
                DG_DECISION_CLOSE, p->decision);
  if (strcmp(p->source, f->source) != 0)
    return fail(EX_RULE_SOURCE, why, whylen, "source must be '%s', got %s",
                f->source, p->source);
  if ((r = check_auth(e, f, why, whylen)) != EX_RULE_NONE)
    return r;
  /* The plan names its hold key; it must be ours, and it must be held. */
  if (strcmp(p->hold_key, f->hold_key) != 0)
    return fail(EX_RULE_HOLD_KEY, why, whylen, "hold_key must be %s, got %s",
                f->hold_key, p->hold_key);
  if (f->hold_value == NULL || strcmp(f->hold_value, "1") != 0)
    return fail(EX_RULE_HOLD_KEY, why, whylen, "HOLD key not active: %s",
                f->hold_key);
  if (f->hold_sig != NULL && strcmp(f->hold_sig, p->signature) != 0)
    return fail(EX_RULE_HOLD_KEY, why, whylen,
                "HOLD is for another drift: hold_sig %s, plan signature %s",
                f->hold_sig, p->signature);
  if (p->reduce_only != 1)
    return fail(EX_RULE_REDUCE_ONLY, why, whylen, "reduceOnly must be true");
  if (strcmp(p->type, "MARKET") != 0)
    return fail(EX_RULE_TYPE, why, whylen, "type must be MARKET, got %s",
                p->type);
  if (strcmp(p->reason, DG_HOLD_REASON) != 0)
    return fail(EX_RULE_REASON, why, whylen, "reason must be %s, got %s",
                DG_HOLD_REASON, p->reason);
  if (dg_dec_abs(p->exchange_amt, &size) != 0 || dg_dec_sign(p->qty) <= 0 ||
      dg_dec_cmp(p->qty, size) > 0)
    return fail(EX_RULE_QTY, why, whylen,
                "qty must be > 0 and <= |exchange_amt|");
  if (strcmp(p->side, "SELL") != 0 && strcmp(p->side, "BUY") != 0)
    return fail(EX_RULE_SIDE, why, whylen, "side must be SELL or BUY, got %s",
                p->side);
  /* A leg is only ever closed: a SELL of the LONG leg, a BUY of the SHORT
   * one (the other way round opens or grows a leg). */
  if ((p->position_side == DG_LEG_LONG && strcmp(p->side, "SELL") != 0) ||
      (p->position_side == DG_LEG_SHORT && strcmp(p->side, "BUY") != 0))
    return fail(EX_RULE_SIDE, why, whylen,
                "side %s does not close the %s leg (SELL closes LONG, BUY "
                "closes SHORT)",
                p->side, dg_leg_name(p->position_side));
  return EX_RULE_NONE;
}

ex_rule_t ex_check_mode(const dg_plan_t *p, int dual, char *why,
                        size_t whylen) {
  if (dual && p->position_side == DG_LEG_BOTH)
    return fail(EX_RULE_MODE, why, whylen,
                "plan is for one-way mode (position_side BOTH) but the "
                "account is in hedge mode now");
  if (!dual && p->position_side != DG_LEG_BOTH)
    return fail(EX_RULE_MODE, why, whylen,
                "plan is for the %s leg of hedge mode but the account is in "
                "one-way mode now",
                dg_leg_name(p->position_side));
  return EX_RULE_NONE;
}

ex_rule_t ex_check_position(const dg_plan_t *p, dg_dec_t live_amt, char *why,
                            size_t whylen) {
  char live[DG_DEC_STRLEN], planned[DG_DEC_STRLEN];
  int sign = dg_dec_sign(live_amt);
  dg_dec_t size;

  dg_dec_format(live_amt, live, sizeof live);
  dg_dec_format(p->exchange_amt, planned, sizeof planned);
  /* A SELL would grow a short and a BUY a long; a flat position is the
   * stale rule's business (it cannot equal a plan with qty > 0). */
  if ((strcmp(p->side, "SELL") == 0 && sign < 0) ||
      (strcmp(p->side, "BUY") == 0 && sign > 0))
    return fail(EX_RULE_SIDE, why, whylen,
                "side %s does not close the live %s position %s", p->side,
                dg_leg_name(p->position_side), live);
  if (dg_dec_cmp(live_amt, p->exchange_amt) != 0)
    return fail(EX_RULE_STALE, why, whylen,
                "live %s position %s differs from the plan's exchange_amt %s",
                dg_leg_name(p->position_side), live, planned);

  /* Implied by the two above and rule qty; kept so a change to either can
   * never let an order exceed the live position. */
  if (dg_dec_abs(live_amt, &size) != 0 || dg_dec_cmp(p->qty, size) > 0)
    return fail(EX_RULE_QTY, why, whylen, "qty exceeds the live position %s",
                live);
  return EX_RULE_NONE;
}
