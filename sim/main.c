/* main.c - driftguard-exchange-sim: command line, venue, key file, start-up
 * and clean shutdown of the exchange simulator (SPEC section 8). */
#include "sim.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out) {
  fprintf(out,
          "Usage: driftguard-exchange-sim -l 127.0.0.1:PORT -k KEYFILE "
          "[OPTIONS]\n"
          "Simulates the REST endpoints driftguard's exchange drivers use,\n"
          "with an unsigned control API under /sim/ on the same port.\n\n"
          "  -x, --exchange VENUE       binance-usdm (default), bybit-linear "
          "or\n"
          "                             okx-swap\n"
          "  -l, --listen ADDR:PORT     IPv4 address and port (loopback "
          "only\n"
          "                             unless --allow-remote)\n"
          "  -k, --keyfile FILE         API key (line 1) and secret (line "
          "2);\n"
          "                             okx-swap: passphrase (line 3)\n"
          "  -s, --symbol SYM=STEP:MINQTY[:MAXQTY[:CTVAL]]\n"
          "                             market lot rules of a symbol "
          "(repeatable;\n"
          "                             okx-swap: contracts and the contract "
          "value)\n"
          "  -p, --mark SYM=PRICE       mark price (repeatable; default 100,\n"
          "                             BTC 50000, ETH 3000)\n"
          "  -w, --weight-limit N       Binance: IP weight per minute "
          "(2400);\n"
          "                             Bybit: IP requests per 5 s (600)\n"
          "  -r, --route-limit-factor N Bybit, OKX: each endpoint's "
          "documented\n"
          "                             per-key limit times N (1), for "
          "load tests\n"
          "  -m, --max-orders N         orders kept for queries (100000)\n"
          "      --allow-remote         accept a non-loopback -l address\n"
          "  -h, --help                 this help\n"
          "  -V, --version              version\n");
}

/* "127.0.0.1:PORT" into addr. 0, or -1 with a reason on stderr. */
static int parse_listen(const char *text, int allow_remote,
                        struct sockaddr_in *addr) {
  char host[64];
  const char *colon = strrchr(text, ':');
  char *end;
  long port;

  if (colon == NULL || (size_t)(colon - text) >= sizeof(host)) {
    fprintf(stderr, "driftguard-exchange-sim: -l wants ADDR:PORT, got '%s'\n",
            text);
    return -1;
  }
  snprintf(host, sizeof(host), "%.*s", (int)(colon - text), text);
  if (strcmp(host, "localhost") == 0)
    snprintf(host, sizeof(host), "127.0.0.1");
  errno = 0;
  port = strtol(colon + 1, &end, 10);
  memset(addr, 0, sizeof(*addr));
  addr->sin_family = AF_INET;
  if (errno != 0 || *end != '\0' || port < 1 || port > 65535 ||
      inet_pton(AF_INET, host, &addr->sin_addr) != 1) {
    fprintf(stderr,
            "driftguard-exchange-sim: -l '%s': need an IPv4 address and a "
            "port 1-65535\n",
            text);
    return -1;
  }
  addr->sin_port = htons((uint16_t)port);
  if ((ntohl(addr->sin_addr.s_addr) >> 24) != 127 && !allow_remote) {
    fprintf(stderr,
            "driftguard-exchange-sim: refusing non-loopback address %s (the "
            "control API is unauthenticated); pass --allow-remote to "
            "override\n",
            host);
    return -1;
  }
  return 0;
}

static int parse_count(const char *opt, const char *text, long min, long max,
                       long *out) {
  char *end;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (errno != 0 || *text == '\0' || *end != '\0' || v < min || v > max) {
    fprintf(stderr,
            "driftguard-exchange-sim: %s wants an integer %ld-%ld, got "
            "'%s'\n",
            opt, min, max, text);
    return -1;
  }
  *out = v;
  return 0;
}

