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
#include "driftguard/secret.h"

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

#define REDIS_DEFAULT_PORT 6379
#define REDIS_DEFAULT_TIMEOUT_MS 5000
#define REDIS_DB_MAX 1000000

struct dg_redis {
  dg_redis_url_t url; /* password field holds the effective password */
  int timeout_ms;     /* connect and reply timeout */
  redisContext *ctx;  /* NULL when not connected */
  char endpoint[300]; /* "redis 127.0.0.1:6379" for messages */
  char last_err[1024];
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

/* host[:port] or [v6addr][:port] */
static int parse_hostport(const char *s, size_t len, dg_redis_url_t *out,
                          char *err, size_t errlen) {
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
  if (hostlen == 0 || hostlen >= sizeof(out->host)) {
    snprintf(err, errlen, "%s host name", hostlen ? "too long a" : "missing");
    return -1;
  }
  memcpy(out->host, host, hostlen);
  out->host[hostlen] = '\0';
  out->port = REDIS_DEFAULT_PORT;
  if (port != NULL &&
      parse_bounded(port, (size_t)(s + len - port), 1, 65535, &out->port)) {
    snprintf(err, errlen, "port must be a number from 1 to 65535");
    return -1;
  }
  return 0;
}

int dg_redis_url_parse(const char *url, dg_redis_url_t *out, char *err,
                       size_t errlen) {
  const char *rest, *at, *end;
  int is_unix;
  memset(out, 0, sizeof(*out));
  if (strncmp(url, "redis://", 8) == 0) {
    is_unix = 0;
    rest = url + 8;
  } else if (strncmp(url, "unix://", 7) == 0) {
    is_unix = 1;
    rest = url + 7;
  } else {
    snprintf(err, errlen,
             "%s; expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB] or "
             "unix://[[USER]:PASSWORD@]/PATH[?db=N]",
             strncmp(url, "rediss://", 9) == 0
                 ? "TLS (rediss://) is not supported"
                 : "unsupported URL scheme");
    return -1;
  }
  /* The last '@' ends the credentials: a password may contain '@' and '/',
   * a host, path or db never contains '@'. */
  at = strrchr(rest, '@');
  if (at != NULL) {
    if (parse_userinfo(rest, (size_t)(at - rest), out, err, errlen) != 0)
      goto fail;
    rest = at + 1;
  }

  if (is_unix) {
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
  if (parse_hostport(rest, end ? (size_t)(end - rest) : strlen(rest), out, err,
                     errlen) != 0)
    goto fail;
  if (end != NULL && end[1] != '\0' &&
      parse_bounded(end + 1, strlen(end + 1), 0, REDIS_DB_MAX, &out->db) != 0) {
    snprintf(err, errlen, "database after '/' must be a number from 0");
    goto fail;
  }
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
  if (url->unix_path[0] != '\0')
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
  dg_secret_free(r, sizeof(*r));
}

const char *dg_redis_last_error(const dg_redis_t *r) {
  return r->last_err;
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

/* Run one setup command on the fresh connection. */
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

static int connect_now(dg_redis_t *r) {
  struct timeval tv = {r->timeout_ms / 1000, (r->timeout_ms % 1000) * 1000};
  char db[16];
  if (r->url.unix_path[0] != '\0')
    r->ctx = redisConnectUnixWithTimeout(r->url.unix_path, tv);
  else
    r->ctx = redisConnectWithTimeout(r->url.host, r->url.port, tv);
  if (r->ctx == NULL) {
    snprintf(r->last_err, sizeof(r->last_err), "%s: connect: out of memory",
             r->endpoint);
    return -1;
  }
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
  return dg_redis_connect(r, NULL, 0) == 0 ? r->ctx : NULL;
}

/* A command's reply: NULL means an I/O error, so drop the connection. An
 * error reply leaves the connection up; its text becomes the last error. */
static redisReply *checked_reply(dg_redis_t *r, redisReply *reply) {
  if (reply == NULL)
    drop_io(r, "command");
  else if (reply->type == REDIS_REPLY_ERROR)
    snprintf(r->last_err, sizeof(r->last_err), "%s: %.300s", r->endpoint,
             reply->str);
  else
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
  return 0;
}
