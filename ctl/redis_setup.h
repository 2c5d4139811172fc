/* redis_setup.h - what `driftguard-ctl check` says about the Redis it
 * reached: which master (and how it was found), its replicas against
 * RedisMinReplicas, its persistence, and whether a tunnel (TLS) sits
 * between driftguard and Redis. */
#ifndef DG_CTL_REDIS_SETUP_H
#define DG_CTL_REDIS_SETUP_H

#include "ctl.h"

#include <stddef.h>

enum { CTL_REDIS_FINDINGS = 4 };

typedef struct {
  const char *check;  /* redis_master, redis_replicas, ... */
  const char *result; /* OK, WARN, FAIL, SKIP */
  char detail[1024];
} ctl_finding_t;

/* Pure: the value of field in INFO's text ("field:value\r\n" lines) into
 * out; 0, or -1 when the field is not there. */
int ctl_info_field(const char *info, const char *field, char *out, size_t size);

/* Ask the connected Redis (INFO replication, INFO persistence, CLIENT
 * INFO); one finding per check, in order. */
void ctl_redis_setup(ctl_t *c, ctl_finding_t out[CTL_REDIS_FINDINGS]);

#endif