/* "SYM=STEP:MINQTY[:MAXQTY[:CTVAL]]" */
static int apply_symbol(const char *text) {
  char buf[160], *eq, *colon, *colon2, *colon3 = NULL;
  dg_dec_t step, min_qty, max_qty = {INT64_C(100000000000)},
                          ct_val = {DG_DEC_SCALE};

  snprintf(buf, sizeof(buf), "%s", text);
  eq = strchr(buf, '=');
  colon = eq ? strchr(eq, ':') : NULL;
  if (colon == NULL)
    goto bad;
  *eq = *colon = '\0';
  colon2 = strchr(colon + 1, ':');
  if (colon2 != NULL && (colon3 = strchr(colon2 + 1, ':')) != NULL) {
    *colon3 = '\0';
    if (dg_dec_parse(colon3 + 1, &ct_val) != 0 || ct_val.units <= 0)
      goto bad;
  }
  if (colon2 != NULL) {
    *colon2 = '\0';
    if (dg_dec_parse(colon2 + 1, &max_qty) != 0 || max_qty.units <= 0)
      goto bad;
  }
  if (!sim_symbol_valid(buf) || dg_dec_parse(eq + 1, &step) != 0 ||
      step.units <= 0 || dg_dec_parse(colon + 1, &min_qty) != 0 ||
      min_qty.units <= 0 ||
      sim_state_config_symbol(buf, step, min_qty, max_qty, ct_val) != 0)
    goto bad;
  return 0;
bad:
  fprintf(stderr,
          "driftguard-exchange-sim: -s '%s': want "
          "SYMBOL=STEP:MINQTY[:MAXQTY[:CTVAL]] with SYMBOL like BTC%s and "
          "positive decimals\n",
          text, sim_config.venue->symbol_tail);
  return -1;
}

/* "SYM=PRICE" */
static int apply_mark(const char *text) {
  char buf[160], *eq;
  dg_dec_t price;
  snprintf(buf, sizeof(buf), "%s", text);
  eq = strchr(buf, '=');
  if (eq != NULL) {
    *eq = '\0';
    if (dg_dec_parse(eq + 1, &price) == 0 &&
        sim_state_set_mark(buf, price) == 0)
      return 0;
  }
  fprintf(stderr,
          "driftguard-exchange-sim: -p '%s': want SYMBOL=PRICE with a "
          "positive decimal price\n",
          text);
  return -1;
}

#define SIM_MAX_SYMBOL_ARGS 256

/* A -s or -p argument, applied in command-line order once the state exists. */
typedef struct {
  int opt;
  const char *value;
} symbol_arg_t;

/* The default symbols and marks, then every -s and -p. OKX's BTC and ETH
 * swaps trade in contracts of 0.01 BTC and 0.1 ETH, 0.01 contracts apart. */
