/* Unit tests for the reconcile plugin's per-symbol decision
 * (plugins/reconcile_decide.c): a table of named cases, one per row of the
 * README's Operation section and of SPEC section 2's ledger rules, each
 * run for a number of consecutive polls with the same inputs; then the
 * sequences a table cannot show (a new signature, the ledger coming back,
 * notifications once per signature). */
#include "../../plugins/reconcile_decide.h"
#include "../dec_literal.h"
#include "../tap.h"

#include <string.h>

#define OK RC_LEDGER_OK
#define MISSING RC_LEDGER_MISSING
#define UNREADABLE RC_LEDGER_UNREADABLE

enum { P_FLAT = 1, P_LOST = 2, P_PAUSED = 4 };

struct decide_case {
  const char *name;
  const char *exchange;
  rc_ledger_state_t ledger;
  const char *ledger_amt; /* OK only */
  bool held;
  const char *step, *min_qty;
  int confirm_polls, polls, policy;
  rc_action_kind_t kind;
  rc_why_t why;
  bool notify;
  const char *qty; /* HOLD_PUBLISH: the close */
};

static const struct decide_case cases[] = {
    {"no drift, nothing held", "0.003", OK, "0.003", false, "0.001", "0.001", 2,
     1, 0, RC_ACT_NONE, RC_WHY_NONE, false, NULL},
    {"no drift, held: release", "0.003", OK, "0.003", true, "0.001", "0.001", 2,
     1, 0, RC_ACT_RELEASE, RC_WHY_NONE, false, NULL},
    {"below one step is not drift", "0.0035", OK, "0.003", true, "0.001",
     "0.001", 2, 1, 0, RC_ACT_RELEASE, RC_WHY_NONE, false, NULL},
    {"drift, first poll: confirming", "0.007", OK, "0", false, "0.001", "0.001",
     2, 1, 0, RC_ACT_WAIT, RC_WHY_NONE, false, NULL},
    {"drift confirmed: hold and publish", "0.007", OK, "0", false, "0.001",
     "0.001", 2, 2, 0, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false, "0.007"},
    {"ConfirmPolls 1 publishes on the first poll", "0.007", OK, "0", false,
     "0.001", "0.001", 1, 1, 0, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false,
     "0.007"},
    {"partial close toward the ledger", "-0.5", OK, "-0.3", false, "0.001",
     "0.001", 2, 3, 0, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false, "0.2"},
    {"ledger finer than the step: rounded down", "0.003", OK, "0.0015", false,
     "0.001", "0.001", 2, 2, 0, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false,
     "0.001"},
    {"flip closes to 0 only", "0.5", OK, "-0.3", false, "0.001", "0.001", 2, 2,
     0, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false, "0.5"},
    {"ledger holds more: hold, notify", "0.3", OK, "0.5", false, "0.001",
     "0.001", 2, 2, 0, RC_ACT_HOLD, RC_WHY_LEDGER_HOLDS_MORE, true, NULL},
    {"exchange flat, ledger long: hold, notify", "0", OK, "0.5", false, "0.001",
     "0.001", 2, 2, 0, RC_ACT_HOLD, RC_WHY_LEDGER_HOLDS_MORE, true, NULL},
    {"close below minQty: hold, notify", "0.007", OK, "0", false, "0.001",
     "0.01", 2, 2, 0, RC_ACT_HOLD, RC_WHY_BELOW_MIN_QTY, true, NULL},
    {"ledger missing: hold, notify, no plan", "0.003", MISSING, NULL, false,
     "0.001", "0.001", 2, 2, 0, RC_ACT_HOLD, RC_WHY_LEDGER_MISSING, true, NULL},
    {"ledger missing, first poll: confirming", "0.003", MISSING, NULL, false,
     "0.001", "0.001", 2, 1, 0, RC_ACT_WAIT, RC_WHY_NONE, false, NULL},
    {"ledger missing, short: hold", "-2", MISSING, NULL, false, "0.001",
     "0.001", 1, 1, 0, RC_ACT_HOLD, RC_WHY_LEDGER_MISSING, true, NULL},
    {"ledger missing, exchange flat: nothing", "0", MISSING, NULL, false,
     "0.001", "0.001", 1, 3, 0, RC_ACT_NONE, RC_WHY_NONE, false, NULL},
    {"ledger missing, exchange flat, held: release", "0", MISSING, NULL, true,
     "0.001", "0.001", 1, 1, 0, RC_ACT_RELEASE, RC_WHY_NONE, false, NULL},
    {"MissingLedger flat: a close to 0", "0.003", MISSING, NULL, false, "0.001",
     "0.001", 2, 2, P_FLAT, RC_ACT_HOLD_PUBLISH, RC_WHY_NONE, false, "0.003"},
    {"ledger unreadable: hold, notify", "0.003", UNREADABLE, NULL, false,
     "0.001", "0.001", 2, 2, 0, RC_ACT_HOLD, RC_WHY_LEDGER_UNREADABLE, true,
     NULL},
    {"ledger unreadable, exchange flat: hold", "0", UNREADABLE, NULL, false,
     "0.001", "0.001", 1, 1, 0, RC_ACT_HOLD, RC_WHY_LEDGER_UNREADABLE, true,
     NULL},
    {"ledger unreadable with MissingLedger flat: hold", "0.003", UNREADABLE,
     NULL, false, "0.001", "0.001", 1, 1, P_FLAT, RC_ACT_HOLD,
     RC_WHY_LEDGER_UNREADABLE, true, NULL},
    {"guard key absent: fixable drift held, no plan", "0.007", OK, "0", false,
     "0.001", "0.001", 2, 2, P_LOST, RC_ACT_HOLD, RC_WHY_LEDGER_LOST, true,
     NULL},
    {"guard key absent, MissingLedger flat: no plan", "0.007", MISSING, NULL,
     false, "0.001", "0.001", 1, 1, P_LOST | P_FLAT, RC_ACT_HOLD,
     RC_WHY_LEDGER_LOST, true, NULL},
    {"guard key absent: no release", "0.003", OK, "0.003", true, "0.001",
     "0.001", 1, 1, P_LOST, RC_ACT_NONE, RC_WHY_NONE, false, NULL},
    {"Redis lost its data: held, no plan, no notification", "0.007", OK, "0",
     false, "0.001", "0.001", 2, 2, P_PAUSED, RC_ACT_HOLD,
     RC_WHY_PUBLISH_PAUSED, false, NULL},
    {"Redis lost its data: releases go on", "0.003", OK, "0.003", true, "0.001",
     "0.001", 2, 1, P_PAUSED, RC_ACT_RELEASE, RC_WHY_NONE, false, NULL},
    {"Redis lost its data, ledger holds more: notify", "0.3", OK, "0.5", false,
     "0.001", "0.001", 1, 1, P_PAUSED, RC_ACT_HOLD, RC_WHY_LEDGER_HOLDS_MORE,
     true, NULL},
};

