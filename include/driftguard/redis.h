/* redis.h - Redis connection from a RedisURL with hiredis: parse the URL
 * (redis://[[user]:password@]host[:port][/db],
 * unix://[[user]:password@]/path[?db=N],
 * redis-sentinel://[[user]:password@]host[:port][,host[:port]...][/db]#name:
 * the master named name, found through any of the sentinels and checked
 * with ROLE before use), connect with a
 * connect timeout AND a reply timeout (redisSetTimeout, or a silent server
 * hangs the caller), AUTH, SELECT, and reconnect on the next call after an
 * I/O error or a reply saying the server is no longer a master (READONLY,
 * MASTERDOWN, UNBLOCKED): with Sentinel, that reconnect asks the sentinels
 * where the master is now. */
#ifndef DRIFTGUARD_REDIS_H
#define DRIFTGUARD_REDIS_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#define DG_REDIS_SENTINELS_MAX 8
#define DG_REDIS_SENTINEL_DEFAULT_PORT 26379

typedef struct {
  char host[256];
  int port;
} dg_redis_addr_t;

typedef struct {
  char host[256]; /* empty for unix sockets and Sentinel URLs */
  int port;
  char unix_path[256]; /* empty for TCP */
  int db;
  char username[256]; /* ACL user from the URL, may be empty */
  char password[256]; /* from the URL, may be empty; the master's and the
                         replicas', offered to a sentinel that asks for it */
  /* redis-sentinel:// only: the sentinels, in the URL's order, and the
   * master's name (n_sentinels 0 for the other schemes). */
  int n_sentinels;
  dg_redis_addr_t sentinels[DG_REDIS_SENTINELS_MAX];
  char master_name[128];
} dg_redis_url_t;

/* Returns 0, -1 with a reason in err (never echoing the password). */
int dg_redis_url_parse(const char *url, dg_redis_url_t *out, char *err,
                       size_t errlen);

typedef struct dg_redis dg_redis_t;

/* password overrides the URL's when non-NULL (RedisPasswordFile). */
dg_redis_t *dg_redis_new(const dg_redis_url_t *url, const char *password,
                         int timeout_ms);
void dg_redis_free(dg_redis_t *r);

/* Connect now if not connected. Returns 0, -1 with a reason in err. */
int dg_redis_connect(dg_redis_t *r, char *err, size_t errlen);
/* The live context, connecting first if needed; NULL when Redis is down. */
redisContext *dg_redis_context(dg_redis_t *r);
/* Run one command; on an I/O error drop the connection (the next call
 * reconnects) and return NULL. Caller frees the reply. */
redisReply *dg_redis_command(dg_redis_t *r, const char *fmt, ...);
redisReply *dg_redis_command_argv(dg_redis_t *r, int argc, const char **argv,
                                  const size_t *argvlen);
/* A Lua script run by its SHA1 (EVALSHA). The SHA1 is worked out here,
 * once, so the text itself only travels when Redis does not have it
 * (after a restart or SCRIPT FLUSH: NOSCRIPT), with EVAL, which caches it
 * again. */
typedef struct {
  const char *text;
  char sha[41]; /* hex SHA1 of text, "" until first used */
} dg_redis_script_t;
#define DG_REDIS_SCRIPT(text)                                                  \
  { (text), "" }

/* Run s: argv[0..argc) is NUMKEYS, the keys, then the arguments (lens NULL:
 * strlen each). EVALSHA, then EVAL once if Redis answers NOSCRIPT (the
 * script did not run). Same contract as dg_redis_command_argv. */
redisReply *dg_redis_eval(dg_redis_t *r, dg_redis_script_t *s, int argc,
                          const char **argv, const size_t *lens);
/* Pipelining: append n commands with redisAppendCommand on
 * dg_redis_context(), then collect them here in one round trip. Returns 0
 * and n replies, or -1 (connection dropped, replies freed). */
int dg_redis_pipeline_collect(dg_redis_t *r, redisReply **replies, size_t n);
/* Mark the connection broken (after an error seen by the caller). */
void dg_redis_disconnect(dg_redis_t *r);
/* How many connections r has made. Two replies read while this stayed the
 * same came over one connection: WAIT then speaks for the writes before it
 * (a WAIT on a fresh connection counts replicas, not acknowledgements). */
unsigned long dg_redis_connection_number(const dg_redis_t *r);
/* What r talks to, for messages: "redis 127.0.0.1:6379", "redis unix:PATH",
 * "redis master 'NAME' at HOST:PORT" (where the sentinels last found it). */
const char *dg_redis_endpoint(const dg_redis_t *r);
/* Why the last connect or command failed ("" if none); never a password.
 * Valid until the next call on r. */
const char *dg_redis_last_error(const dg_redis_t *r);

#endif
