/* redis.c - the one Redis connection of a plugin account or the executor:
 * RedisURL parsing, connect with a connect timeout and a reply timeout,
 * AUTH (password or ACL user + password), SELECT, and reconnect-on-next-call
 * after any I/O error, and Lua scripts run by their SHA1. hiredis 0.14
 * blocking API.
 *
 * hiredis writes to the socket with write(): a process using this must
 * ignore SIGPIPE (collectd does; the executor sets it at start-up). */
#include "driftguard/redis.h"

#include "driftguard/keyfile.h"
#include "driftguard/log.h"
#include "driftguard/secret.h"
#include "redis_sentinel.h"

#include <ctype.h>
#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#define REDIS_DEFAULT_PORT 6379
#define REDIS_DEFAULT_TIMEOUT_MS 5000
#define REDIS_DB_MAX 1000000

struct dg_redis {
  dg_redis_url_t url; /* password field holds the effective password */
  int timeout_ms;     /* connect and reply timeout */
  redisContext *ctx;  /* NULL when not connected */
  char endpoint[420]; /* "redis 127.0.0.1:6379" for messages */
  char last_err[1024];
  unsigned long connections; /* made so far (dg_redis_connection_number) */
  char last_denied[128];     /* the last NOPERM logged */
  const char *script;        /* the Lua text dg_redis_eval is running */
  /* redis-sentinel:// only */
  int sentinel_first;     /* the sentinel asked first: the last that answered */
  dg_redis_addr_t master; /* where the master was last found */
  redisContext *watch;    /* failover announcements (redis_sentinel.h) */
  long long watch_tried_ms; /* last attempt to start the watch, monotonic */
  int watch_failing;        /* its failure is logged */
};

/* --- URL ----------------------------------------------------------------- */

