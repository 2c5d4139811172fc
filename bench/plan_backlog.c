/* plan_backlog.c - writes a backlog of RECONCILE_CLOSE plans as Redis
 * protocol for `redis-cli --pipe`, for bench/executor_throughput.sh.
 *
 *   dg-bench-plans CLASS COUNT PLAN_KEY_FILE POSITIONS_OUT
 *
 * CLASS is one of
 *   reject     plans for symbols with no HOLD (rule hold_key),
 *   duplicate  replays of 1,000 plans whose dedupe record is already final,
 *   valid      one close per symbol, with its HOLD keys; the position each
 *              plan closes is written to POSITIONS_OUT as the simulator's
 *              POST /sim/positions JSON,
 *   mixed      2% valid, the rest half duplicates, half rejects.
 * Plans are built, encoded and signed with the plugin's own library
 * functions (plan.h), so the executor sees exactly what the plugin sends.
 * The consumer group must exist (at 0) before the backlog is loaded. */
#include "driftguard/keyfile.h"
#include "driftguard/keys.h"
#include "driftguard/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX DG_DEFAULT_PREFIX
#define DUPLICATE_PLANS 1000
#define VALID_EVERY 50 /* mixed: one valid close in 50 */
#define VALID_AMT "0.005"
#define BASE_MS INT64_C(1769379791000)

typedef enum { CLASS_REJECT, CLASS_DUPLICATE, CLASS_VALID } plan_class_t;

static dg_hmac_key_t *plan_key;

/* One command as a RESP array of bulk strings. */
static void resp(int argc, const char *const *argv) {
  printf("*%d\r\n", argc);
  for (int i = 0; i < argc; i++)
    printf("$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
}

/* A plan closing `amt` (ledger flat) on symbol, unique by seq. */
static int make_plan(const char *symbol, const char *amt, long seq,
                     dg_plan_t *p, char *json, size_t size, char mac[65]) {
  dg_dec_t ex_amt, step = {100000}; /* 0.001 */
  dg_drift_t d;
  int len;
  if (dg_dec_parse(amt, &ex_amt) != 0 ||
      dg_drift_compute(ex_amt, DG_DEC_ZERO, step, &d) != 0 ||
      dg_plan_build(p, PREFIX, DG_DEFAULT_SOURCE, symbol, &d, ex_amt,
                    DG_DEC_ZERO, BASE_MS + seq * 1000, 1) != 0 ||
      (len = dg_plan_encode(p, json, size)) < 0 ||
      dg_plan_mac(plan_key, json, (size_t)len, mac) != 0)
    return -1;
  return 0;
}

static int emit(plan_class_t cls, long i, FILE *positions, long *valid_n) {
  char symbol[DG_SYMBOL_MAX], json[DG_PLAN_MAX_BYTES], mac[65], stream[64];
  char key[DG_KEY_MAX];
  dg_plan_t p;
  const char *amt = VALID_AMT;
  long seq = i;
  if (cls == CLASS_REJECT)
    snprintf(symbol, sizeof symbol, "R%06ldUSDT", i);
  else if (cls == CLASS_DUPLICATE) {
    seq = i % DUPLICATE_PLANS;
    snprintf(symbol, sizeof symbol, "D%06ldUSDT", seq);
  } else
    snprintf(symbol, sizeof symbol, "V%06ldUSDT", i);
  if (make_plan(symbol, amt, seq, &p, json, sizeof json, mac) != 0)
    return -1;
  dg_key_plan_stream(stream, sizeof stream, PREFIX);

  if (cls == CLASS_DUPLICATE && i < DUPLICATE_PLANS) {
    dg_key_dedupe(key, sizeof key, PREFIX, p.plan_id);
    resp(5, (const char *[]){"SET", key,
                             "{\"state\":\"final\",\"status\":\"EXECUTED\","
                             "\"order_id\":1,\"executed_qty\":\"0.005\","
                             "\"consumer\":\"bench\",\"ts\":1,\"sent_ts\":1}",
                             "EX", "86400"});
  }
  if (cls == CLASS_VALID) {
    const char *values[3] = {"1", DG_HOLD_REASON, p.signature};
    int (*const keyfn[3])(char *, size_t, const char *, const char *) = {
        dg_key_hold, dg_key_hold_reason, dg_key_hold_sig};
    for (int k = 0; k < 3; k++) {
      keyfn[k](key, sizeof key, PREFIX, symbol);
      resp(5, (const char *[]){"SET", key, values[k], "EX", "3600"});
    }
    fprintf(positions, "%s\"%s\":\"%s\"", (*valid_n)++ ? "," : "", symbol, amt);
  }
  resp(7, (const char *[]){"XADD", stream, "*", "plan", json, "mac", mac});
  return 0;
}

int main(int argc, char **argv) {
  char why[256];
  long count, valid_n = 0;
  FILE *positions;
  if (argc != 5 || (count = atol(argv[2])) <= 0) {
    fprintf(stderr,
            "usage: %s reject|duplicate|valid|mixed COUNT "
            "PLAN_KEY_FILE POSITIONS_OUT\n",
            argv[0]);
    return 2;
  }
  const char *cls = argv[1];
  if (strcmp(cls, "reject") != 0 && strcmp(cls, "duplicate") != 0 &&
      strcmp(cls, "valid") != 0 && strcmp(cls, "mixed") != 0) {
    fprintf(stderr, "%s: unknown class %s\n", argv[0], cls);
    return 2;
  }
  if ((plan_key = dg_keyfile_read_hmac_key(argv[3], why, sizeof why)) == NULL) {
    fprintf(stderr, "%s: %s\n", argv[0], why);
    return 1;
  }
  if ((positions = fopen(argv[4], "w")) == NULL) {
    perror(argv[4]);
    return 1;
  }
  fputc('{', positions);
  for (long i = 0; i < count; i++) {
    plan_class_t c = strcmp(cls, "reject") == 0      ? CLASS_REJECT
                     : strcmp(cls, "duplicate") == 0 ? CLASS_DUPLICATE
                     : strcmp(cls, "valid") == 0     ? CLASS_VALID
                     : i % VALID_EVERY == 0          ? CLASS_VALID
                     : i % 2 == 0                    ? CLASS_DUPLICATE
                                                     : CLASS_REJECT;
    if (emit(c, i, positions, &valid_n) != 0) {
      fprintf(stderr, "%s: cannot build plan %ld\n", argv[0], i);
      return 1;
    }
  }
  fputs("}\n", positions);
  dg_hmac_key_free(plan_key);
  return fclose(positions) == 0 && fflush(stdout) == 0 ? 0 : 1;
}
