/* main.c - driftguard-ctl: the operator's tool. Parses the command line,
 * loads the executor's config file and runs one command; see --help for
 * the commands and the exit codes scripts rely on. */
#include "ctl.h"

#include "driftguard/keyfile.h"
#include "driftguard/secret.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CTL_DEFAULT_RESULTS 20
#define CTL_MAX_RESULTS 10000

static void usage(FILE *f) {
  fprintf(
      f,
      "Usage: driftguard-ctl [OPTIONS] COMMAND [ARGS]\n"
      "\n"
      "Inspect and operate driftguard for the account of the executor's\n"
      "config file.\n"
      "\n"
      "Commands:\n"
      "  check                 config, key file permissions, Redis, exchange\n"
      "                        reachability and clock offset, API key rights,\n"
      "                        one-way position mode, shared exchange ban;\n"
      "                        one line per check: OK, WARN, FAIL or SKIP\n"
      "  status [SYMBOL...]    per symbol: exchange and ledger amounts, "
      "drift,\n"
      "                        HOLD and its TTL, last plan, last result\n"
      "                        (default: every symbol with a HOLD, a position\n"
      "                        or a ledger entry)\n"
      "  holds                 every active HOLD: TTL, reason, signature\n"
      "  results [-n N]        the last N executor results (default %d)\n"
      "  release SYMBOL [--force]\n"
      "                        delete SYMBOL's HOLD once a fresh exchange "
      "read\n"
      "                        and the ledger show no drift; --force releases\n"
      "                        even while drift persists. Writes an audit "
      "line\n"
      "                        to stderr and syslog.\n"
      "\n"
      "Options:\n"
      "  -C, --config FILE     executor config (default %s)\n"
      "  -j, --json            one JSON document on stdout instead of a table\n"
      "      --ledger-key PAT  ledger hash, {symbol} replaced\n"
      "                        (default KeyPrefix:ledger:{symbol})\n"
      "      --ledger-field F  ledger hash field (default %s)\n"
      "  -n, --count N         results: how many entries\n"
      "  -f, --force           release: even while drift persists\n"
      "  -h, --help            this help\n"
      "  -V, --version         the version\n"
      "\n"
      "Exit codes:\n"
      "  0  success (check: every check OK or WARN)\n"
      "  1  a check FAILed, or Redis or the exchange could not be read\n"
      "  2  usage error, or the config file is missing or malformed\n"
      "  3  release refused: the drift persists (use --force to override)\n",
      CTL_DEFAULT_RESULTS, CTL_DEFAULT_CONFIG, CTL_DEFAULT_LEDGER_FIELD);
}

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "driftguard-ctl: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'driftguard-ctl --help'.\n");
  return CTL_EXIT_USAGE;
}

typedef struct {
  const char *name;
  int (*run)(ctl_t *c);
  int min_args, max_args; /* -1: any number */
  int takes_count, takes_force;
} command_t;

static const command_t commands[] = {
    {"check", ctl_cmd_check, 0, 0, 0, 0},
    {"status", ctl_cmd_status, 0, -1, 0, 0},
    {"holds", ctl_cmd_holds, 0, 0, 0, 0},
    {"results", ctl_cmd_results, 0, 0, 1, 0},
    {"release", ctl_cmd_release, 1, 1, 0, 1},
};

