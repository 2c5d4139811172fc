/* limits.c - Binance's IP request-weight limit and its escalation, the
 * windowed request counters and IP bans the other venues build their limits
 * from, and per-path request statistics for the control API.
 *
 * Weight is counted per IP per clock minute. A weighted request that takes
 * the IP over the limit gets 429 (-1003, Retry-After = seconds to the next
 * minute); an IP that keeps calling after SIM_TOLERATED_429 such replies in
 * the same minute is banned: 418 "banned until <ms>" for 2 minutes, doubling
 * with each later ban up to 3 days, as Binance escalates. */
#include "sim.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SIM_MAX_IPS 64
#define SIM_TOLERATED_429 2
#define SIM_FIRST_BAN_MS INT64_C(120000)
#define SIM_MAX_BAN_MS INT64_C(259200000)
#define SIM_MAX_COUNTERS 256

typedef struct {
  char ip[64];
  int64_t window; /* minute number */
  int used;
  int over; /* 429s served in this minute */
  int64_t ban_until;
  int64_t next_ban_ms;
  int64_t last_seen;
} ip_state_t;

typedef struct {
  char key[160];
  int64_t window_end;
  int count;
} counter_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static ip_state_t ips[SIM_MAX_IPS];
static counter_t counters[SIM_MAX_COUNTERS];
static json_object *stats; /* {"total":N,"paths":{},"calls":{},"status":{}} */

/* The IP's slot, recycling the least recently seen one. Lock held. */
static ip_state_t *ip_slot(const char *ip) {
  ip_state_t *oldest = &ips[0];
  for (int i = 0; i < SIM_MAX_IPS; i++) {
    if (ips[i].ip[0] != '\0' && strcmp(ips[i].ip, ip) == 0)
      return &ips[i];
    if (ips[i].last_seen < oldest->last_seen)
      oldest = &ips[i];
  }
  memset(oldest, 0, sizeof(*oldest));
  snprintf(oldest->ip, sizeof(oldest->ip), "%s", ip);
  oldest->next_ban_ms = SIM_FIRST_BAN_MS;
  return oldest;
}

static int seconds_until(int64_t when, int64_t now) {
  return when <= now ? 1 : (int)((when - now + 999) / 1000);
}

static void reply_banned(sim_reply_t *r, const ip_state_t *s, int64_t now) {
  sim_reply_errorf(r, 418, -1003,
                   "Way too many requests; IP(%s) banned until %lld. Please "
                   "use the websocket for live updates to avoid bans.",
                   s->ip, (long long)s->ban_until);
  r->retry_after = seconds_until(s->ban_until, now);
}

static void reply_too_many(sim_reply_t *r, const ip_state_t *s, int64_t now) {
  sim_reply_errorf(r, 429, -1003,
                   "Too many requests; current limit of IP(%s) request weight "
                   "per minute is %d. Please use WebSocket Streams for live "
                   "updates to avoid polling the API.",
                   s->ip, sim_config.weight_limit);
  r->retry_after = seconds_until((now / 60000 + 1) * 60000, now);
}

enum sim_admit sim_limits_admit(const char *ip, int weight, int *used,
                                sim_reply_t *r) {
  int64_t now = sim_now_ms();
  enum sim_admit verdict = SIM_ADMIT_OK;

  pthread_mutex_lock(&lock);
  ip_state_t *s = ip_slot(ip);
  s->last_seen = now;
  if (s->window != now / 60000) {
    s->window = now / 60000;
    s->used = 0;
    s->over = 0;
  }
  s->used += weight;
  if (s->ban_until > now) {
    reply_banned(r, s, now);
    verdict = SIM_ADMIT_418;
  } else if (weight > 0 && s->used > sim_config.weight_limit) {
    if (s->over >= SIM_TOLERATED_429) {
      s->ban_until = now + s->next_ban_ms;
      if (s->next_ban_ms < SIM_MAX_BAN_MS / 2)
        s->next_ban_ms *= 2;
      reply_banned(r, s, now);
      verdict = SIM_ADMIT_418;
    } else {
      s->over++;
      reply_too_many(r, s, now);
      verdict = SIM_ADMIT_429;
    }
  }
  *used = s->used;
  pthread_mutex_unlock(&lock);
  return verdict;
}

