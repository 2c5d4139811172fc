/* ban.c - the shared exchange ban (P:exchange:ban_until) in Redis. A
 * library: it reports what went wrong in err, and its caller logs it in
 * its own way (collectd's log in the plugin, the executor's, ctl's
 * stderr). */
#include "driftguard/ban.h"

#include "driftguard/keys.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A stored ban is a ms epoch: 1 to 15 decimal digits, nothing else. The
 * script and parse_ms() below must agree on this. */
#define BAN_DIGITS_MAX 15

/* KEYS[1] ban key; ARGV[1] until (ms), ARGV[2] TTL (ms). A later stored ban
 * is kept; a malformed stored value (even of the wrong type: pcall) is
 * replaced. */
static const char store_script[] =
    "local cur = redis.pcall('GET', KEYS[1])\n"
    "if type(cur) == 'string' and #cur <= 15 and string.match(cur, '^%d+$')\n"
    "   and tonumber(cur) >= tonumber(ARGV[1]) then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
    "return 1\n";

int64_t dg_ban_until_of(const dg_ex_result_t *res) {
  if (res->status != DG_EX_RATE_LIMIT && res->status != DG_EX_BANNED)
    return 0;
  return res->ban_until_ms > res->retry_after_ms ? res->ban_until_ms
                                                 : res->retry_after_ms;
}

static int ban_key(char *key, size_t size, const char *prefix, char *err,
                   size_t errlen) {
  if (dg_key_ban_until(key, size, prefix) < 0) {
    snprintf(err, errlen, "key prefix too long for the exchange ban key");
    return -1;
  }
  return 0;
}

/* err from a failed command: its error reply, or the connection's error. */
static void reply_error(dg_redis_t *r, const redisReply *reply,
                        const char *what, const char *key, char *err,
                        size_t errlen) {
  snprintf(err, errlen, "%s %s: %s", what, key,
           reply == NULL                      ? dg_redis_last_error(r)
           : reply->type == REDIS_REPLY_ERROR ? reply->str
                                              : "unexpected reply");
}

int dg_ban_store(dg_redis_t *r, const char *prefix, int64_t until_ms,
                 int64_t now_ms, char *err, size_t errlen) {
  char key[DG_KEY_MAX];
  redisReply *reply;
  int rc;
  err[0] = '\0';
  if (until_ms <= now_ms)
    return 0;
  if (ban_key(key, sizeof(key), prefix, err, errlen) != 0)
    return -1;
  reply = dg_redis_command(r, "EVAL %s 1 %s %" PRId64 " %" PRId64, store_script,
                           key, until_ms, until_ms - now_ms);
  rc = reply != NULL && reply->type == REDIS_REPLY_INTEGER ? 0 : -1;
  if (rc != 0)
    reply_error(r, reply, "storing", key, err, errlen);
  if (reply != NULL)
    freeReplyObject(reply);
  return rc;
}

/* A decimal ms epoch, nothing else. */
static int parse_ms(const char *s, int64_t *out) {
  char *end;
  long long v;
  if (*s < '0' || *s > '9' || strlen(s) > BAN_DIGITS_MAX)
    return -1;
  errno = 0;
  v = strtoll(s, &end, 10);
  if (errno != 0 || *end != '\0')
    return -1;
  *out = v;
  return 0;
}

int dg_ban_check(dg_redis_t *r, const char *prefix, int64_t now_ms,
                 int64_t *until_ms, char *err, size_t errlen) {
  char key[DG_KEY_MAX], store_err[128];
  redisReply *reply;
  int64_t until = 0;
  int rc;
  err[0] = '\0';
  if (ban_key(key, sizeof(key), prefix, err, errlen) != 0)
    return -1;
  reply = dg_redis_command(r, "GET %s", key);
  if (reply == NULL) {
    reply_error(r, NULL, "reading", key, err, errlen);
    return -1;
  }
  if (reply->type == REDIS_REPLY_NIL) {
    rc = 0;
  } else if (reply->type == REDIS_REPLY_STRING &&
             parse_ms(reply->str, &until) == 0) {
    rc = until > now_ms;
  } else if (reply->type == REDIS_REPLY_STRING ||
             (reply->type == REDIS_REPLY_ERROR &&
              strncmp(reply->str, "WRONGTYPE", 9) == 0)) {
    until = now_ms + DG_BAN_MALFORMED_MS;
    snprintf(err, errlen,
             "%s holds a malformed value; treating the exchange as banned "
             "for %d s",
             key, DG_BAN_MALFORMED_MS / 1000);
    if (dg_ban_store(r, prefix, until, now_ms, store_err, sizeof store_err) !=
        0)
      snprintf(err + strlen(err), errlen - strlen(err), " (%s)", store_err);
    rc = 1;
  } else {
    reply_error(r, reply, "reading", key, err, errlen);
    rc = -1;
  }
  freeReplyObject(reply);
  if (rc == 1)
    *until_ms = until;
  return rc;
}
