/* invariants.h - the executor's guardrails (SPEC section 4), pure: no I/O.
 *
 * A stream entry is first parsed (ex_parse_entry: rule "malformed" when it
 * is not a plan), then checked against the facts read from Redis
 * (ex_check_plan: decision .. qty, in the table's order, mode left out),
 * then against the account's live position mode (ex_check_mode: the one
 * rule of the table's upper part that needs the exchange, checked after
 * the others so that a plan refused anyway costs no request), and last
 * against ONE fresh position read of the plan's leg (ex_check_position:
 * side, stale). The first rule that fails is the one reported. */
#ifndef DG_EXECUTOR_INVARIANTS_H
#define DG_EXECUTOR_INVARIANTS_H

#include "driftguard/decimal.h"
#include "driftguard/plan.h"

#include <stddef.h>

typedef enum {
  EX_RULE_NONE = 0,
  EX_RULE_MALFORMED,
  EX_RULE_DECISION,
  EX_RULE_SOURCE,
  EX_RULE_AUTH,
  EX_RULE_HOLD_KEY,
  EX_RULE_MODE,
  EX_RULE_REDUCE_ONLY,
  EX_RULE_TYPE,
  EX_RULE_REASON,
  EX_RULE_QTY,
  EX_RULE_SIDE,
  EX_RULE_STALE,
  EX_RULE_COUNT
} ex_rule_t;

/* The rule's label ("decision", ...; "" for EX_RULE_NONE). */
const char *ex_rule_name(ex_rule_t r);

/* One stream entry's fields as Redis returned them (name, value, ...). */
typedef struct {
  const char *plan_json; /* the exact bytes of field "plan" */
  size_t plan_len;
  const char *mac; /* field "mac", NULL when absent */
  size_t mac_len;
  dg_plan_t plan; /* decoded */
} ex_entry_t;

/* fields[i]/lens[i], nfields names and values alternating. Returns
 * EX_RULE_NONE, or EX_RULE_MALFORMED with the reason in why. */
ex_rule_t ex_parse_entry(const char *const *fields, const size_t *lens,
                         size_t nfields, ex_entry_t *out, char *why,
                         size_t whylen);

/* What the rules before the exchange need besides the plan. */
typedef struct {
  const char *source;            /* configured Source */
  const dg_hmac_key_t *plan_key; /* NULL: none configured, rule auth skipped */
  const char *hold_key;          /* P:reconcile:hold:S for the plan's symbol */
  const char *hold_value; /* that key's value, NULL when it does not exist */
  const char *hold_sig;   /* P:reconcile:hold_sig:S, NULL when absent */
} ex_facts_t;

/* decision, source, auth, hold_key, reduce_only, type, reason, qty, and the
 * side's spelling (SELL or BUY). Rule hold_key also refuses a plan whose
 * drift is not the held one (hold_sig set and not the plan's signature:
 * the ledger or the exchange moved since the plan). */
ex_rule_t ex_check_plan(const ex_entry_t *e, const ex_facts_t *f, char *why,
                        size_t whylen);

/* mode: a plan's position_side must be the live mode's (BOTH when dual is
 * 0, LONG or SHORT when it is 1): a plan made under the old mode is
 * refused, the next poll decides under the new one. */
ex_rule_t ex_check_mode(const dg_plan_t *p, int dual, char *why, size_t whylen);

/* side (closes the live position of the plan's leg), stale (live == the plan's
 * exchange_amt) and qty bounded by the live position. */
ex_rule_t ex_check_position(const dg_plan_t *p, dg_dec_t live_amt, char *why,
                            size_t whylen);

#endif
