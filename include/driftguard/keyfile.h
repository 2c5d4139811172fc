/* keyfile.h - read secrets from key files (SPEC section 8) safely.
 *
 * A key file is judged for the process that will read it. Two layouts pass:
 *   0600 (or 0400) owned by the reader itself (root for the plugin inside
 *        root's collectd, driftguard for the executor), or
 *   0640 (or 0440) root:driftguard, shared by the plugin and the executor.
 * Everything else is refused: access by others, group write, group read for
 * a group other than driftguard's (or the reader's own non-root group), an
 * owner other than root or the reader. Trailing spaces and newlines are not
 * part of a key. Secrets never go to logs. */
#ifndef DRIFTGUARD_KEYFILE_H
#define DRIFTGUARD_KEYFILE_H

#include "driftguard/sign.h"

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define DG_SECRET_MAX 256

/* The user (and group) the packaged executor runs as; key files shared by
 * the plugin and the executor are 0640 root:DG_SERVICE_USER. */
#define DG_SERVICE_USER "driftguard"

/* Who a key file is judged for. */
typedef struct {
  uid_t uid;        /* the reading user */
  gid_t gid;        /* its primary group */
  gid_t shared_gid; /* DG_SERVICE_USER's group; (gid_t)-1 when there is none */
  const char *name; /* e.g. "user driftguard"; NULL: this process itself */
} dg_key_reader_t;

typedef struct {
  char api_key[DG_SECRET_MAX];
  char secret[DG_SECRET_MAX];
  char passphrase[DG_SECRET_MAX]; /* third line (OKX); "" when none */
} dg_api_credentials_t;

/* From now on, judge key files for the service that will read them, not for
 * this process: a check run as root on the executor's behalf
 * (driftguard-executor -t, driftguard-ctl) judges them for DG_SERVICE_USER
 * when that user exists. Without it (and when not root) a key file is judged
 * for this process. Call before any thread starts. */
void dg_keyfile_judge_for_service(void);
/* Check ownership/permissions only. Returns 0, -1 with a reason in err. */
int dg_keyfile_check(const char *path, char *err, size_t errlen);
/* The rule itself on a file's stat, for reader r (pure, unit-tested). */
int dg_keyfile_judge(const char *path, const struct stat *st,
                     const dg_key_reader_t *r, char *err, size_t errlen);
/* Two lines, API key then secret, and a third, the passphrase, for venues
 * whose keys have one (OKX). Returns 0, -1 with a reason in err. */
int dg_keyfile_read_credentials(const char *path, dg_api_credentials_t *out,
                                char *err, size_t errlen);
/* One line (plan key, Redis password). Returns its length, -1 on error. */
int dg_keyfile_read_line(const char *path, char *out, size_t size, char *err,
                         size_t errlen);
/* A one-line key file (PlanKeyFile) made ready for HMACs; the key's text
 * is wiped. NULL with a reason in err. */
dg_hmac_key_t *dg_keyfile_read_hmac_key(const char *path, char *err,
                                        size_t errlen);
/* Overwrite secret memory in a way the compiler cannot drop. */
void dg_secret_wipe(void *p, size_t n);

#endif