static rc_decide_in_t input_of(const struct decide_case *c) {
  rc_decide_in_t in = {.exchange_amt = dec(c->exchange),
                       .ledger = c->ledger,
                       .ledger_amt =
                           c->ledger_amt ? dec(c->ledger_amt) : DG_DEC_ZERO,
                       .held = c->held,
                       .step = dec(c->step),
                       .min_qty = dec(c->min_qty)};
  return in;
}

static rc_policy_t policy_of(const struct decide_case *c) {
  rc_policy_t p = {.confirm_polls = c->confirm_polls,
                   .missing_is_flat = (c->policy & P_FLAT) != 0,
                   .ledger_lost = (c->policy & P_LOST) != 0,
                   .publish_paused = (c->policy & P_PAUSED) != 0};
  return p;
}

static void run_case(const struct decide_case *c) {
  rc_decide_in_t in = input_of(c);
  rc_policy_t policy = policy_of(c);
  rc_memory_t mem;
  rc_action_t act;
  int rc = 0;
  memset(&mem, 0, sizeof(mem));
  for (int i = 0; i < c->polls && rc == 0; i++)
    rc = rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  if (!ok(rc == 0, "%s: decided", c->name))
    return;
  if (!ok(act.kind == c->kind && act.why == c->why && act.notify == c->notify,
          "%s", c->name))
    printf("#   got kind=%d why=%d notify=%d, want kind=%d why=%d notify=%d\n",
           act.kind, act.why, act.notify, c->kind, c->why, c->notify);
  if (c->qty != NULL) {
    char got[DG_DEC_STRLEN];
    dg_dec_format(act.drift.qty, got, sizeof(got));
    ok(act.drift.kind == DG_DRIFT_CLOSE &&
           dg_dec_cmp(act.drift.qty, dec(c->qty)) == 0,
       "%s: close qty %s (got %s)", c->name, c->qty, got);
  }
  /* Only a ledger that is there and readable ever leads to a plan. */
  if (act.kind == RC_ACT_HOLD_PUBLISH)
    ok(act.ledger_known && !policy.ledger_lost && !policy.publish_paused &&
           (c->ledger == OK || policy.missing_is_flat),
       "%s: a plan only from a known ledger", c->name);
}

