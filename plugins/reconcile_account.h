/* reconcile_account.h - what the reconcile plugin knows about one
 * <Account> block: its configuration, its connections and the per-symbol
 * drift state machine, plus the interfaces between the plugin's files
 * (config/callbacks, one poll, the Redis store, metrics).
 *
 * An account is only ever touched by its own read callback (one collectd
 * read thread at a time), so none of this needs a lock. */
#ifndef RECONCILE_ACCOUNT_H
#define RECONCILE_ACCOUNT_H

#include "collectd.h"

#include "plugin.h"

#include "reconcile_decide.h"
#include "reconcile_template.h"

#include "driftguard/decimal.h"
#include "driftguard/drift.h"
#include "driftguard/exchange.h"
#include "driftguard/plan.h"
#include "driftguard/redis.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RC_PLUGIN "reconcile"

_Static_assert(RC_SYMBOL_MAX == DG_SYMBOL_MAX, "symbol sizes agree");

/* Where a poll failed: the type instances of the poll_errors counter. */
typedef enum {
  RC_SRC_EXCHANGE = 0,
  RC_SRC_LEDGER,
  RC_SRC_REDIS,
  RC_SRC_COUNT
} rc_source_t;

typedef struct {
  char name[DG_SYMBOL_MAX];
  bool configured; /* from a Symbol option: always watched */
  /* Its exchange rules (step, minimum), asked of the driver's cached
   * symbol rules again every RC_RULES_EVERY: a poll then reads them from
   * here instead of searching the exchange's list for every symbol. */
  cdtime_t rules_at; /* 0: not asked yet */
  bool listed;       /* the exchange lists it (step and min_qty valid) */
  dg_dec_t step, min_qty, max_qty;
  rc_memory_t mem; /* debounce, what it held and notified */
  /* A HOLD we may not release (another drift's): logged once per sig. */
  char foreign_sig[DG_SIGNATURE_LEN + 1];
  bool rules_missing_logged; /* the exchange does not list the symbol */
  bool watched;              /* in this poll's watch list (auto mode) */
  derive_t published;        /* close_published */
} rc_symbol_t;

/* One value of a poll, queued until the poll's end (rc_metrics_flush).
 * Names are pointers, not copies: symbol points into the account's
 * symbols, which therefore never move while values are queued. */
typedef struct {
  const char *symbol;        /* NULL: a value of the account itself */
  const char *type;          /* static strings */
  const char *type_instance; /* NULL: none */
  value_t value;
} rc_value_t;

/* Per-symbol reads of the ledger side of a poll (reconcile_store.c). */
typedef struct {
  rc_ledger_state_t state;
  dg_dec_t amt;      /* RC_LEDGER_OK only */
  bool hold;         /* the HOLD key exists */
  char hold_sig[64]; /* its signature, "" when absent */
} rc_ledger_row_t;

/* What the ledger read learnt of the account and of Redis itself. */
typedef struct {
  bool guard_present; /* LedgerGuardKey exists (true when not configured) */
  char run_id[48];    /* Redis's run_id, "" unless on a new connection */
  long groups;        /* consumer groups on the plan stream, -1 unknown */
} rc_store_status_t;

/* An <Account> block's options (SPEC section 8), fixed after init. */
typedef struct {
  char *exchange;
  char *url;
  char *key_file;
  char *redis_url;
  char *redis_password_file;
  char *key_prefix;
  char *source;
  char *ledger_key; /* contains "{symbol}" */
  char *ledger_field;
  char *ledger_guard_key; /* NULL: no guard */
  char *plan_key_file;
  bool missing_ledger_flat; /* MissingLedger "flat" */
  cdtime_t interval;
  int timeout_ms;
  int confirm_polls;
  int hold_lease_s;
  int cooldown_s;
} rc_account_conf_t;

/* A poll's work arrays, kept from poll to poll (grown, never shrunk): the
 * watch list, its ledger rows, the store's reply slots, the ledger read
 * pipeline, and the values queued for dispatch. */
typedef struct {
  rc_symbol_t **watch;
  rc_ledger_row_t *rows;
  redisReply **replies; /* work_cap + 4 (reconcile_store.c) */
  size_t work_cap;
  /* The ledger read pipeline (RESP) built for the watch list it names,
   * reused while the list stays the same (reconcile_store.c). */
  char *ledger_cmd;
  size_t ledger_cmd_len;
  char (*ledger_cmd_symbols)[DG_SYMBOL_MAX];
  size_t ledger_cmd_symbols_num;
  /* The values of the poll in progress. */
  rc_value_t *values;
  size_t values_num, values_cap;
} rc_poll_work_t;

/* CPU time of the polls after the first (which connects and fetches
 * symbol rules), thread CPU clock, logged at shutdown: the plugin's own
 * work (of which the positions request and parse), and
 * plugin_dispatch_values of its values. */
typedef struct {
  uint64_t polls, cpu_own_ns, cpu_exchange_ns, cpu_dispatch_ns;
} rc_poll_cpu_t;

