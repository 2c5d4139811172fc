/* json_flat.c - fuzz target: the streaming reader of flat JSON objects
 * (positionRisk), both shapes. Keys are NUL-terminated and as long as
 * said; values point inside the input or are literals. */
#include "fuzz.h"

#include "driftguard/json_flat.h"

#include <string.h>

typedef struct {
  const char *text;
  size_t len;
  size_t objects;
} seen_t;

static int member(void *ctx, const char *key, size_t key_len,
                  const dg_json_value_t *v, char *err, size_t errlen) {
  (void)err;
  (void)errlen;
  (void)ctx;
  DG_FUZZ_CHECK(strlen(key) == key_len && key_len <= DG_JSON_FLAT_MAX_KEY);
  if (v->kind == DG_JSON_NUMBER || v->kind == DG_JSON_STRING)
    DG_FUZZ_CHECK(v->text != NULL || v->len == 0);
  return 0;
}

static int object_end(void *ctx, size_t index, char *err, size_t errlen) {
  seen_t *s = ctx;
  (void)err;
  (void)errlen;
  DG_FUZZ_CHECK(index == s->objects);
  s->objects++;
  return 0;
}

DG_FUZZ_TARGET(json_flat) {
  static const dg_json_flat_cb_t cb = {.member = member,
                                       .object_end = object_end};
  char err[256];
  seen_t s = {(const char *)data, size, 0};
  if (dg_json_flat_parse((const char *)data, size, DG_JSON_ARRAY_OF_OBJECTS,
                         &cb, &s, err, sizeof err) != 0)
    DG_FUZZ_CHECK(err[0] != '\0');
  s.objects = 0;
  if (dg_json_flat_parse((const char *)data, size, DG_JSON_ONE_OBJECT, &cb, &s,
                         err, sizeof err) == 0)
    DG_FUZZ_CHECK(s.objects == 1);
  return 0;
}
