/* redis_setup.c - the Redis findings of `driftguard-ctl check` (see
 * redis_setup.h): INFO replication for the role and the replicas, INFO
 * persistence for AOF and RDB, and CLIENT INFO's laddr (where Redis itself
 * accepted this connection) against where ctl connected: when they differ,
 * a tunnel or proxy is in between. */
#include "redis_setup.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int ctl_info_field(const char *info, const char *field, char *out,
                   size_t size) {
  size_t n = strlen(field);
  for (const char *l = info; l != NULL && *l != '\0';) {
    const char *end = l + strcspn(l, "\r\n");
    if ((size_t)(end - l) > n && strncmp(l, field, n) == 0 && l[n] == ':') {
      snprintf(out, size, "%.*s", (int)(end - l - (long)n - 1), l + n + 1);
      return 0;
    }
    l = end + strspn(end, "\r\n");
  }
  return -1;
}

__attribute__((format(printf, 4, 5))) static void found(ctl_finding_t *f,
                                                        const char *check,
                                                        const char *result,
                                                        const char *fmt, ...) {
  va_list ap;
  f->check = check;
  f->result = result;
  va_start(ap, fmt);
  vsnprintf(f->detail, sizeof(f->detail), fmt, ap);
  va_end(ap);
}

/* INFO SECTION's text into a reply the caller frees; NULL with why in f. */
static redisReply *info(ctl_t *c, const char *section, ctl_finding_t *f,
                        const char *check) {
  redisReply *r = dg_redis_command(c->redis, "INFO %s", section);
  if (r != NULL && r->type == REDIS_REPLY_STRING)
    return r;
  found(f, check, "SKIP", "INFO %s: %s", section,
        r != NULL && r->type == REDIS_REPLY_ERROR
            ? r->str
            : dg_redis_last_error(c->redis));
  if (r != NULL)
    freeReplyObject(r);
  return NULL;
}

static void master(ctl_t *c, const char *repl, ctl_finding_t *f) {
  char role[32] = "?";
  ctl_info_field(repl, "role", role, sizeof(role));
  if (strcmp(role, "master") != 0)
    found(f, "redis_master", "FAIL",
          "%s says role:%s: driftguard writes only to a master (use the "
          "redis-sentinel:// RedisURL to follow failovers)",
          dg_redis_endpoint(c->redis), role);
  else
    found(f, "redis_master", "OK", "%s: role master%s",
          dg_redis_endpoint(c->redis),
          strstr(c->conf.file.redis_url, "redis-sentinel://") ==
                  c->conf.file.redis_url
              ? " (found through the sentinels, checked with ROLE)"
              : "");
}

static void replicas(ctl_t *c, const char *repl, ctl_finding_t *f) {
  char n_text[16] = "0", slave[256], key[16], list[700] = "";
  long n, online = 0, want = c->conf.file.redis_min_replicas;
  size_t used = 0;
  ctl_info_field(repl, "connected_slaves", n_text, sizeof(n_text));
  n = strtol(n_text, NULL, 10);
  for (long i = 0; i < n && i < 16; i++) {
    snprintf(key, sizeof(key), "slave%ld", i);
    if (ctl_info_field(repl, key, slave, sizeof(slave)) != 0)
      continue;
    online += strstr(slave, "state=online") != NULL;
    if (used < sizeof(list))
      used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
                               used ? "; " : ": ", slave);
  }
  if (online < want)
    found(f, "redis_replicas", "FAIL",
          "%ld replica%s online, RedisMinReplicas %ld: the executor sends no "
          "order until %ld acknowledge%s",
          online, online == 1 ? "" : "s", want, want, list);
  else if (n == 0)
    found(f, "redis_replicas", "WARN",
          "no replica: losing this Redis loses the HOLDs and the "
          "exactly-once records (runbook: Replicated Redis)");
  else
    found(f, "redis_replicas", "OK", "%ld replica%s, %ld online%s", n,
          n == 1 ? "" : "s", online, list);
}