int main(int argc, char **argv) {
  static const struct option longopts[] = {
      {"config", required_argument, NULL, 'C'},
      {"json", no_argument, NULL, 'j'},
      {"ledger-key", required_argument, NULL, 'K'},
      {"ledger-field", required_argument, NULL, 'F'},
      {"count", required_argument, NULL, 'n'},
      {"force", no_argument, NULL, 'f'},
      {"help", no_argument, NULL, 'h'},
      {"version", no_argument, NULL, 'V'},
      {NULL, 0, NULL, 0}};
  ctl_opts_t o = {0};
  ctl_t c = {0};
  const command_t *cmd = NULL;
  const char *ledger_key = NULL, *count = NULL;
  char err[1024];
  int opt, rc, conf_ok;

  /* It reads the key files: no core dump may hold them. */
  if (dg_secret_no_dump() != 0) {
    fprintf(stderr, "driftguard-ctl: cannot disable core dumps\n");
    return 2;
  }
  o.config_path = CTL_DEFAULT_CONFIG;
  o.ledger_field = CTL_DEFAULT_LEDGER_FIELD;
  o.count = CTL_DEFAULT_RESULTS;
  while ((opt = getopt_long(argc, argv, "C:jn:fhV", longopts, NULL)) != -1) {
    switch (opt) {
    case 'C':
      o.config_path = optarg;
      break;
    case 'j':
      o.json = 1;
      break;
    case 'K':
      ledger_key = optarg;
      break;
    case 'F':
      o.ledger_field = optarg;
      break;
    case 'n':
      count = optarg;
      break;
    case 'f':
      o.force = 1;
      break;
    case 'h':
      usage(stdout);
      return CTL_EXIT_OK;
    case 'V':
      printf("driftguard-ctl %s\n", DG_VERSION);
      return CTL_EXIT_OK;
    default:
      fprintf(stderr, "Try 'driftguard-ctl --help'.\n");
      return CTL_EXIT_USAGE;
    }
  }
  if (optind >= argc)
    return usage_error("%s", "no command given");
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
    if (strcmp(commands[i].name, argv[optind]) == 0)
      cmd = &commands[i];
  if (cmd == NULL)
    return usage_error("unknown command '%s'", argv[optind]);
  o.args = argv + optind + 1;
  o.nargs = argc - optind - 1;
  if (o.nargs < cmd->min_args ||
      (cmd->max_args >= 0 && o.nargs > cmd->max_args))
    return usage_error("wrong number of arguments for '%s'", cmd->name);
  if (count != NULL) {
    char *end;
    if (!cmd->takes_count)
      return usage_error("-n is for 'results', not '%s'", cmd->name);
    o.count = strtol(count, &end, 10);
    if (*count == '\0' || *end != '\0' || o.count < 1 ||
        o.count > CTL_MAX_RESULTS)
      return usage_error("-n wants a number from 1 to 10000, not '%s'", count);
  }
  if (o.force && !cmd->takes_force)
    return usage_error("--force is for 'release', not '%s'", cmd->name);
  if (ledger_key != NULL && (strstr(ledger_key, "{symbol}") == NULL ||
                             strlen(ledger_key) >= sizeof(o.ledger_key)))
    return usage_error("--ledger-key '%s' needs {symbol} and at most 255 "
                       "characters",
                       ledger_key);
  if (o.ledger_field[0] == '\0')
    return usage_error("%s", "--ledger-field must not be empty");

  /* The key files named in executor.conf are the executor's: judge them as
   * the service user will read them, even when root runs this. */
  dg_keyfile_judge_for_service();
  c.opts = &o;
  conf_ok = ctl_conf_load(o.config_path, &c.conf, err, sizeof(err)) == 0;
  if (!conf_ok && cmd->run != ctl_cmd_check)
    return ctl_fail(&c, CTL_EXIT_USAGE, err);
  if (ledger_key != NULL)
    snprintf(o.ledger_key, sizeof(o.ledger_key), "%s", ledger_key);
  else
    dg_key_ledger_default(o.ledger_key, sizeof(o.ledger_key),
                          c.conf.file.key_prefix);
  if (!conf_ok) /* check reports the config error as its first line */
    return ctl_check_config_failed(&c, err);

  if (dg_exchange_global_init() != 0) {
    fprintf(stderr, "driftguard-ctl: cannot initialise the HTTP stack\n");
    return CTL_EXIT_FAIL;
  }
  rc = cmd->run(&c);
  ctl_close(&c);
  dg_exchange_global_cleanup();
  return rc;
}