/* A symbol holding exchange, step and minQty 0.001, with no memory yet. */
static rc_decide_in_t symbol_in(const char *exchange, rc_ledger_state_t ledger,
                                rc_memory_t *mem) {
  rc_decide_in_t in = {.exchange_amt = dec(exchange),
                       .ledger = ledger,
                       .step = dec("0.001"),
                       .min_qty = dec("0.001")};
  memset(mem, 0, sizeof(*mem));
  return in;
}

/* The signature of an unknown ledger names why it is unknown, so that the
 * ledger coming back (even as 0) is a new drift, confirmed again. */
static void test_ledger_comes_back(void) {
  rc_policy_t policy = {.confirm_polls = 2};
  rc_memory_t mem;
  rc_decide_in_t in = symbol_in("0.003", MISSING, &mem);
  rc_action_t act;
  char want[DG_SIGNATURE_LEN + 1];
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  dg_drift_signature_text("BTCUSDT", in.exchange_amt, "missing", want);
  is_str(act.sig, want, "missing ledger: signature over S|ex|missing");
  ok(act.kind == RC_ACT_HOLD, "missing ledger: held after ConfirmPolls");

  in.ledger = OK;
  in.ledger_amt = DG_DEC_ZERO;
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.kind == RC_ACT_WAIT && act.new_drift,
     "ledger rewritten as 0: a new drift, confirmed again before a plan");
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.kind == RC_ACT_HOLD_PUBLISH, "then the plan");

  in.ledger_amt = dec("0.003");
  in.held = true;
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.kind == RC_ACT_RELEASE && mem.pending_count == 0,
     "ledger rewritten to the exchange: release, debounce forgotten");
}

/* One notification per signature: the apply step records it. */
static void test_notify_once(void) {
  rc_policy_t policy = {.confirm_polls = 1};
  rc_memory_t mem;
  rc_decide_in_t in = symbol_in("0.003", UNREADABLE, &mem);
  rc_action_t act;
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.notify, "first poll of an unreadable ledger: notify");
  memcpy(mem.notified_sig, act.sig, sizeof(mem.notified_sig));
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.kind == RC_ACT_HOLD && !act.notify,
     "same signature again: HOLD renewed, no second notification");
  in.exchange_amt = dec("0.004");
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  ok(act.notify, "another signature: notify again");
}

static void test_bad_math(void) {
  rc_policy_t policy = {.confirm_polls = 1};
  rc_memory_t mem;
  rc_decide_in_t in = symbol_in("0.003", OK, &mem);
  rc_action_t act;
  in.step = DG_DEC_ZERO;
  ok(rc_decide("BTCUSDT", &in, &policy, &mem, &act) != 0,
     "a zero step is refused: nothing may change");
}

/* A close above the market maximum is capped at it (one plan, one order);
 * once that order filled, the rest is a new drift and a second plan. */
static void test_market_max(void) {
  rc_policy_t policy = {.confirm_polls = 1};
  rc_memory_t mem;
  rc_decide_in_t in = symbol_in("250.5", OK, &mem);
  rc_action_t act;
  char qty[DG_DEC_STRLEN];
  in.ledger_amt = DG_DEC_ZERO;
  in.max_qty = dec("120.0005"); /* off the step: rounded down to it */
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  dg_dec_format(act.drift.qty, qty, sizeof qty);
  ok(act.kind == RC_ACT_HOLD_PUBLISH, "above the market maximum: a plan");
  is_str(qty, "120", "its close is capped at maxQty, on the step");
  in.exchange_amt = dec("130.5");
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  dg_dec_format(act.drift.qty, qty, sizeof qty);
  ok(act.kind == RC_ACT_HOLD_PUBLISH && act.new_drift,
     "after that order: the rest is a new drift");
  is_str(qty, "120", "capped again");
  in.exchange_amt = dec("10.5");
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  dg_dec_format(act.drift.qty, qty, sizeof qty);
  is_str(qty, "10.5", "below the maximum: the whole drift");
  in.exchange_amt = dec("-300");
  in.max_qty = DG_DEC_ZERO;
  rc_decide("BTCUSDT", &in, &policy, &mem, &act);
  dg_dec_format(act.drift.qty, qty, sizeof qty);
  is_str(qty, "300", "no maximum known: uncapped");
}

int main(void) {
  for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
    run_case(&cases[i]);
  test_ledger_comes_back();
  test_notify_once();
  test_bad_math();
  test_market_max();
  return tap_done();
}