static void persistence(ctl_t *c, ctl_finding_t *f) {
  redisReply *r = info(c, "persistence", f, "redis_persistence");
  char aof[8] = "?", aof_status[16] = "?", rdb_status[16] = "?",
       rdb_time[24] = "0";
  long long age;
  if (r == NULL)
    return;
  ctl_info_field(r->str, "aof_enabled", aof, sizeof(aof));
  ctl_info_field(r->str, "aof_last_write_status", aof_status,
                 sizeof(aof_status));
  ctl_info_field(r->str, "rdb_last_bgsave_status", rdb_status,
                 sizeof(rdb_status));
  ctl_info_field(r->str, "rdb_last_save_time", rdb_time, sizeof(rdb_time));
  freeReplyObject(r);
  age = (long long)time(NULL) - strtoll(rdb_time, NULL, 10);
  if (strcmp(aof, "1") == 0)
    found(f, "redis_persistence", strcmp(aof_status, "ok") == 0 ? "OK" : "FAIL",
          "AOF on, last write %s; last RDB save %lld s ago (%s)", aof_status,
          age, rdb_status);
  else
    found(f, "redis_persistence", "WARN",
          "AOF off: a restart loses what was written since the last RDB save "
          "(%lld s ago, %s), exactly-once records included, and brings the "
          "ledger back empty (every open symbol held) or older (old amounts "
          "look like drift); set appendonly yes with appendfsync everysec "
          "(CONFIG SET appendonly yes, and in redis.conf)",
          age, rdb_status);
}

/* Where ctl connected against where Redis says it accepted. */
static void tunnel(ctl_t *c, ctl_finding_t *f) {
  redisContext *ctx = dg_redis_context(c->redis);
  redisReply *r;
  const char *laddr;
  char to[300], served[300] = "";
  int local;
  if (ctx == NULL || ctx->connection_type == REDIS_CONN_UNIX) {
    if (ctx == NULL)
      found(f, "redis_tls", "SKIP", "%s", dg_redis_last_error(c->redis));
    else
      found(f, "redis_tls", "OK", "unix socket %s: local, nothing to encrypt",
            ctx->unix_sock.path);
    return;
  }
  snprintf(to, sizeof(to), "%s:%d", ctx->tcp.host, ctx->tcp.port);
  local = strncmp(ctx->tcp.host, "127.", 4) == 0 ||
          strcmp(ctx->tcp.host, "::1") == 0 ||
          strcmp(ctx->tcp.host, "localhost") == 0;
  r = dg_redis_command(c->redis, "CLIENT INFO");
  if (r != NULL && r->type == REDIS_REPLY_STRING &&
      (laddr = strstr(r->str, " laddr=")) != NULL)
    snprintf(served, sizeof(served), "%.*s", (int)strcspn(laddr + 7, " "),
             laddr + 7);
  if (served[0] == '\0')
    found(f, "redis_tls", "SKIP", "CLIENT INFO: %s",
          r != NULL && r->type == REDIS_REPLY_ERROR ? r->str
                                                    : "no laddr in the reply");
  else if (strcmp(served, to) != 0)
    found(f, "redis_tls", "OK",
          "connected to %s, Redis accepted the connection on %s: a tunnel "
          "is in between (the runbook's stunnel verifies the chain; check "
          "its log for 'Certificate accepted')",
          to, served);
  else if (local)
    found(f, "redis_tls", "OK",
          "%s is this host's Redis, no tunnel: nothing crosses a network", to);
  else
    found(f, "redis_tls", "WARN",
          "%s is reached directly in plain text: passwords and plans cross "
          "the network unencrypted; use a TLS tunnel (runbook: Redis over "
          "TLS)",
          to);
  if (r != NULL)
    freeReplyObject(r);
}

void ctl_redis_setup(ctl_t *c, ctl_finding_t out[CTL_REDIS_FINDINGS]) {
  redisReply *repl = info(c, "replication", &out[0], "redis_master");
  if (repl != NULL) {
    master(c, repl->str, &out[0]);
    replicas(c, repl->str, &out[1]);
    freeReplyObject(repl);
  } else
    found(&out[1], "redis_replicas", "SKIP", "%s", out[0].detail);
  persistence(c, &out[2]);
  tunnel(c, &out[3]);
}
