/* exchange_probe - run one exchange.h call and print its result as one
 * key=value line, for the shell integration tests:
 *
 *   exchange_probe [-x EXCHANGE] -u URL -k KEYFILE [-t TIMEOUT_MS]
 *                  [-w RECV_WINDOW_MS] COMMAND [ARGS]
 *
 * EXCHANGE: a driver name (default binance-usdm).
 * COMMAND: time | positions [SYMBOL] | rules SYMBOL | dual [SYMBOL] |
 *          close SYMBOL SIDE QTY CLIENT_ID [LEG] | query SYMBOL CLIENT_ID
 * A position prints as SYMBOL=AMT (one-way) or SYMBOL:LEG=AMT (hedge).
 * Several commands may be chained with "--" to use one handle (keep-alive,
 * caches). Output per command: status=NAME reason=NAME http=N code=N weight=N
 * retry_after_ms=N ban_until_ms=N, the call's own fields, then msg="...".
 * Exits 0 when every call returned DG_EX_OK, 1 otherwise, 2 on misuse. */
#include "driftguard/exchange.h"
#include "driftguard/keyfile.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Noreturn static void usage(void) {
  fprintf(stderr, "usage: exchange_probe [-x EXCHANGE] -u URL -k KEYFILE "
                  "[-t MS] [-w MS] COMMAND [ARGS] [-- COMMAND [ARGS]]...\n");
  exit(2);
}

/* The call's own fields, printed after the common ones. */
static char fields[16384]; /* 250 positions and more */

__attribute__((format(printf, 1, 2))) static void field(const char *fmt, ...) {
  size_t len = strlen(fields);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(fields + len, sizeof(fields) - len, fmt, ap);
  va_end(ap);
}

static void field_dec(const char *key, dg_dec_t d) {
  char buf[DG_DEC_STRLEN];
  dg_dec_format(d, buf, sizeof(buf));
  field(" %s=%s", key, buf);
}

static void field_order(const dg_order_t *o) {
  field(" order_id=%s client_order_id=%s order_status=%s side=%s", o->order_id,
        o->client_order_id, o->status, o->side);
  field_dec("orig_qty", o->orig_qty);
  field_dec("executed_qty", o->executed_qty);
  field(" reduce_only=%d", o->reduce_only);
}

/* Runs argv[0..argc) as one command; returns its status. */
static dg_ex_status_t run(dg_exchange_t *ex, int argc, char **argv) {
  dg_ex_result_t res;
  dg_ex_status_t st;
  const char *cmd = argv[0];

  fields[0] = '\0';
  if (strcmp(cmd, "time") == 0 && argc == 1) {
    st = dg_exchange_sync_time(ex, &res);
    field(" offset_ms=%" PRId64, dg_exchange_time_offset_ms(ex));
  } else if (strcmp(cmd, "positions") == 0 && argc <= 2) {
    dg_position_t *p = NULL;
    size_t n = 0;
    st = dg_exchange_positions(ex, argc == 2 ? argv[1] : NULL, &p, &n, &res);
    field(" count=%zu", n);
    for (size_t i = 0; i < n; i++) {
      char key[DG_SYMBOL_MAX + 8];
      if (p[i].leg == DG_LEG_BOTH)
        snprintf(key, sizeof key, "%s", p[i].symbol);
      else
        snprintf(key, sizeof key, "%s:%s", p[i].symbol, dg_leg_name(p[i].leg));
      field_dec(key, p[i].amt);
    }
    free(p);
  } else if (strcmp(cmd, "rules") == 0 && argc == 2) {
    dg_symbol_rules_t r;
    st = dg_exchange_symbol_rules(ex, argv[1], &r, &res);
    if (st == DG_EX_OK) {
      field_dec("step", r.step);
      field_dec("min_qty", r.min_qty);
      field_dec("max_qty", r.max_qty);
      field(" in_contracts=%d", r.in_contracts);
      field_dec("contract_value", r.contract_value);
    }
  } else if (strcmp(cmd, "dual") == 0 && argc <= 2) {
    int dual = -1;
    st = dg_exchange_hedge_mode(ex, argc == 2 ? argv[1] : NULL, &dual, &res);
    field(" dual=%d", dual);
  } else if (strcmp(cmd, "close") == 0 && (argc == 5 || argc == 6)) {
    dg_order_t o;
    dg_dec_t qty;
    dg_leg_t leg = DG_LEG_BOTH;
    if (dg_dec_parse(argv[3], &qty) != 0 ||
        (argc == 6 && dg_leg_parse(argv[5], &leg) != 0))
      usage();
    st = dg_exchange_place_close(ex, argv[1], argv[2], leg, qty, argv[4], &o,
                                 &res);
    if (st == DG_EX_OK)
      field_order(&o);
  } else if (strcmp(cmd, "query") == 0 && argc == 3) {
    dg_order_t o;
    st = dg_exchange_query_order(ex, argv[1], argv[2], &o, &res);
    if (st == DG_EX_OK)
      field_order(&o);
  } else {
    usage();
  }
  printf("status=%s reason=%s http=%d code=%d weight=%d retry_after_ms=%" PRId64
         " ban_until_ms=%" PRId64 "%s msg=\"%s\"\n",
         dg_ex_status_name(st), dg_ex_reason_name(res.reason), res.http_status,
         res.code, res.rate_used, res.retry_after_ms, res.ban_until_ms, fields,
         res.msg);
  fflush(stdout);
  return st;
}

int main(int argc, char **argv) {
  const char *url = NULL, *keyfile = NULL, *exchange = "binance-usdm";
  dg_exchange_opts_t opts = {0};
  dg_api_credentials_t cred;
  dg_exchange_t *ex;
  char err[256];
  int opt, failed = 0;

  while ((opt = getopt(argc, argv, "+x:u:k:t:w:")) != -1) {
    switch (opt) {
    case 'x':
      exchange = optarg;
      break;
    case 'u':
      url = optarg;
      break;
    case 'k':
      keyfile = optarg;
      break;
    case 't':
      opts.timeout_ms = atol(optarg);
      break;
    case 'w':
      opts.recv_window_ms = atol(optarg);
      break;
    default:
      usage();
    }
  }
  if (url == NULL || keyfile == NULL || optind >= argc)
    usage();
  if (dg_keyfile_read_credentials(keyfile, &cred, err, sizeof(err)) != 0) {
    fprintf(stderr, "exchange_probe: %s\n", err);
    return 2;
  }
  opts.url = url;
  opts.api_key = cred.api_key;
  opts.api_secret = cred.secret;
  opts.api_passphrase = cred.passphrase;
  if (dg_exchange_global_init() != 0) {
    fprintf(stderr, "exchange_probe: HTTP initialisation failed\n");
    return 2;
  }
  ex = dg_exchange_new(exchange, &opts, err, sizeof(err));
  dg_secret_wipe(&cred, sizeof(cred));
  if (ex == NULL) {
    fprintf(stderr, "exchange_probe: %s\n", err);
    dg_exchange_global_cleanup();
    return 2;
  }
  for (int i = optind; i < argc;) {
    int end = i;
    while (end < argc && strcmp(argv[end], "--") != 0)
      end++;
    if (end == i)
      usage();
    if (run(ex, end - i, argv + i) != DG_EX_OK)
      failed = 1;
    i = end + 1;
  }
  dg_exchange_free(ex);
  dg_exchange_global_cleanup();
  return failed;
}
