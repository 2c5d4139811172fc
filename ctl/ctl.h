/* ctl.h - private to driftguard-ctl: the operator's view of one account.
 *
 * main.c parses the command line and dispatches; config.c reads the
 * executor's config file; session.c opens Redis and the exchange and reads
 * the shared state (HOLDs, ledger, ban) every command needs; output.c
 * prints one JSON document or a table from the same data; cmd_*.c are the
 * commands. */
#ifndef DRIFTGUARD_CTL_H
#define DRIFTGUARD_CTL_H

#include "driftguard/decimal.h"
#include "driftguard/drift.h"
#include "driftguard/exchange.h"
#include "driftguard/executor_conf.h"
#include "driftguard/keys.h"
#include "driftguard/redis.h"

#include <json-c/json.h>
#include <stdint.h>

/* Exit codes, documented in --help and the man page. */
enum {
  CTL_EXIT_OK = 0,
  CTL_EXIT_FAIL = 1,    /* a check failed, or Redis/the exchange failed */
  CTL_EXIT_USAGE = 2,   /* bad command line or config file */
  CTL_EXIT_REFUSED = 3, /* release refused: the drift persists */
};

#define CTL_DEFAULT_CONFIG SYSCONFDIR "/driftguard/executor.conf"
#define CTL_DEFAULT_LEDGER_FIELD "position_amt"
#define CTL_PATH_MAX 4096
#define CTL_TEXT_MAX 512

/* The executor's config file (SPEC section 8), read and checked by
 * libdriftguard's executor_conf.h exactly as the executor reads it. */
typedef struct {
  char path[CTL_PATH_MAX];
  dg_executor_conf_t file;
} ctl_conf_t;

/* Reads and validates PATH. Returns 0, -1 with "FILE:LINE: reason". */
int ctl_conf_load(const char *path, ctl_conf_t *c, char *err, size_t errlen);

/* The command line, after parsing. */
typedef struct {
  const char *config_path;
  int json;
  char ledger_key[DG_KEY_MAX]; /* pattern with "{symbol}" */
  const char *ledger_field;
  long count; /* results -n */
  int force;  /* release --force */
  int nargs;  /* operands after the command */
  char **args;
} ctl_opts_t;

/* One command's run: options, config and the connections it opened. */
typedef struct {
  const ctl_opts_t *opts;
  ctl_conf_t conf;
  dg_redis_t *redis;
  dg_exchange_t *ex;
} ctl_t;

/* --- session.c ----------------------------------------------------------- */

int64_t ctl_now_ms(void);
/* Connect to Redis (RedisPasswordFile read on first use); -1 with a
 * reason. */
int ctl_redis_connect(ctl_t *c, char *err, size_t errlen);
/* Open the exchange handle with the KeyFile's credentials (no request). */
int ctl_exchange_open(ctl_t *c, char *err, size_t errlen);
/* 0 when the exchange may be called now; -1 with a reason (a shared ban is
 * active, or Redis could not tell). */
int ctl_exchange_allowed(ctl_t *c, char *err, size_t errlen);
/* The shared ban's end (ms epoch), 0 when none. Returns 0, -1 with a
 * reason. */
int ctl_ban_until(ctl_t *c, int64_t *until_ms, char *err, size_t errlen);
/* After a failed exchange call: share a 418/429 back-off with the plugin
 * and the executor, and describe the failure in err. */
void ctl_exchange_failed(ctl_t *c, const char *what, const dg_ex_result_t *res,
                         char *err, size_t errlen);
void ctl_close(ctl_t *c);

/* The ledger hash of a symbol (the --ledger-key pattern). -1 if too long. */
int ctl_ledger_key(const ctl_t *c, const char *symbol, char *buf, size_t size);

/* One symbol's HOLD as stored in Redis. */
typedef struct {
  int active;      /* P:reconcile:hold:S exists */
  char value[16];  /* its value (should be "1") */
  int64_t ttl_ms;  /* -1 no expiry, -2 gone */
  char reason[64]; /* "" when absent */
  char sig[32];    /* "" when absent */
} ctl_hold_t;

/* One symbol's HOLD and ledger, in one pipelined round trip. ledger_state:
 * 0 missing (flat), 1 parsed into *ledger, -1 unusable: ledger_raw holds
 * the quoted value that is not an exact decimal, or Redis's error (e.g. a
 * ledger key that is not a hash). Returns 0, -1 with a reason. */
