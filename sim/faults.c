/* faults.c - faults injected through POST /sim/faults, consumed in order by
 * the venue requests they match. One entry:
 *   {"path":"/fapi/v1/order","method":"POST","count":1,
 *    "status":429|418|5xx|4xx|2xx, "code":-1007, "msg":"...", "ban_ms":N,
 *    "retry_after":S, "delay_ms":N, "apply":true|false, "body":"<html>..",
 *    "pad_bytes":N}
 * A 2xx status needs a code or a body: an error in a success reply.
 * path and method are optional (absent: any); count defaults to 1, -1 means
 * every matching request until /sim/reset. */
#include "sim.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define SIM_MAX_FAULTS 1024
#define SIM_MAX_PAD_BYTES INT64_C(200000000)

typedef struct {
  char path[128];
  char method[16];
  int64_t count;
  sim_fault_t fault;
} fault_entry_t;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static fault_entry_t faults[SIM_MAX_FAULTS];
static size_t nfaults;

/* Copy an optional string member; -1 when present but not a fitting string. */
static int get_str(json_object *o, const char *key, char *out, size_t size) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v))
    return 0;
  if (!json_object_is_type(v, json_type_string) ||
      (size_t)json_object_get_string_len(v) >= size)
    return -1;
  snprintf(out, size, "%s", json_object_get_string(v));
  return 0;
}

/* An optional integer member; -1 when present but not an integer. */
static int get_int(json_object *o, const char *key, int64_t *out) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v))
    return 0;
  if (!json_object_is_type(v, json_type_int))
    return -1;
  *out = json_object_get_int64(v);
  return 0;
}

static int parse_entry(json_object *o, fault_entry_t *e, char *err,
                       size_t errlen) {
  int64_t status = 0, code = 0, retry = -1, count = 1, ban = 120000, delay = 0,
          pad = 0;
  json_object *apply;

  memset(e, 0, sizeof(*e));
  if (!json_object_is_type(o, json_type_object)) {
    snprintf(err, errlen, "a fault must be a JSON object");
    return -1;
  }
  if (get_str(o, "path", e->path, sizeof(e->path)) != 0 ||
      get_str(o, "method", e->method, sizeof(e->method)) != 0 ||
      get_str(o, "msg", e->fault.msg, sizeof(e->fault.msg)) != 0 ||
      get_str(o, "body", e->fault.body, sizeof(e->fault.body)) != 0 ||
      get_int(o, "status", &status) != 0 || get_int(o, "code", &code) != 0 ||
      get_int(o, "retry_after", &retry) != 0 ||
      get_int(o, "count", &count) != 0 || get_int(o, "ban_ms", &ban) != 0 ||
      get_int(o, "delay_ms", &delay) != 0 ||
      get_int(o, "pad_bytes", &pad) != 0) {
    snprintf(err, errlen, "bad member type in fault %s",
             json_object_to_json_string(o));
    return -1;
  }
  if (json_object_object_get_ex(o, "apply", &apply))
    e->fault.apply = json_object_get_boolean(apply);
  if ((code != 0 || e->fault.body[0]) && status == 0)
    status = sim_config.venue->fault_code_status;
  if ((status != 0 && (status < 200 || status > 599)) ||
      (status >= 300 && status < 400) ||
      (status < 300 && status != 0 && code == 0 && !e->fault.body[0]) ||
      delay < 0 || pad < 0 || pad > SIM_MAX_PAD_BYTES || delay > 600000 ||
      ban <= 0 || count == 0 || count < -1 || retry < -1 ||
      (status == 0 && delay == 0)) {
    snprintf(err, errlen,
             "fault needs status 400-599 (2xx with a code or body) and/or "
             "delay_ms 0-600000, pad_bytes 0-200000000, count >= 1 "
             "or -1, ban_ms > 0: %s",
             json_object_to_json_string(o));
    return -1;
  }
  e->count = count;
  e->fault.status = (int)status;
  e->fault.code = (int)code;
  e->fault.retry_after = (int)retry;
  e->fault.ban_ms = ban;
  e->fault.delay_ms = delay;
  e->fault.pad_bytes = pad;
  return 0;
}

int sim_faults_add(json_object *list, char *err, size_t errlen) {
  fault_entry_t parsed[64];
  size_t n = 0;
  int is_list = json_object_is_type(list, json_type_array);
  size_t len = is_list ? json_object_array_length(list) : 1;

  if (len > sizeof(parsed) / sizeof(parsed[0])) {
    snprintf(err, errlen, "at most 64 faults per request");
    return -1;
  }
  for (size_t i = 0; i < len; i++, n++) {
    json_object *o = is_list ? json_object_array_get_idx(list, i) : list;
    if (parse_entry(o, &parsed[n], err, errlen) != 0)
      return -1;
  }
  pthread_mutex_lock(&lock);
  if (nfaults + n > SIM_MAX_FAULTS) {
    pthread_mutex_unlock(&lock);
    snprintf(err, errlen, "too many pending faults (max %d)", SIM_MAX_FAULTS);
    return -1;
  }
  memcpy(&faults[nfaults], parsed, n * sizeof(parsed[0]));
  nfaults += n;
  pthread_mutex_unlock(&lock);
  return 0;
}

int sim_faults_take(const char *method, const char *path, sim_fault_t *out) {
  int found = 0;
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nfaults && !found; i++) {
    fault_entry_t *e = &faults[i];
    if ((e->path[0] && strcmp(e->path, path) != 0) ||
        (e->method[0] && strcasecmp(e->method, method) != 0))
      continue;
    *out = e->fault;
    found = 1;
    if (e->count > 0 && --e->count == 0) {
      memmove(e, e + 1, (nfaults - i - 1) * sizeof(*e));
      nfaults--;
    }
  }
  pthread_mutex_unlock(&lock);
  return found;
}

json_object *sim_faults_json(void) {
  json_object *arr = json_object_new_array();
  pthread_mutex_lock(&lock);
  for (size_t i = 0; i < nfaults; i++) {
    const fault_entry_t *e = &faults[i];
    json_object *o = json_object_new_object();
    if (e->path[0])
      json_object_object_add(o, "path", json_object_new_string(e->path));
    if (e->method[0])
      json_object_object_add(o, "method", json_object_new_string(e->method));
    json_object_object_add(o, "count", json_object_new_int64(e->count));
    json_object_object_add(o, "status", json_object_new_int(e->fault.status));
    json_object_object_add(o, "code", json_object_new_int(e->fault.code));
    json_object_object_add(o, "delay_ms",
                           json_object_new_int64(e->fault.delay_ms));
    json_object_object_add(o, "apply", json_object_new_boolean(e->fault.apply));
    json_object_array_add(arr, o);
  }
  pthread_mutex_unlock(&lock);
  return arr;
}

void sim_faults_reset(void) {
  pthread_mutex_lock(&lock);
  nfaults = 0;
  pthread_mutex_unlock(&lock);
}

void sim_faults_free(void) {
  sim_faults_reset();
}
