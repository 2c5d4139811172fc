/* keyfile.h - read secrets from key files (SPEC section 8) safely.
 *
 * A key file must be a regular file not readable or writable by others;
 * group access is allowed only for the packaged layout (owner root, group =
 * the reading process's own non-root group, mode 0640 at most). Trailing
 * spaces and newlines are not part of a key. Secrets never go to logs. */
#ifndef DRIFTGUARD_KEYFILE_H
#define DRIFTGUARD_KEYFILE_H

#include "driftguard/sign.h"

#include <stddef.h>

#define DG_SECRET_MAX 256

typedef struct {
  char api_key[DG_SECRET_MAX];
  char secret[DG_SECRET_MAX];
} dg_api_credentials_t;

/* Check ownership/permissions only. Returns 0, -1 with a reason in err. */
int dg_keyfile_check(const char *path, char *err, size_t errlen);
/* Two lines: API key, then secret. Returns 0, -1 with a reason in err. */
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
