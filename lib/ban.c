/* ban.c - the shared exchange ban (P:exchange:ban_until) in Redis. */
#include "driftguard/ban.h"

#include "driftguard/keys.h"
#include "driftguard/log.h"

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

static int ban_key(char *key, size_t size, const char *prefix) {
  if (dg_key_ban_until(key, size, prefix) < 0) {
    dg_log(LOG_ERR, "ban: key prefix too long");
    return -1;
  }
  return 0;
}

int dg_ban_store(dg_redis_t *r, const char *prefix, int64_t until_ms,
                 int64_t now_ms) {
  char key[DG_KEY_MAX];
  redisReply *reply;
  int rc;
  if (until_ms <= now_ms)
    return 0;
  if (ban_key(key, sizeof(key), prefix) != 0)
    return -1;
  reply = dg_redis_command(r, "EVAL %s 1 %s %" PRId64 " %" PRId64, store_script,
                           key, until_ms, until_ms - now_ms);
  if (reply == NULL)
    return -1;
  rc = reply->type == REDIS_REPLY_INTEGER ? 0 : -1;
  if (rc != 0)
    dg_log(LOG_ERR, "ban: storing %s failed: %s", key,
           reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply");
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
                 int64_t *until_ms) {
  char key[DG_KEY_MAX];
  redisReply *reply;
  int64_t until = 0;
  int rc;
  if (ban_key(key, sizeof(key), prefix) != 0)
    return -1;
  reply = dg_redis_command(r, "GET %s", key);
  if (reply == NULL)
    return -1;
  if (reply->type == REDIS_REPLY_NIL) {
    rc = 0;
  } else if (reply->type == REDIS_REPLY_STRING &&
             parse_ms(reply->str, &until) == 0) {
    rc = until > now_ms;
  } else if (reply->type == REDIS_REPLY_STRING ||
             (reply->type == REDIS_REPLY_ERROR &&
              strncmp(reply->str, "WRONGTYPE", 9) == 0)) {
    dg_log(LOG_WARNING,
           "ban: %s holds a malformed value; treating the exchange as banned "
           "for %d s",
           key, DG_BAN_MALFORMED_MS / 1000);
    until = now_ms + DG_BAN_MALFORMED_MS;
    dg_ban_store(r, prefix, until, now_ms);
    rc = 1;
  } else {
    dg_log(LOG_ERR, "ban: reading %s failed: %s", key,
           reply->type == REDIS_REPLY_ERROR ? reply->str : "unexpected reply");
    rc = -1;
  }
  freeReplyObject(reply);
  if (rc == 1)
    *until_ms = until;
  return rc;
}
