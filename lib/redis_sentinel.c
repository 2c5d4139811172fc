/* redis_sentinel.c - the Sentinel side of a redis-sentinel:// URL: find
 * the master (connect to each sentinel in turn with a connect and reply
 * timeout, ask SENTINEL get-master-addr-by-name, take the first answer),
 * and watch the sentinels' failover announcements so a client leaves a
 * deposed master at once, before that master is even told (a sentinel
 * reconfigures a live old master only when its next INFO, up to 10 s
 * later, shows it still acting as master; until then it accepts writes
 * that the failover has already lost). A sentinel that asks for a password
 * (NOAUTH) gets the URL's credentials. The master found is a candidate
 * only: lib/redis.c checks it with ROLE before any command. */
#include "redis_sentinel.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

/* One command to the sentinel c; AUTH with u's credentials and once again
 * when the sentinel wants them. NULL on an I/O error. */
static redisReply *sentinel_command(redisContext *c, const dg_redis_url_t *u,
                                    int argc, const char **argv) {
  redisReply *reply = redisCommandArgv(c, argc, argv, NULL);
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
      strncmp(reply->str, "NOAUTH", 6) == 0 && u->password[0] != '\0') {
    const char *auth[3] = {"AUTH", u->username, u->password};
    int user = u->username[0] != '\0';
    redisReply *a;
    if (!user)
      auth[1] = u->password;
    a = redisCommandArgv(c, user ? 3 : 2, auth, NULL);
    freeReplyObject(reply);
    if (a == NULL || a->type == REDIS_REPLY_ERROR)
      return a; /* the AUTH refusal says more than NOAUTH */
    freeReplyObject(a);
    reply = redisCommandArgv(c, argc, argv, NULL);
  }
  return reply;
}

/* A connection to sentinel s with the reply timeout set; NULL with why. */
static redisContext *sentinel_connect(const dg_redis_addr_t *s,
                                      const struct timeval *tv, char *err,
                                      size_t errlen) {
  redisContext *c = redisConnectWithTimeout(s->host, s->port, *tv);
  if (c == NULL || c->err != 0 || redisSetTimeout(c, *tv) != REDIS_OK) {
    snprintf(err, errlen, "sentinel %s:%d: connect: %s", s->host, s->port,
             c != NULL ? c->errstr : "out of memory");
    if (c != NULL)
      redisFree(c);
    return NULL;
  }
  return c;
}

/* Ask one sentinel. Returns 0 with the address, or -1 with why in err. */
static int ask(const dg_redis_url_t *u, const dg_redis_addr_t *s,
               const struct timeval *tv, dg_redis_addr_t *master, char *err,
               size_t errlen) {
  const char *argv[3] = {"SENTINEL", "get-master-addr-by-name", u->master_name};
  redisContext *c = sentinel_connect(s, tv, err, errlen);
  redisReply *reply = NULL;
  int rc = -1;
  if (c == NULL)
    return -1;
  reply = sentinel_command(c, u, 3, argv);
  if (reply == NULL)
    snprintf(err, errlen, "sentinel %s:%d: %s", s->host, s->port,
             c->err ? c->errstr : "connection lost");
  else if (reply->type == REDIS_REPLY_ERROR)
    snprintf(err, errlen, "sentinel %s:%d: refused: %.200s", s->host, s->port,
             reply->str);
  else if (reply->type == REDIS_REPLY_NIL)
    snprintf(err, errlen, "sentinel %s:%d does not monitor a master named '%s'",
             s->host, s->port, u->master_name);
  else if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
           reply->element[0]->type != REDIS_REPLY_STRING ||
           reply->element[1]->type != REDIS_REPLY_STRING ||
           reply->element[0]->len >= sizeof(master->host) ||
           sscanf(reply->element[1]->str, "%d", &master->port) != 1 ||
           master->port < 1 || master->port > 65535)
    snprintf(err, errlen,
             "sentinel %s:%d: unexpected reply to SENTINEL "
             "get-master-addr-by-name",
             s->host, s->port);
  else {
    memcpy(master->host, reply->element[0]->str, reply->element[0]->len);
    master->host[reply->element[0]->len] = '\0';
    rc = 0;
  }
  if (reply != NULL)
    freeReplyObject(reply);
  redisFree(c);
  return rc;
}