typedef struct {
  ctl_hold_t hold;
  int ledger_state;
  dg_dec_t ledger;
  char ledger_raw[128];
} ctl_symbol_state_t;
int ctl_read_symbol(ctl_t *c, const char *symbol, ctl_symbol_state_t *st,
                    char *err, size_t errlen);

/* A sorted set of symbols (status and holds list them in order). */
typedef struct {
  char (*v)[DG_SYMBOL_MAX];
  size_t n, cap;
} ctl_symbols_t;
/* Add sym (len bytes) if it is a valid symbol. Returns 0, -1 when out of
 * memory. */
int ctl_symbols_add(ctl_symbols_t *s, const char *sym, size_t len);
/* Sort and drop duplicates. */
void ctl_symbols_sort(ctl_symbols_t *s);
void ctl_symbols_free(ctl_symbols_t *s);
/* Every symbol S for which a key PRE S POST exists (SCAN, never KEYS).
 * Returns 0, -1 with a reason. */
int ctl_scan_symbols(ctl_t *c, const char *pre, const char *post,
                     ctl_symbols_t *out, char *err, size_t errlen);
/* Every symbol with a ledger hash (--ledger-key, {symbol} as wildcard).
 * Returns 0, -1 with a reason. */
int ctl_scan_ledger(ctl_t *c, ctl_symbols_t *out, char *err, size_t errlen);

/* Fresh exchange view of one symbol: position and step size.
 * Returns 0, -1 with a reason (ban, transport, refusal...). */
int ctl_fresh_position(ctl_t *c, const char *symbol, dg_dec_t *amt,
                       dg_dec_t *step, char *err, size_t errlen);

/* Decimal helpers for output: canonical text into a JSON string. */
json_object *ctl_json_dec(dg_dec_t d);

/* The newest entries of a stream (XREVRANGE), newest first, as JSON
 * objects: the entry's fields plus "stream_id" and "stream_ms" (the time
 * in its id). Returns NULL with a reason. */
json_object *ctl_stream_latest(ctl_t *c, const char *stream, long count,
                               char *err, size_t errlen);

/* --- output.c ------------------------------------------------------------ */

/* How a table cell shows its JSON value. */
typedef enum {
  CTL_CELL_TEXT = 0, /* strings as is, other values as JSON text */
  CTL_CELL_DURATION, /* milliseconds as "14m58s"; negative as "-" */
  CTL_CELL_TIME,     /* ms epoch as an ISO 8601 UTC time */
} ctl_cell_kind_t;

/* A column of a table: header, the path of its value in each row object
 * ("a.b" looks into nested objects) and how to show it. */
typedef struct {
  const char *header;
  const char *path;
  ctl_cell_kind_t kind;
} ctl_column_t;

/* Print doc as one JSON document (pretty, newline-terminated). */
void ctl_print_json(json_object *doc);
/* A command that cannot produce its output: the reason on stderr and, with
 * --json, {"error": reason} as the one document on stdout. Returns
 * exit_code. */
int ctl_fail(const ctl_t *c, int exit_code, const char *reason);
/* A command's list of rows (a JSON array of objects): with --json, doc
 * (NULL or an object with other members) gets the rows as member key and
 * is printed as one document; else the rows print as an aligned table of
 * cols (null or absent values as "-"), or empty_msg when there are none.
 * Takes ownership of doc and rows. */
void ctl_print_list(int json, json_object *doc, const char *key,
                    json_object *rows, const ctl_column_t *cols, size_t ncols,
                    const char *empty_msg);
#define CTL_NCOLS(cols) (sizeof(cols) / sizeof((cols)[0]))
/* url without its user:password@ part, for messages. */
void ctl_url_display(const char *url, char *out, size_t size);
/* Milliseconds as "14m58s", "1.234s", "-" for negative. */
void ctl_format_duration(int64_t ms, char *buf, size_t size);
/* ms epoch as "2026-01-25T21:03:11.123Z". */
void ctl_format_time(int64_t ms, char *buf, size_t size);

/* --- commands ------------------------------------------------------------ */

int ctl_cmd_check(ctl_t *c);
/* check when the config file did not load: its report, exit code 2. */
int ctl_check_config_failed(ctl_t *c, const char *reason);
int ctl_cmd_status(ctl_t *c);
int ctl_cmd_holds(ctl_t *c);
int ctl_cmd_results(ctl_t *c);
int ctl_cmd_release(ctl_t *c);

#endif