/* Redis losing its data (a restart without persistence, a failover to an
 * empty replica) is noticed by its run_id changing or the plan stream's
 * consumer group vanishing; then no plan for ConfirmPolls polls. */
typedef struct {
  unsigned long run_id_conn; /* the connection the run_id was read on */
  char redis_run_id[48];
  bool groups_seen;
  int publish_paused_polls;
} rc_data_loss_t;

typedef struct {
  char *name;
  rc_account_conf_t conf;

  /* Runtime, created by the init callback. */
  dg_exchange_t *ex;
  dg_redis_t *redis;
  dg_hmac_key_t *plan_key; /* NULL without PlanKeyFile */
  /* The read callback's schedule (reconcile.c): the next regular poll,
   * and after a plan the next quick re-poll (0: none) and their end. */
  cdtime_t next_poll, repoll_at, repoll_until;

  /* Sorted by name, so that a poll walks them beside the sorted positions
   * and watch list instead of searching for each symbol. With a Symbol
   * list every one is configured; in auto mode none is. */
  rc_symbol_t *symbols;
  size_t symbols_num, symbols_cap;
  size_t configured_num;

  /* Auto mode (no Symbol option): symbols found by SCAN, cached. */
  char (*scanned)[DG_SYMBOL_MAX];
  size_t scanned_num;
  cdtime_t scanned_at;

  /* Per-symbol values go to plugin instance "<account>-<symbol>" instead
   * of "<symbol>" (another account watches the same symbols). */
  bool instance_with_account;
  rc_poll_work_t work;
  rc_poll_cpu_t cpu;
  rc_data_loss_t loss;

  bool failing[RC_SRC_COUNT]; /* an error is in progress (log once) */
  derive_t poll_errors[RC_SRC_COUNT];
  bool banned_logged;
} rc_account_t;

/* What one poll did, for the early re-poll decision. */
typedef struct {
  bool ok;           /* the poll saw the exchange and the ledger */
  int published;     /* plans published by this poll */
  int closes_active; /* symbols with a confirmed fixable drift */
} rc_poll_result_t;

/* reconcile_poll.c */
void rc_poll(rc_account_t *a, rc_poll_result_t *out);
/* The INFO line with the polls' CPU time (at shutdown). */
void rc_poll_log_cpu(const rc_account_t *a);
/* The symbol's state, created when new (NULL: out of memory). Creating
 * one moves the others: never while values are queued or while pointers
 * into symbols are held (a poll creates states only while it builds its
 * watch list). */
rc_symbol_t *rc_symbol_get(rc_account_t *a, const char *name);
/* The symbol's state, NULL when the account does not know it. */
const rc_symbol_t *rc_symbol_find(const rc_account_t *a, const char *name);
/* Sort a symbol list and drop its duplicates (n is updated). */
void rc_symbol_list_unique(char (*list)[DG_SYMBOL_MAX], size_t *n);
void rc_account_error(rc_account_t *a, rc_source_t src, const char *what);

/* reconcile_store.c: Redis side of a poll. Each returns 0, or -1 with a
 * reason in err (then the Redis connection is the problem). */
/* The ledger rows of the first n symbols of a->watch, into a->rows, and
 * in the same round trip the guard key, Redis's run_id and the plan
 * stream's consumer groups. */
int rc_store_ledger_read(rc_account_t *a, size_t n, rc_store_status_t *st,
                         char *err, size_t errlen);
int rc_store_scan_symbols(rc_account_t *a, char (**out)[DG_SYMBOL_MAX],
                          size_t *n, char *err, size_t errlen);
/* HOLD the symbol with the lease; with plan != NULL also publish the plan
 * if this call wins the cooldown. *published = 1 when it did. */
int rc_store_hold(rc_account_t *a, const char *symbol, const char *signature,
                  const char *cooldown_key, const char *plan, size_t plan_len,
                  const char *mac, int *published, char *err, size_t errlen);
/* Release the HOLD if it is ours (expected_sig, or "" to accept any
 * reconcile_drift hold). *released = 1 released, 0 nothing held,
 * -1 held for another drift. */
int rc_store_release(rc_account_t *a, const char *symbol,
                     const char *expected_sig, int *released, char *err,
                     size_t errlen);
/* reconcile_metrics.c */
int rc_metrics_register_types(void);
/* Queue a value of the account (plugin instance = account name) or of
 * one of its symbols; type and type_instance must be static strings.
 * rc_metrics_flush dispatches the queue (once per poll). */
void rc_metric_account(rc_account_t *a, const char *type,
                       const char *type_instance, value_t v);
void rc_metric_symbol(rc_account_t *a, const rc_symbol_t *s, const char *type,
                      const char *type_instance, value_t v);
void rc_metrics_flush(rc_account_t *a);
/* The plugin instance of a symbol's values (notifications keep the
 * symbol: their type instance already names the account). */
void rc_symbol_instance(const rc_account_t *a, const char *symbol, char *out,
                        size_t size);
gauge_t rc_dec_to_gauge(dg_dec_t d);
void rc_notify(const rc_account_t *a, int severity, const char *symbol,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