void sim_limits_ban(const char *ip, int64_t ban_ms, sim_reply_t *r) {
  int64_t now = sim_now_ms();
  pthread_mutex_lock(&lock);
  ip_state_t *s = ip_slot(ip);
  s->last_seen = now;
  s->ban_until = now + ban_ms;
  reply_banned(r, s, now);
  pthread_mutex_unlock(&lock);
}

void sim_limits_reply_429(const char *ip, sim_reply_t *r) {
  int64_t now = sim_now_ms();
  pthread_mutex_lock(&lock);
  ip_state_t *s = ip_slot(ip);
  s->last_seen = now;
  reply_too_many(r, s, now);
  pthread_mutex_unlock(&lock);
}

int64_t sim_limits_banned_until(const char *ip) {
  int64_t until = 0;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SIM_MAX_IPS; i++)
    if (strcmp(ips[i].ip, ip) == 0)
      until = ips[i].ban_until;
  pthread_mutex_unlock(&lock);
  return until;
}

void sim_limits_set_ban(const char *ip, int64_t until) {
  pthread_mutex_lock(&lock);
  ip_state_t *s = ip_slot(ip);
  s->last_seen = sim_now_ms();
  s->ban_until = until;
  pthread_mutex_unlock(&lock);
}

int sim_limits_count(const char *key, int64_t window_ms, int64_t *reset_ms) {
  int64_t now = sim_now_ms(), end = (now / window_ms + 1) * window_ms;
  counter_t *c = NULL, *oldest = &counters[0];
  int count;

  pthread_mutex_lock(&lock);
  for (int i = 0; i < SIM_MAX_COUNTERS && c == NULL; i++) {
    if (strcmp(counters[i].key, key) == 0)
      c = &counters[i];
    else if (counters[i].window_end < oldest->window_end)
      oldest = &counters[i];
  }
  if (c == NULL) { /* a new key takes the stalest slot */
    c = oldest;
    snprintf(c->key, sizeof(c->key), "%s", key);
    c->window_end = 0;
  }
  if (c->window_end != end) {
    c->window_end = end;
    c->count = 0;
  }
  count = ++c->count;
  pthread_mutex_unlock(&lock);
  *reset_ms = end;
  return count;
}

int sim_limits_used(const char *ip) {
  int used = 0;
  int64_t now = sim_now_ms();
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SIM_MAX_IPS; i++)
    if (strcmp(ips[i].ip, ip) == 0 && ips[i].window == now / 60000)
      used = ips[i].used;
  pthread_mutex_unlock(&lock);
  return used;
}

/* stats[group][key] += 1. Lock held. */
static void bump(const char *group, const char *key) {
  json_object *g, *v;
  if (!json_object_object_get_ex(stats, group, &g)) {
    g = json_object_new_object();
    json_object_object_add(stats, group, g);
  }
  if (json_object_object_get_ex(g, key, &v))
    json_object_set_int64(v, json_object_get_int64(v) + 1);
  else
    json_object_object_add(g, key, json_object_new_int64(1));
}

void sim_stats_count(const char *method, const char *path, int status) {
  char call[160], code[16];
  json_object *total;
  snprintf(call, sizeof(call), "%s %s", method, path);
  snprintf(code, sizeof(code), "%d", status);
  pthread_mutex_lock(&lock);
  if (stats == NULL) {
    stats = json_object_new_object();
    json_object_object_add(stats, "total", json_object_new_int64(0));
  }
  json_object_object_get_ex(stats, "total", &total);
  json_object_set_int64(total, json_object_get_int64(total) + 1);
  bump("paths", path);
  bump("calls", call);
  bump("status", code);
  pthread_mutex_unlock(&lock);
}

json_object *sim_stats_json(void) {
  json_object *copy = NULL;
  pthread_mutex_lock(&lock);
  if (stats == NULL || json_object_deep_copy(stats, &copy, NULL) != 0)
    copy = json_object_new_object();
  pthread_mutex_unlock(&lock);
  if (!json_object_object_get_ex(copy, "total", NULL))
    json_object_object_add(copy, "total", json_object_new_int64(0));
  return copy;
}

void sim_limits_reset(void) {
  pthread_mutex_lock(&lock);
  memset(ips, 0, sizeof(ips));
  memset(counters, 0, sizeof(counters));
  json_object_put(stats);
  stats = NULL;
  pthread_mutex_unlock(&lock);
}

void sim_limits_free(void) {
  sim_limits_reset();
}