int dg_sentinel_master_addr(const dg_redis_url_t *u, int timeout_ms, int *first,
                            dg_redis_addr_t *master, char *err, size_t errlen) {
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  char why[DG_REDIS_SENTINELS_MAX][320];
  size_t used = 0;
  for (int i = 0; i < u->n_sentinels; i++) {
    int k = (*first + i) % u->n_sentinels;
    if (ask(u, &u->sentinels[k], &tv, master, why[i], sizeof why[i]) == 0) {
      *first = k;
      return 0;
    }
  }
  /* None answered: every sentinel's reason, in the order asked. */
  used = (size_t)snprintf(
      err, errlen, "no sentinel answered for master '%s': ", u->master_name);
  for (int i = 0; i < u->n_sentinels && used < errlen; i++)
    used += (size_t)snprintf(err + used, errlen - used, "%s%s", i ? "; " : "",
                             why[i]);
  return -1;
}

/* The events that say u's master moved. */
static const char *const watched[] = {"+switch-master", "+promoted-slave"};
#define N_WATCHED ((int)(sizeof(watched) / sizeof(watched[0])))

/* Subscribe c to the watched events; 0 once Redis confirmed each. */
static int subscribe(redisContext *c, const dg_redis_url_t *u,
                     const dg_redis_addr_t *s, char *err, size_t errlen) {
  const char *argv[1 + N_WATCHED] = {"SUBSCRIBE"};
  redisReply *reply;
  for (int i = 0; i < N_WATCHED; i++)
    argv[1 + i] = watched[i];
  reply = sentinel_command(c, u, 1 + N_WATCHED, argv);
  for (int i = 0;; i++) {
    int confirmed = reply != NULL && reply->type == REDIS_REPLY_ARRAY &&
                    reply->elements == 3 &&
                    reply->element[0]->type == REDIS_REPLY_STRING &&
                    strcmp(reply->element[0]->str, "subscribe") == 0;
    if (!confirmed)
      snprintf(err, errlen, "sentinel %s:%d: SUBSCRIBE %s%.200s", s->host,
               s->port, reply == NULL ? "failed: " : "refused: ",
               reply == NULL                      ? c->errstr
               : reply->type == REDIS_REPLY_ERROR ? reply->str
                                                  : "unexpected reply");
    if (reply != NULL)
      freeReplyObject(reply);
    if (!confirmed)
      return -1;
    if (i + 1 == N_WATCHED)
      return 0;
    if (redisGetReply(c, (void **)&reply) != REDIS_OK)
      reply = NULL;
  }
}

redisContext *dg_sentinel_watch(const dg_redis_url_t *u, int timeout_ms,
                                int *first, char *err, size_t errlen) {
  struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  for (int i = 0; i < u->n_sentinels; i++) {
    int k = (*first + i) % u->n_sentinels;
    redisContext *c = sentinel_connect(&u->sentinels[k], &tv, err, errlen);
    if (c == NULL)
      continue;
    if (subscribe(c, u, &u->sentinels[k], err, errlen) == 0) {
      *first = k;
      return c;
    }
    redisFree(c);
  }
  return NULL;
}

/* 1 when the pub/sub message m is one of the watched events about
 * master_name: "+switch-master NAME oldip oldport newip newport",
 * "+promoted-slave slave ip:port ip port @ NAME ip port". */
static int about(const redisReply *m, const char *master_name) {
  const char *text, *at;
  size_t n = strlen(master_name);
  if (m->type != REDIS_REPLY_ARRAY || m->elements != 3 ||
      m->element[2]->type != REDIS_REPLY_STRING)
    return 0;
  text = m->element[2]->str;
  if (strncmp(text, master_name, n) == 0 && text[n] == ' ')
    return 1;
  at = strstr(text, " @ ");
  return at != NULL && strncmp(at + 3, master_name, n) == 0 && at[3 + n] == ' ';
}

int dg_sentinel_switched(redisContext *watch, const char *master_name) {
  struct pollfd p = {.fd = watch->fd, .events = POLLIN};
  void *m;
  int switched = 0;
  if (poll(&p, 1, 0) < 0)
    return -1;
  if (p.revents == 0)
    return 0;
  /* Readable: what is there now (a closed connection reads as an error). */
  if (redisBufferRead(watch) != REDIS_OK)
    return -1;
  for (;;) {
    if (redisGetReplyFromReader(watch, &m) != REDIS_OK)
      return -1;
    if (m == NULL)
      return switched;
    switched |= about(m, master_name);
    freeReplyObject(m);
  }
}
