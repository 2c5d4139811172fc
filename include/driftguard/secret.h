/* secret.h - memory for secrets that must not reach a core dump: whole
 * pages of their own, marked MADV_DONTDUMP, wiped before they are given
 * back. The collectd plugin cannot make collectd undumpable, so the API
 * key and secret, the plan key and the Redis password live here; the
 * executor and driftguard-ctl are not dumpable at all (dg_secret_no_dump). */
#ifndef DRIFTGUARD_SECRET_H
#define DRIFTGUARD_SECRET_H

#include <stddef.h>

/* n zeroed bytes on pages excluded from core dumps; NULL when out of
 * memory. Free with dg_secret_free and the same n. */
void *dg_secret_alloc(size_t n);
/* Wipe and unmap; p may be NULL. */
void dg_secret_free(void *p, size_t n);
/* Make this process undumpable (no core, no ptrace by other users):
 * for a whole program that holds secrets. Returns 0, -1 on failure. */
int dg_secret_no_dump(void);

#endif