static int hexval(int c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  c = tolower(c);
  return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Copy s[0..len) into out, decoding %XX. Returns 0, or -1 (bad escape or too
 * long) without saying anything about the contents. */
static int copy_decoded(const char *s, size_t len, char *out, size_t size) {
  size_t o = 0;
  for (size_t i = 0; i < len; i++) {
    int c = (unsigned char)s[i];
    if (c == '%') {
      int hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
      int lo = hi >= 0 ? hexval((unsigned char)s[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return -1;
      c = hi * 16 + lo;
      i += 2;
    }
    if (o + 1 >= size)
      return -1;
    out[o++] = (char)c;
  }
  out[o] = '\0';
  return 0;
}

/* Parse a decimal integer in [min, max] that spans all of s[0..len). */
static int parse_bounded(const char *s, size_t len, long min, long max,
                         int *out) {
  long v = 0;
  if (len == 0 || len > 9)
    return -1;
  for (size_t i = 0; i < len; i++) {
    if (!isdigit((unsigned char)s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  if (v < min || v > max)
    return -1;
  *out = (int)v;
  return 0;
}

/* "[user]:password" before the '@'. */
static int parse_userinfo(const char *s, size_t len, dg_redis_url_t *out,
                          char *err, size_t errlen) {
  const char *colon = memchr(s, ':', len);
  if (colon == NULL) {
    snprintf(err, errlen,
             "credentials in the URL must be :PASSWORD@ or USER:PASSWORD@");
    return -1;
  }
  if (copy_decoded(s, (size_t)(colon - s), out->username,
                   sizeof(out->username)) != 0 ||
      copy_decoded(colon + 1, len - (size_t)(colon + 1 - s), out->password,
                   sizeof(out->password)) != 0) {
    snprintf(err, errlen,
             "credentials in the URL are too long or badly %%-encoded");
    return -1;
  }
  return 0;
}

/* host[:port] or [v6addr][:port] into a, default_port when none. */
static int parse_hostport(const char *s, size_t len, int default_port,
                          dg_redis_addr_t *a, char *err, size_t errlen) {
  const char *host = s, *port = NULL;
  size_t hostlen;
  if (len > 0 && s[0] == '[') {
    const char *close = memchr(s, ']', len);
    if (close == NULL) {
      snprintf(err, errlen, "unterminated '[' in the host");
      return -1;
    }
    host = s + 1;
    hostlen = (size_t)(close - host);
    if (close + 1 < s + len) {
      if (close[1] != ':') {
        snprintf(err, errlen, "unexpected text after ']' in the host");
        return -1;
      }
      port = close + 2;
    }
  } else {
    const char *colon = memchr(s, ':', len);
    hostlen = colon ? (size_t)(colon - s) : len;
    port = colon ? colon + 1 : NULL;
  }
  if (hostlen == 0 || hostlen >= sizeof(a->host)) {
    snprintf(err, errlen, "%s host name", hostlen ? "too long a" : "missing");
    return -1;
  }
  memcpy(a->host, host, hostlen);
  a->host[hostlen] = '\0';
  a->port = default_port;
  if (port != NULL &&
      parse_bounded(port, (size_t)(s + len - port), 1, 65535, &a->port)) {
    snprintf(err, errlen, "port must be a number from 1 to 65535");
    return -1;
  }
  return 0;
}

/* "/db" (or "/" or nothing) at s. */
static int parse_db(const char *s, size_t len, dg_redis_url_t *out, char *err,
                    size_t errlen) {
  if (len > 1 &&
      parse_bounded(s + 1, len - 1, 0, REDIS_DB_MAX, &out->db) != 0) {
    snprintf(err, errlen, "database after '/' must be a number from 0");
    return -1;
  }
  return 0;
}

/* "host[:port][,host[:port]...][/db]#name" of a redis-sentinel:// URL. */
static int parse_sentinels(const char *s, dg_redis_url_t *out, char *err,
                           size_t errlen) {
  const char *hash = strrchr(s, '#');
  const char *end, *slash;
  if (hash == NULL || hash[1] == '\0') {
    snprintf(err, errlen,
             "redis-sentinel:// needs the master's name after '#', e.g. "
             "redis-sentinel://10.0.0.1:26379,10.0.0.2:26379#mymaster");
    return -1;
  }
  if (strlen(hash + 1) >= sizeof(out->master_name) ||
      strpbrk(hash + 1, " \t\r\n") != NULL) {
    snprintf(err, errlen, "master name after '#' too long or with spaces");
    return -1;
  }
  snprintf(out->master_name, sizeof(out->master_name), "%s", hash + 1);
  slash = memchr(s, '/', (size_t)(hash - s));
  end = slash != NULL ? slash : hash;
  for (const char *h = s; h <= end;) {
    const char *comma = memchr(h, ',', (size_t)(end - h));
    const char *stop = comma != NULL ? comma : end;
    if (out->n_sentinels == DG_REDIS_SENTINELS_MAX) {
      snprintf(err, errlen, "more than %d sentinels", DG_REDIS_SENTINELS_MAX);
      return -1;
    }
    if (parse_hostport(h, (size_t)(stop - h), DG_REDIS_SENTINEL_DEFAULT_PORT,
                       &out->sentinels[out->n_sentinels], err, errlen) != 0)
      return -1;
    out->n_sentinels++;
    h = stop + 1;
  }
  return slash != NULL
             ? parse_db(slash, (size_t)(hash - slash), out, err, errlen)
             : 0;
}

int dg_redis_url_parse(const char *url, dg_redis_url_t *out, char *err,
                       size_t errlen) {
  enum { TCP, UNIX, SENTINEL } scheme;
  const char *rest, *at, *end;
  memset(out, 0, sizeof(*out));
  if (strncmp(url, "redis://", 8) == 0) {
    scheme = TCP;
    rest = url + 8;
  } else if (strncmp(url, "unix://", 7) == 0) {
    scheme = UNIX;
    rest = url + 7;
  } else if (strncmp(url, "redis-sentinel://", 17) == 0) {
    scheme = SENTINEL;
    rest = url + 17;
  } else {
    snprintf(err, errlen,
             "%s; expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB], "
             "unix://[[USER]:PASSWORD@]/PATH[?db=N] or "
             "redis-sentinel://[[USER]:PASSWORD@]HOST[:PORT][,HOST[:PORT]...]"
             "[/DB]#MASTER",
             strncmp(url, "rediss://", 9) == 0
                 ? "TLS (rediss://) is not supported: use a local TLS tunnel "
                   "(see the runbook)"
                 : "unsupported URL scheme");
    return -1;
  }
  /* The last '@' ends the credentials: a password may contain '@' and '/',
   * a host, path, db or master name never contains '@'. */
  at = strrchr(rest, '@');
  if (at != NULL) {
    if (parse_userinfo(rest, (size_t)(at - rest), out, err, errlen) != 0)
      goto fail;
    rest = at + 1;
  }

  if (scheme == SENTINEL) {
    if (parse_sentinels(rest, out, err, errlen) != 0)
      goto fail;
    return 0;
  }
  if (scheme == UNIX) {
    const char *query = strchr(rest, '?');
    size_t pathlen = query ? (size_t)(query - rest) : strlen(rest);
    if (pathlen == 0 || rest[0] != '/') {
      snprintf(err, errlen,
               "unix:// needs an absolute socket path, e.g. "
               "unix:///run/redis/redis.sock");
      goto fail;
    }
    if (pathlen >= sizeof(out->unix_path)) {
      snprintf(err, errlen, "socket path too long");
      goto fail;
    }
    memcpy(out->unix_path, rest, pathlen);
    if (query != NULL && (strncmp(query, "?db=", 4) != 0 ||
                          parse_bounded(query + 4, strlen(query + 4), 0,
                                        REDIS_DB_MAX, &out->db) != 0)) {
      snprintf(err, errlen, "the only query allowed is ?db=N (N from 0)");
      goto fail;
    }
    return 0;
  }

  end = strchr(rest, '/');
  {
    dg_redis_addr_t a;
    if (parse_hostport(rest, end ? (size_t)(end - rest) : strlen(rest),
                       REDIS_DEFAULT_PORT, &a, err, errlen) != 0)
      goto fail;
    memcpy(out->host, a.host, sizeof(out->host));
    out->port = a.port;
  }
  if (end != NULL && parse_db(end, strlen(end), out, err, errlen) != 0)
    goto fail;
  return 0;
fail:
  dg_secret_wipe(out, sizeof(*out));
  return -1;
}

/* --- connection ---------------------------------------------------------- */

dg_redis_t *dg_redis_new(const dg_redis_url_t *url, const char *password,
                         int timeout_ms) {
  dg_redis_t *r = dg_secret_alloc(sizeof(*r)); /* holds the password */
  if (r == NULL)
    return NULL;
  r->url = *url;
  if (password != NULL &&
      snprintf(r->url.password, sizeof(r->url.password), "%s", password) >=
          (int)sizeof(r->url.password)) {
    dg_redis_free(r);
    return NULL;
  }
  r->timeout_ms = timeout_ms > 0 ? timeout_ms : REDIS_DEFAULT_TIMEOUT_MS;
  if (url->n_sentinels > 0)
    snprintf(r->endpoint, sizeof(r->endpoint),
             "redis master '%.128s' (not found yet)", url->master_name);
  else if (url->unix_path[0] != '\0')
    snprintf(r->endpoint, sizeof(r->endpoint), "redis unix:%.256s",
             url->unix_path);
  else
    snprintf(r->endpoint, sizeof(r->endpoint), "redis %.256s:%d", url->host,
             url->port);
  return r;
}

void dg_redis_disconnect(dg_redis_t *r) {
  if (r->ctx != NULL) {
    redisFree(r->ctx);
    r->ctx = NULL;
  }
}

void dg_redis_free(dg_redis_t *r) {
  if (r == NULL)
    return;
  dg_redis_disconnect(r);
  if (r->watch != NULL)
    redisFree(r->watch);
  dg_secret_free(r, sizeof(*r));
}

const char *dg_redis_last_error(const dg_redis_t *r) {
  return r->last_err;
}

unsigned long dg_redis_connection_number(const dg_redis_t *r) {
  return r->connections;
}

const char *dg_redis_endpoint(const dg_redis_t *r) {
  return r->endpoint;
}

/* Record why the connection failed, then drop it so the next call
 * reconnects. what: the step, e.g. "connect" or "command". */
static void drop_io(dg_redis_t *r, const char *what) {
  int timed_out = errno == EAGAIN || errno == EWOULDBLOCK;
  const redisContext *c = r->ctx;
  if (c != NULL && c->err == REDIS_ERR_IO && timed_out)
    snprintf(r->last_err, sizeof(r->last_err), "%s: %s: no reply within %d ms",
             r->endpoint, what, r->timeout_ms);
  else
    snprintf(r->last_err, sizeof(r->last_err), "%s: %s: %s", r->endpoint, what,
             c && c->err ? c->errstr : "connection lost");
  dg_redis_disconnect(r);
}

/* redisCommandArgv, but the request's bytes (AUTH carries the password)
 * never sit in hiredis's buffers, which are freed without being wiped and
 * would keep it in a core dump: formatted here, written to the socket,
 * wiped. Only for a connection with nothing else pending. */
static redisReply *command_wiped(redisContext *c, int argc, const char **argv) {
  char *cmd = NULL;
  long long len = redisFormatCommandArgv(&cmd, argc, argv, NULL);
  size_t off = 0;
  void *reply = NULL;
  if (len < 0)
    return NULL;
  while (off < (size_t)len) {
    ssize_t n = send(c->fd, cmd + off, (size_t)len - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      c->err = REDIS_ERR_IO;
      snprintf(c->errstr, sizeof(c->errstr), "%s",
               n < 0 ? strerror(errno) : "connection closed");
      break;
    }
    off += (size_t)n;
  }
  dg_secret_wipe(cmd, (size_t)len);
  redisFreeCommand(cmd);
  if (off != (size_t)len || redisGetReply(c, &reply) != REDIS_OK)
    return NULL;
  return reply;
}

/* Run one setup command on the fresh connection. */
static int setup_command(dg_redis_t *r, const char *what, int argc,
                         const char **argv) {
  redisReply *reply = command_wiped(r->ctx, argc, argv);
  if (reply == NULL) {
    drop_io(r, what);
    return -1;
  }
  if (reply->type == REDIS_REPLY_ERROR) {
    /* Name the option that fixes it: no password sent, or a wrong one
     * (WRONGPASS; "invalid password" before Redis 6). */
    int noauth = strncmp(reply->str, "NOAUTH", 6) == 0;
    int wrongpass = strncmp(reply->str, "WRONGPASS", 9) == 0 ||
                    strstr(reply->str, "invalid password") != NULL;
    snprintf(r->last_err, sizeof(r->last_err), "%s: %s refused: %.200s%s",
             r->endpoint, what, reply->str,
             noauth      ? " (set RedisPasswordFile)"
             : wrongpass ? " (check the password in RedisPasswordFile, or in "
                           "RedisURL)"
                         : "");
    freeReplyObject(reply);
    dg_redis_disconnect(r);
    return -1;
  }
  freeReplyObject(reply);
  return 0;
}

static long long monotonic_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Subscribe to the sentinels' failover announcements, at most once a
 * second. Without them a failover is noticed only when the old master
 * refuses a write or drops the connection. A failure is logged once, and
 * its end. */
static int start_watch(dg_redis_t *r) {
  char why[1024];
  long long now = monotonic_ms();
  if (r->watch != NULL)
    return 0;
  if (r->watch_tried_ms != 0 && now - r->watch_tried_ms < 1000)
    return -1;
  r->watch_tried_ms = now;
  r->watch = dg_sentinel_watch(&r->url, r->timeout_ms, &r->sentinel_first, why,
                               sizeof(why));
  if (r->watch == NULL && !r->watch_failing)
    dg_log(LOG_WARNING,
           "event=sentinel_watch_failed master=%s error=\"%s\" "
           "action=\"retrying every second; a failover is seen meanwhile "
           "only when the old master refuses writes\"",
           r->url.master_name, why);
  else if (r->watch != NULL && r->watch_failing)
    dg_log(LOG_NOTICE, "event=sentinel_watch_restored master=%s",
           r->url.master_name);
  r->watch_failing = r->watch == NULL;
  return r->watch != NULL ? 0 : -1;
}

/* 1 when the master we are connected to may have been deposed: a failover
 * was announced, or the watch was lost and, started again, the sentinels
 * name another master (a switch may have gone unheard meanwhile). While no
 * sentinel answers, 0: the master ROLE verified stays in use. */
static int master_moved(dg_redis_t *r) {
  dg_redis_addr_t m;
  char why[1024];
  if (r->watch != NULL) {
    int rc = dg_sentinel_switched(r->watch, r->url.master_name);
    if (rc == 0)
      return 0;
    redisFree(r->watch);
    r->watch = NULL;
    if (rc == 1)
      return 1;
  }
  if (start_watch(r) != 0 ||
      dg_sentinel_master_addr(&r->url, r->timeout_ms, &r->sentinel_first, &m,
                              why, sizeof(why)) != 0)
    return 0;
  return strcmp(m.host, r->master.host) != 0 || m.port != r->master.port;
}

/* redis-sentinel://: where the sentinels say the master is now, into
 * r->master and r->endpoint; a move is logged. */
static int find_master(dg_redis_t *r) {
  dg_redis_addr_t m;
  const dg_redis_addr_t *s;
  if (dg_sentinel_master_addr(&r->url, r->timeout_ms, &r->sentinel_first, &m,
                              r->last_err, sizeof(r->last_err)) != 0)
    return -1;
  s = &r->url.sentinels[r->sentinel_first];
  if (strcmp(m.host, r->master.host) != 0 || m.port != r->master.port)
    dg_log(LOG_NOTICE,
           "event=redis_master master=%s addr=%s:%d previous=%s:%d "
           "sentinel=%s:%d",
           r->url.master_name, m.host, m.port,
           r->master.host[0] ? r->master.host : "none", r->master.port, s->host,
           s->port);
  r->master = m;
  snprintf(r->endpoint, sizeof(r->endpoint), "redis master '%.128s' at %s:%d",
           r->url.master_name, m.host, m.port);
  return 0;
}

/* ROLE on the fresh connection to a sentinel's candidate: only a master
 * that says so itself is written to (a sentinel may still name a master
 * that was demoted a moment ago). */
static int check_role(dg_redis_t *r) {
  redisReply *reply = redisCommand(r->ctx, "ROLE");
  const char *role = NULL;
  if (reply == NULL) {
    drop_io(r, "ROLE");
    return -1;
  }
  if (reply->type == REDIS_REPLY_ARRAY && reply->elements > 0 &&
      reply->element[0]->type == REDIS_REPLY_STRING)
    role = reply->element[0]->str;
  if (role != NULL && strcmp(role, "master") == 0) {
    freeReplyObject(reply);
    return 0;
  }
  snprintf(r->last_err, sizeof(r->last_err),
           "%s: ROLE %s%.200s: not the master (a failover under way?); the "
           "next command asks the sentinels again",
           r->endpoint, reply->type == REDIS_REPLY_ERROR ? "refused: " : "is ",
           reply->type == REDIS_REPLY_ERROR ? reply->str
           : role != NULL                   ? role
                                            : "unreadable");
  freeReplyObject(reply);
  dg_redis_disconnect(r);
  return -1;
}

static int connect_now(dg_redis_t *r) {
  struct timeval tv = {r->timeout_ms / 1000, (r->timeout_ms % 1000) * 1000};
  char db[16];
  if (r->url.n_sentinels > 0) {
    /* Watch first, then ask: a switch in between is then heard too. What
     * the watch said before this connect is old news. */
    if (r->watch != NULL &&
        dg_sentinel_switched(r->watch, r->url.master_name) < 0) {
      redisFree(r->watch);
      r->watch = NULL;
    }
    start_watch(r);
    if (find_master(r) != 0)
      return -1;
    r->ctx = redisConnectWithTimeout(r->master.host, r->master.port, tv);
  } else if (r->url.unix_path[0] != '\0')
    r->ctx = redisConnectUnixWithTimeout(r->url.unix_path, tv);
  else
    r->ctx = redisConnectWithTimeout(r->url.host, r->url.port, tv);
  if (r->ctx == NULL) {
    snprintf(r->last_err, sizeof(r->last_err), "%s: connect: out of memory",
             r->endpoint);
    return -1;
  }
  r->connections++;
  if (r->ctx->err != 0) {
    drop_io(r, "connect");
    return -1;
  }
  /* Without a reply timeout a server that stops answering hangs us. */
  if (redisSetTimeout(r->ctx, tv) != REDIS_OK) {
    drop_io(r, "set timeout");
    return -1;
  }
  if (r->url.unix_path[0] == '\0')
    redisEnableKeepAlive(r->ctx);
  if (r->url.password[0] != '\0') {
    /* AUTH [user] password: the user form is Redis 6 ACL. */
    const char *argv[3] = {"AUTH", r->url.username, r->url.password};
    int argc = 3;
    if (r->url.username[0] == '\0') {
      argv[1] = r->url.password;
      argc = 2;
    }
    if (setup_command(r, "AUTH", argc, argv) != 0)
      return -1;
  }
  if (r->url.n_sentinels > 0 && check_role(r) != 0)
    return -1;
  /* SELECT even db 0: it proves the connection is authorised now rather
   * than at the caller's first command. */
  snprintf(db, sizeof(db), "%d", r->url.db);
  const char *select[2] = {"SELECT", db};
  if (setup_command(r, "SELECT", 2, select) != 0)
    return -1;
  r->last_err[0] = '\0';
  return 0;
}

int dg_redis_connect(dg_redis_t *r, char *err, size_t errlen) {
  if (r->ctx != NULL)
    return 0;
  if (connect_now(r) == 0)
    return 0;
  if (err != NULL && errlen > 0)
    snprintf(err, errlen, "%s", r->last_err);
  return -1;
}

redisContext *dg_redis_context(dg_redis_t *r) {
  if (r->ctx != NULL && r->url.n_sentinels > 0 && master_moved(r)) {
    dg_log(LOG_WARNING,
           "event=redis_failover_announced endpoint=\"%s\" action=reconnect",
           r->endpoint);
    dg_redis_disconnect(r);
  }
  return dg_redis_connect(r, NULL, 0) == 0 ? r->ctx : NULL;
}

/* 1 when reply says the server is no longer the master we connected to:
 * READONLY (demoted to a replica), MASTERDOWN (a replica cut off from its
 * master), UNBLOCKED (a blocking read ended by a role change), NOREPLICAS
 * (a master with min-replicas-to-write that lost its replicas: what a
 * deposed master says once the promoted replica left it), or a transaction
 * discarded for one of these. */
static int role_changed(const redisReply *reply) {
  static const char *const codes[] = {"READONLY ", "MASTERDOWN ", "UNBLOCKED ",
                                      "NOREPLICAS "};
  if (reply == NULL || reply->type != REDIS_REPLY_ERROR)
    return 0;
  for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
    if (strncmp(reply->str, codes[i], strlen(codes[i])) == 0)
      return 1;
  return strncmp(reply->str, "EXECABORT ", 10) == 0 &&
         (strstr(reply->str, "READONLY") != NULL ||
          strstr(reply->str, "NOREPLICAS") != NULL);
}

/* After a reply saying the server is not the master any more, drop the
 * connection: the next command connects afresh (with Sentinel, to where
 * the master is now). */
static void drop_if_role_changed(dg_redis_t *r, const redisReply *reply) {
  if (!role_changed(reply))
    return;
  dg_log(LOG_WARNING,
         "event=redis_role_changed endpoint=\"%s\" error=\"%.60s\" "
         "action=reconnect",
         r->endpoint, reply->str);
  dg_redis_disconnect(r);
}

/* Line n (from 1) of text into out, trimmed; "" when there is none. */
static void text_line(const char *text, long n, char *out, size_t size) {
  const char *end;
  out[0] = '\0';
  for (; n > 1 && text != NULL; n--)
    text = (text = strchr(text, '\n')) != NULL ? text + 1 : NULL;
  if (text == NULL || n != 1)
    return;
  text += strspn(text, " ");
  end = strchr(text, '\n');
  snprintf(out, size, "%.*s",
           (int)(end != NULL ? (size_t)(end - text) : strlen(text)), text);
}

/* The ACL user lacks a command or a key: NOPERM, or, from inside a script
 * (Redis 7.0), "The user executing the script can't ..." with the script's
 * line, which names the command (r->script: the script running, if any).
 * Said loudly, naming the user and Redis's own words, once until another
 * refusal, so a poll every second does not repeat it. */
static void log_if_denied(dg_redis_t *r, const redisReply *reply) {
  const char *denied, *at;
  char line[160] = "";
  if (reply->type != REDIS_REPLY_ERROR)
    return;
  if ((denied = strstr(reply->str, "NOPERM")) == NULL &&
      (denied = strstr(reply->str, "The user executing the script can't")) ==
          NULL)
    return;
  if (strncmp(r->last_denied, denied, sizeof(r->last_denied) - 1) == 0)
    return;
  snprintf(r->last_denied, sizeof(r->last_denied), "%s", denied);
  if (r->script != NULL && (at = strstr(denied, "@user_script:")) != NULL)
    text_line(r->script, strtol(at + 13, NULL, 10), line, sizeof(line));
  dg_log(LOG_ERR,
         "event=redis_permission_denied endpoint=\"%s\" user=%s "
         "error=\"%.200s\"%s%s%s action=\"grant it to this user in the "
         "Redis ACL (see packaging/redis/driftguard.acl)\"",
         r->endpoint, r->url.username[0] ? r->url.username : "default", denied,
         line[0] ? " script_line=\"" : "", line, line[0] ? "\"" : "");
}

/* A command's reply: NULL means an I/O error, so drop the connection. An
 * error reply leaves the connection up (unless the role changed); its text
 * becomes the last error. */
static redisReply *checked_reply(dg_redis_t *r, redisReply *reply) {
  if (reply == NULL)
    drop_io(r, "command");
  else if (reply->type == REDIS_REPLY_ERROR) {
    snprintf(r->last_err, sizeof(r->last_err), "%s: %.300s", r->endpoint,
             reply->str);
    log_if_denied(r, reply);
    drop_if_role_changed(r, reply);
  } else
    r->last_err[0] = '\0';
  return reply;
}

redisReply *dg_redis_command(dg_redis_t *r, const char *fmt, ...) {
  redisContext *c = dg_redis_context(r);
  void *reply;
  va_list ap;
  if (c == NULL)
    return NULL;
  va_start(ap, fmt);
  reply = redisvCommand(c, fmt, ap);
  va_end(ap);
  return checked_reply(r, reply);
}

redisReply *dg_redis_command_argv(dg_redis_t *r, int argc, const char **argv,
                                  const size_t *argvlen) {
  redisContext *c = dg_redis_context(r);
  if (c == NULL)
    return NULL;
  return checked_reply(r, redisCommandArgv(c, argc, argv, argvlen));
}

/* s->sha, computed on first use, copied to out: -1 if the digest fails.
 * One lock for all scripts: the plugin's accounts run on several collectd
 * read threads and share theirs. */
static int script_sha(dg_redis_script_t *s, char out[41]) {
  static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  static const char hex[] = "0123456789abcdef";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  pthread_mutex_lock(&lock);
  if (s->sha[0] == '\0' &&
      EVP_Digest(s->text, strlen(s->text), md, &len, EVP_sha1(), NULL) == 1 &&
      len == 20) {
    for (unsigned int i = 0; i < len; i++) {
      s->sha[2 * i] = hex[md[i] >> 4];
      s->sha[2 * i + 1] = hex[md[i] & 0x0f];
    }
    s->sha[40] = '\0';
  }
  memcpy(out, s->sha, 41);
  pthread_mutex_unlock(&lock);
  return out[0] != '\0' ? 0 : -1;
}

redisReply *dg_redis_eval(dg_redis_t *r, dg_redis_script_t *s, int argc,
                          const char **argv, const size_t *lens) {
  char sha[41];
  int digested = script_sha(s, sha);
  const char **v = malloc((size_t)(argc + 2) * sizeof(*v));
  size_t *vlen = malloc((size_t)(argc + 2) * sizeof(*vlen));
  redisReply *reply = NULL;
  if (digested != 0 || v == NULL || vlen == NULL) {
    snprintf(r->last_err, sizeof(r->last_err), "%s: %s", r->endpoint,
             digested != 0 ? "cannot digest the script" : "out of memory");
    goto out;
  }
  v[0] = "EVALSHA";
  vlen[0] = 7;
  v[1] = sha;
  vlen[1] = 40;
  for (int i = 0; i < argc; i++) {
    v[i + 2] = argv[i];
    vlen[i + 2] = lens != NULL ? lens[i] : strlen(argv[i]);
  }
  r->script = s->text;
  reply = dg_redis_command_argv(r, argc + 2, v, vlen);
  if (reply != NULL && reply->type == REDIS_REPLY_ERROR &&
      strncmp(reply->str, "NOSCRIPT", 8) == 0) {
    freeReplyObject(reply);
    v[0] = "EVAL";
    vlen[0] = 4;
    v[1] = s->text;
    vlen[1] = strlen(s->text);
    reply = dg_redis_command_argv(r, argc + 2, v, vlen);
  }
  r->script = NULL;
out:
  free(v);
  free(vlen);
  return reply;
}

int dg_redis_pipeline_collect(dg_redis_t *r, redisReply **replies, size_t n) {
  for (size_t i = 0; i < n; i++)
    replies[i] = NULL;
  if (r->ctx == NULL) {
    snprintf(r->last_err, sizeof(r->last_err), "%s: pipeline: not connected",
             r->endpoint);
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    void *reply = NULL;
    if (redisGetReply(r->ctx, &reply) != REDIS_OK || reply == NULL) {
      drop_io(r, "pipeline");
      for (size_t j = 0; j < i; j++) {
        freeReplyObject(replies[j]);
        replies[j] = NULL;
      }
      return -1;
    }
    replies[i] = reply;
  }
  r->last_err[0] = '\0';
  for (size_t i = 0; i < n && r->ctx != NULL; i++) {
    log_if_denied(r, replies[i]);
    drop_if_role_changed(r, replies[i]);
  }
  return 0;
}
