/* executor_conf.h - the executor's config file (SPEC section 8) as every
 * program that reads it sees it: driftguard-executor and driftguard-ctl.
 *
 * One reader holds every option, its default and its checks (ranges,
 * required options, FILE:LINE errors), so the two programs accept and
 * refuse exactly the same files. It only parses: the key files it names are
 * neither opened nor checked here; each program does that in its own way. */
#ifndef DRIFTGUARD_EXECUTOR_CONF_H
#define DRIFTGUARD_EXECUTOR_CONF_H

#include <limits.h>
#include <stddef.h>

#define DG_EXCONF_DRIVER_MAX 32 /* Exchange */
#define DG_EXCONF_URL_MAX 512   /* URL, RedisURL */
#define DG_EXCONF_NAME_MAX 64   /* KeyPrefix, Source, Group, Consumer... */

typedef struct {
  char exchange[DG_EXCONF_DRIVER_MAX];
  char url[DG_EXCONF_URL_MAX];
  char key_file[PATH_MAX];
  char redis_url[DG_EXCONF_URL_MAX];
  char redis_password_file[PATH_MAX]; /* empty: no password file */
  char key_prefix[DG_EXCONF_NAME_MAX];
  char source[DG_EXCONF_NAME_MAX];
  char plan_key_file[PATH_MAX]; /* required unless unauthenticated */
  char group[DG_EXCONF_NAME_MAX];
  char consumer[DG_EXCONF_NAME_MAX];
  char collectd_socket[PATH_MAX]; /* empty: no metrics */
  char hostname[DG_EXCONF_NAME_MAX];
  long metrics_interval_s;
  long hold_lease_s;
  long timeout_ms; /* Timeout, written in seconds (fractions allowed) */
  int dry_run;
  int unauthenticated; /* "Unauthenticated true": no PlanKeyFile, by choice */
  long recv_window_ms;
  long claim_idle_s; /* pending entries idle this long are taken over */
  long batch_size;   /* entries per XREADGROUP */
  /* Replicas that must acknowledge the "submitted" record (WAIT) before an
   * order is sent, and how long to wait for them (ms). */
  long redis_min_replicas;
  long redis_replica_timeout_ms;
} dg_executor_conf_t;

/* Fill the defaults: Consumer from gethostname(), Hostname as collectd names
 * this host by default (its canonical name, FQDNLookup true). */
void dg_executor_conf_defaults(dg_executor_conf_t *c);

/* Read path over what c holds (the defaults) and check it: unknown options,
 * bad values and empty names are refused with "FILE:LINE: reason", a
 * missing URL or KeyFile, or a missing PlanKeyFile without Unauthenticated
 * true, with "FILE: reason". Returns 0 or -1. */
int dg_executor_conf_read(dg_executor_conf_t *c, const char *path, char *err,
                          size_t errlen);

#endif