static int apply_symbols(const symbol_arg_t *args, size_t n) {
  const char *tail = sim_config.venue->symbol_tail;
  int okx = sim_config.venue == &sim_venue_okx;
  const dg_dec_t step = {okx ? 1000000 : 100000}, max = {INT64_C(100000000000)};
  char btc[32], eth[32], text[64];

  snprintf(btc, sizeof(btc), "BTC%s", tail);
  snprintf(eth, sizeof(eth), "ETH%s", tail);
  if (sim_state_config_symbol(btc, step, step, max,
                              (dg_dec_t){okx ? 1000000 : DG_DEC_SCALE}) != 0 ||
      sim_state_config_symbol(eth, step, step, max,
                              (dg_dec_t){okx ? 10000000 : DG_DEC_SCALE}) != 0)
    return -1;
  snprintf(text, sizeof(text), "%s=50000", btc);
  if (apply_mark(text) != 0)
    return -1;
  snprintf(text, sizeof(text), "%s=3000", eth);
  if (apply_mark(text) != 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if ((args[i].opt == 's' ? apply_symbol(args[i].value)
                            : apply_mark(args[i].value)) != 0)
      return -1;
  return 0;
}

static const sim_venue_t *venue_named(const char *name) {
  static const sim_venue_t *const venues[] = {&sim_venue_binance,
                                              &sim_venue_bybit, &sim_venue_okx};
  for (size_t i = 0; i < sizeof(venues) / sizeof(venues[0]); i++)
    if (strcmp(venues[i]->name, name) == 0)
      return venues[i];
  fprintf(stderr,
          "driftguard-exchange-sim: --exchange '%s': want binance-usdm, "
          "bybit-linear or okx-swap\n",
          name);
  return NULL;
}

/* OKX's key file: API key, secret, passphrase. The library reads two
 * lines; the permissions check is the library's, the third line ours. */
static int read_okx_keyfile(const char *path, char *err, size_t errlen) {
  char buf[3 * DG_SECRET_MAX + 8], *line = buf, *out[3];
  size_t size[3] = {sizeof(sim_config.creds.api_key),
                    sizeof(sim_config.creds.secret),
                    sizeof(sim_config.passphrase)};
  FILE *f;
  size_t len;
  int rc = -1, i;

  out[0] = sim_config.creds.api_key;
  out[1] = sim_config.creds.secret;
  out[2] = sim_config.passphrase;
  if (dg_keyfile_check(path, err, errlen) != 0)
    return -1;
  if ((f = fopen(path, "r")) == NULL) {
    snprintf(err, errlen, "cannot open: %s", strerror(errno));
    return -1;
  }
  len = fread(buf, 1, sizeof(buf) - 1, f);
  fclose(f);
  buf[len] = '\0';
  for (i = 0; i < 3; i++) {
    size_t n = strcspn(line, "\n");
    const char *next = line[n] ? line + n + 1 : line + n;
    while (n > 0 && strchr(" \t\r", line[n - 1]) != NULL)
      n--;
    if (n == 0 || n >= size[i])
      break;
    memcpy(out[i], line, n);
    out[i][n] = '\0';
    line = (char *)next;
  }
  if (i == 3 && line[strspn(line, " \t\r\n")] == '\0')
    rc = 0;
  else
    snprintf(err, errlen,
             "okx-swap needs three non-empty lines: the API key, the secret, "
             "the passphrase");
  dg_secret_wipe(buf, sizeof(buf));
  return rc;
}

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"exchange", required_argument, NULL, 'x'},
      {"listen", required_argument, NULL, 'l'},
      {"keyfile", required_argument, NULL, 'k'},
      {"symbol", required_argument, NULL, 's'},
      {"mark", required_argument, NULL, 'p'},
      {"weight-limit", required_argument, NULL, 'w'},
      {"route-limit-factor", required_argument, NULL, 'r'},
      {"max-orders", required_argument, NULL, 'm'},
      {"allow-remote", no_argument, NULL, 'R'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  const char *listen = NULL, *keyfile = NULL;
  int allow_remote = 0, opt, rc;
  long weight = 0, max_orders = 100000, route_factor = 1;
  struct sockaddr_in addr;
  char err[256];
  symbol_arg_t symbol_args[SIM_MAX_SYMBOL_ARGS];
  size_t nsymbol_args = 0;

  while ((opt = getopt_long(argc, argv, "x:l:k:s:p:w:r:m:hV", longopts,
                            NULL)) != -1) {
    switch (opt) {
    case 'x':
      if ((sim_config.venue = venue_named(optarg)) == NULL)
        return 2;
      break;
    case 'l':
      listen = optarg;
      break;
    case 'k':
      keyfile = optarg;
      break;
    case 's':
    case 'p':
      if (nsymbol_args == SIM_MAX_SYMBOL_ARGS) {
        fprintf(stderr, "driftguard-exchange-sim: too many -s/-p options\n");
        return 2;
      }
      symbol_args[nsymbol_args++] = (symbol_arg_t){opt, optarg};
      break;
    case 'w':
      if (parse_count("-w", optarg, 1, 1000000000, &weight) != 0)
        return 2;
      break;
    case 'r':
      if (parse_count("-r", optarg, 1, 1000000, &route_factor) != 0)
        return 2;
      break;
    case 'm':
      if (parse_count("-m", optarg, 1, 10000000, &max_orders) != 0)
        return 2;
      break;
    case 'R':
      allow_remote = 1;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case 'V':
      printf("driftguard-exchange-sim %s\n", DG_VERSION);
      return 0;
    default:
      usage(stderr);
      return 2;
    }
  }
  if (sim_config.venue == NULL)
    sim_config.venue = &sim_venue_binance;
  if (optind != argc || listen == NULL || keyfile == NULL) {
    fprintf(stderr, "driftguard-exchange-sim: -l and -k are required\n");
    usage(stderr);
    return 2;
  }
  if (parse_listen(listen, allow_remote, &addr) != 0)
    return 2;
  sim_config.weight_limit =
      weight ? (int)weight : sim_config.venue->default_limit;
  sim_config.max_orders = (size_t)max_orders;
  sim_config.route_limit_factor = (int)route_factor;
  if ((sim_config.venue->key_lines == 3
           ? read_okx_keyfile(keyfile, err, sizeof(err))
           : dg_keyfile_read_credentials(keyfile, &sim_config.creds, err,
                                         sizeof(err))) != 0) {
    fprintf(stderr, "driftguard-exchange-sim: %s: %s\n", keyfile, err);
    return 1;
  }
  if (sim_state_init() != 0) {
    fprintf(stderr, "driftguard-exchange-sim: out of memory\n");
    return 1;
  }
  rc = apply_symbols(symbol_args, nsymbol_args) == 0 && sim_serve(&addr) == 0
           ? 0
           : 1;
  sim_state_free();
  sim_faults_free();
  sim_limits_free();
  dg_secret_wipe(&sim_config.creds, sizeof(sim_config.creds));
  dg_secret_wipe(sim_config.passphrase, sizeof(sim_config.passphrase));
  return rc;
}
