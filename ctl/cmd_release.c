/* cmd_release.c - `driftguard-ctl release SYMBOL [--force]`: the operator's
 * manual HOLD release.
 *
 * Normally the plugin releases a HOLD once a fresh poll shows no drift.
 * This command does the same check itself (a fresh exchange position, the
 * ledger, the step size) and refuses while the drift persists or cannot be
 * verified, unless --force. The three HOLD keys go in one script that
 * also makes sure the HOLD is still the one that was checked. Every
 * release leaves an audit line on stderr and in syslog. */
#include "ctl.h"

#include "driftguard/plan.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* KEYS: hold, hold_reason, hold_sig. ARGV[1] '1': delete only while
 * hold_sig is still ARGV[2] ('' = absent), else return -1. Returns the
 * number of keys deleted. */
static const char release_script[] =
    "if ARGV[1] == '1' and (redis.call('GET', KEYS[3]) or '') ~= ARGV[2] "
    "then return -1 end\n"
    "return redis.call('DEL', KEYS[1], KEYS[2], KEYS[3])\n";

/* What the release found and did, for the output and the audit line. */
typedef struct {
  const char *symbol;
  int verified; /* exchange and ledger were read */
  dg_dec_t ex_amt, step, diff;
  dg_drift_kind_t kind;
  char why_unverified[512];
  ctl_symbol_state_t st;
  long long deleted;
} release_t;

/* Who asked: the sudo caller first, then the login user (the audit line
 * also carries the real uid, which the environment cannot change). Only
 * name characters pass, so the line cannot be forged through them. */
static void operator_name(char *out, size_t size) {
  const char *u = getenv("SUDO_USER");
  size_t n = 0;
  if (u == NULL || *u == '\0')
    u = getenv("USER");
  if (u == NULL || *u == '\0') {
    const struct passwd *pw = getpwuid(getuid());
    u = pw != NULL ? pw->pw_name : "unknown";
  }
  for (; *u != '\0' && n + 1 < size; u++, n++)
    out[n] = (strchr("-._@", *u) != NULL || (*u >= 'a' && *u <= 'z') ||
              (*u >= 'A' && *u <= 'Z') || (*u >= '0' && *u <= '9'))
                 ? *u
                 : '_';
  out[n] = '\0';
}

/* Fresh exchange position and ledger: is the drift gone? */
static void verify(ctl_t *c, release_t *r) {
  dg_drift_t d;
  if (r->st.ledger_state < 0) {
    snprintf(r->why_unverified, sizeof(r->why_unverified),
             "ledger unusable (not an exact decimal): %s", r->st.ledger_raw);
    return;
  }
  if (ctl_fresh_position(c, r->symbol, &r->ex_amt, &r->step, r->why_unverified,
                         sizeof(r->why_unverified)) != 0)
    return;
  /* A missing entry is "ledger unknown", as the plugin reads it: only a
   * flat exchange leaves nothing to protect. */
  if (r->st.ledger_state == 0 && !dg_dec_is_zero(r->ex_amt)) {
    snprintf(r->why_unverified, sizeof(r->why_unverified),
             "the ledger has no entry for %s (ledger unknown, never flat): "
             "have the trading system rewrite it (runbook: Ledger lost)",
             r->symbol);
    return;
  }
  if (dg_dec_sub(r->ex_amt, r->st.ledger, &r->diff) != 0 ||
      dg_drift_compute(r->ex_amt, r->st.ledger, r->step, &d) != 0) {
    snprintf(r->why_unverified, sizeof(r->why_unverified),
             "drift not computable from the amounts and step size");
    return;
  }
  r->kind = d.kind;
  r->verified = 1;
}

static void dec_text(dg_dec_t d, int known, char *buf) {
  if (known)
    dg_dec_format(d, buf, DG_DEC_STRLEN);
  else
    snprintf(buf, DG_DEC_STRLEN, "unknown");
}

static void audit(const ctl_t *c, const release_t *r) {
  char user[64], drift[DG_DEC_STRLEN], ex[DG_DEC_STRLEN], led[DG_DEC_STRLEN];
  char line[512];
  operator_name(user, sizeof(user));
  dec_text(r->diff, r->verified, drift);
  dec_text(r->ex_amt, r->verified, ex);
  dec_text(r->st.ledger, r->st.ledger_state >= 0, led);
  snprintf(line, sizeof(line),
           "[RECONCILE_HOLD_RELEASE_AUDIT] symbol=%s forced=%s user=%s "
           "drift=%s exchange_amt=%s ledger_amt=%s hold_sig=%s "
           "keys_deleted=%lld uid=%u",
           r->symbol, c->opts->force ? "true" : "false", user, drift, ex, led,
           r->st.hold.sig[0] ? r->st.hold.sig : "-", r->deleted,
           (unsigned)getuid());
  fprintf(stderr, "%s\n", line);
  openlog("driftguard-ctl", LOG_PID, LOG_AUTH);
  syslog(LOG_NOTICE, "%s", line);
  closelog();
}

