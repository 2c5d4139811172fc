/* config.h - the executor's configuration (SPEC section 8): defaults, the
 * file reader and the start-up checks. */
#ifndef DG_EXECUTOR_CONFIG_H
#define DG_EXECUTOR_CONFIG_H

#include <limits.h>
#include <stddef.h>

#define EX_DEFAULT_CONFIG SYSCONFDIR "/driftguard/executor.conf"

typedef struct {
  char exchange[32];
  char url[512];
  char key_file[PATH_MAX];
  char redis_url[512];
  char redis_password_file[PATH_MAX];
  char key_prefix[64];
  char source[64];
  char plan_key_file[PATH_MAX]; /* empty: plans are not authenticated */
  char group[64];
  char consumer[64];
  char collectd_socket[PATH_MAX]; /* empty: no metrics */
  char hostname[64];
  long metrics_interval_s;
  long hold_lease_s;
  long timeout_s;
  int dry_run;
  long recv_window_ms;
  long claim_idle_s; /* pending entries idle this long are taken over */
  long batch_size;   /* entries per XREADGROUP */
} ex_config_t;

/* Fill the defaults (Hostname and Consumer from gethostname). */
void ex_config_defaults(ex_config_t *c);
/* Read path over the defaults and check required options and key files.
 * Returns 0, or -1 with "FILE:LINE: reason" or "FILE: reason" in err. */
int ex_config_load(ex_config_t *c, const char *path, char *err, size_t errlen);

#endif