/* Run the release script. Returns 0, -1 with a reason. */
static int delete_hold(ctl_t *c, release_t *r, char *err, size_t errlen) {
  char hold[DG_KEY_MAX], reason[DG_KEY_MAX], sig[DG_KEY_MAX];
  const char *prefix = c->conf.file.key_prefix;
  redisReply *reply;
  if (dg_key_hold(hold, sizeof(hold), prefix, r->symbol) < 0 ||
      dg_key_hold_reason(reason, sizeof(reason), prefix, r->symbol) < 0 ||
      dg_key_hold_sig(sig, sizeof(sig), prefix, r->symbol) < 0) {
    snprintf(err, errlen, "KeyPrefix too long");
    return -1;
  }
  reply = dg_redis_command(c->redis, "EVAL %s 3 %s %s %s %s %s", release_script,
                           hold, reason, sig, c->opts->force ? "0" : "1",
                           r->st.hold.sig);
  if (reply == NULL) {
    snprintf(err, errlen, "%s", dg_redis_last_error(c->redis));
    return -1;
  }
  if (reply->type != REDIS_REPLY_INTEGER) {
    snprintf(err, errlen, "redis: release script: %s",
             reply->type == REDIS_REPLY_ERROR ? reply->str
                                              : "unexpected reply");
    freeReplyObject(reply);
    return -1;
  }
  r->deleted = reply->integer;
  freeReplyObject(reply);
  if (r->deleted < 0) {
    snprintf(err, errlen,
             "the HOLD of %s changed while it was checked (new drift "
             "signature); nothing released, run the command again",
             r->symbol);
    return -1;
  }
  return 0;
}

/* The outcome: a JSON document with --json, else one line of text; a
 * refusal or an error also goes to stderr. */
static void report(const ctl_t *c, const release_t *r, int released, int failed,
                   const char *message) {
  json_object *doc;
  if (failed)
    fprintf(stderr, "driftguard-ctl: %s\n", message);
  if (!c->opts->json) {
    if (!failed)
      printf("%s\n", message);
    return;
  }
  doc = json_object_new_object();
  json_object_object_add(doc, "symbol", json_object_new_string(r->symbol));
  json_object_object_add(doc, "released", json_object_new_boolean(released));
  json_object_object_add(doc, "forced",
                         json_object_new_boolean(c->opts->force));
  json_object_object_add(doc, "verified", json_object_new_boolean(r->verified));
  json_object_object_add(doc, "exchange_amt",
                         r->verified ? ctl_json_dec(r->ex_amt) : NULL);
  json_object_object_add(doc, "ledger_amt",
                         r->st.ledger_state >= 0 ? ctl_json_dec(r->st.ledger)
                                                 : NULL);
  json_object_object_add(doc, "step",
                         r->verified ? ctl_json_dec(r->step) : NULL);
  json_object_object_add(doc, "drift",
                         r->verified ? ctl_json_dec(r->diff) : NULL);
  json_object_object_add(
      doc, "drift_persists",
      r->verified ? json_object_new_boolean(r->kind != DG_DRIFT_NONE) : NULL);
  json_object_object_add(
      doc, "hold_sig",
      r->st.hold.sig[0] ? json_object_new_string(r->st.hold.sig) : NULL);
  json_object_object_add(doc, "keys_deleted",
                         json_object_new_int64(r->deleted));
  json_object_object_add(doc, "message", json_object_new_string(message));
  ctl_print_json(doc);
  json_object_put(doc);
}

int ctl_cmd_release(ctl_t *c) {
  release_t r = {0};
  char err[1024], msg[1400], d[DG_DEC_STRLEN], s[DG_DEC_STRLEN];
  r.symbol = c->opts->args[0];
  if (!dg_symbol_valid(r.symbol, strlen(r.symbol))) {
    fprintf(stderr, "driftguard-ctl: '%s' is not a symbol (A-Z and 0-9 only)\n",
            r.symbol);
    return CTL_EXIT_USAGE;
  }
  if (ctl_redis_connect(c, err, sizeof(err)) != 0 ||
      ctl_read_symbol(c, r.symbol, &r.st, err, sizeof(err)) != 0)
    return ctl_fail(c, CTL_EXIT_FAIL, err);
  if (!r.st.hold.active && r.st.hold.reason[0] == '\0' &&
      r.st.hold.sig[0] == '\0') {
    snprintf(msg, sizeof(msg), "%s has no HOLD: nothing to release", r.symbol);
    report(c, &r, 0, 0, msg);
    return CTL_EXIT_OK;
  }
  verify(c, &r);
  if (!c->opts->force && !r.verified) {
    snprintf(msg, sizeof(msg),
             "refusing to release %s: cannot verify the drift is gone (%s); "
             "--force releases anyway",
             r.symbol, r.why_unverified);
    report(c, &r, 0, 1, msg);
    return CTL_EXIT_FAIL;
  }
  if (!c->opts->force && r.kind != DG_DRIFT_NONE) {
    dg_dec_format(r.diff, d, sizeof(d));
    dg_dec_format(r.step, s, sizeof(s));
    snprintf(msg, sizeof(msg),
             "refusing to release %s: the drift persists (exchange - ledger "
             "= %s, step %s); %s; --force releases anyway",
             r.symbol, d, s,
             r.kind == DG_DRIFT_CLOSE
                 ? "driftguard closes it with one reduce-only order and "
                   "releases the HOLD itself (if it does not, driftguard-ctl "
                   "status shows whether plans wait for an executor or "
                   "failed)"
                 : "driftguard will not close it: no reduce-only order "
                   "fixes it (the ledger holds more than the exchange); a "
                   "human decides: correct the ledger or the exchange "
                   "position, and the next poll releases the HOLD");
    report(c, &r, 0, 1, msg);
    return CTL_EXIT_REFUSED;
  }
  if (delete_hold(c, &r, err, sizeof(err)) != 0) {
    report(c, &r, 0, 1, err);
    return CTL_EXIT_FAIL;
  }
  audit(c, &r);
  snprintf(msg, sizeof(msg), "released the HOLD of %s%s", r.symbol,
           r.verified && r.kind != DG_DRIFT_NONE
               ? " while drift persists: the plugin sets it again if its "
                 "next polls still see the drift"
               : "");
  report(c, &r, 1, 0, msg);
  return CTL_EXIT_OK;
}
