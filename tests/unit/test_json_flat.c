/* Unit tests for json_flat: members and their exact texts, the two shapes,
 * nested values skipped, strict syntax, limits, and callbacks that stop. */
#include "../tap.h"
#include "driftguard/json_flat.h"

#include <stdio.h>
#include <string.h>

/* What the callbacks saw, as text: "key=KIND:value;" per member and "|"
 * at the end of each object. */
typedef struct {
  char seen[1024];
  const char *stop_at; /* member key whose callback refuses */
} record_t;

static void append(record_t *r, const char *s, size_t len) {
  size_t at = strlen(r->seen);
  if (at + len < sizeof r->seen) {
    memcpy(r->seen + at, s, len);
    r->seen[at + len] = '\0';
  }
}

static int on_member(void *ctx, const char *key, size_t key_len,
                     const dg_json_value_t *v, char *err, size_t errlen) {
  static const char *const kinds[] = {"S", "N", "T", "F", "Z", "X"};
  record_t *r = ctx;
  if (r->stop_at != NULL && strcmp(key, r->stop_at) == 0) {
    snprintf(err, errlen, "member %s refused", key);
    return -1;
  }
  append(r, key, key_len);
  append(r, "=", 1);
  append(r, kinds[v->kind], 1);
  append(r, ":", 1);
  if (v->text != NULL)
    append(r, v->text, v->len);
  append(r, ";", 1);
  return 0;
}

static int on_end(void *ctx, size_t index, char *err, size_t errlen) {
  char mark[16];
  (void)err;
  (void)errlen;
  snprintf(mark, sizeof mark, "|%zu", index);
  append(ctx, mark, strlen(mark));
  return 0;
}

static const dg_json_flat_cb_t cb = {.member = on_member, .object_end = on_end};

static int parse(const char *text, dg_json_shape_t shape, record_t *r,
                 char *err, size_t errlen) {
  memset(r->seen, 0, sizeof r->seen);
  return dg_json_flat_parse(text, strlen(text), shape, &cb, r, err, errlen);
}

static void test_members(void) {
  record_t r = {0};
  char err[128];
  ok(parse(" {\"a\" : \"x\\\"\\u00e9\", \"n\": -12.50e+0, \"t\": true,"
           "\"f\":false, \"z\": null, \"o\": {\"deep\": [1, {\"k\": 2}]},"
           "\"l\": [], \"after\": 7}\n",
           DG_JSON_ONE_OBJECT, &r, err, sizeof err) == 0,
     "one object read");
  is_str(r.seen,
         "a=S:x\"\xc3\xa9;n=N:-12.50e+0;t=T:;f=F:;z=Z:;o=X:;l=X:;after=N:7;|0",
         "members in order: decoded strings, numbers as written, nested "
         "values reported once and skipped");

  ok(parse("[{\"s\":\"A\"},{},{\"s\":\"B\",\"x\":[{\"s\":\"no\"}]}]",
           DG_JSON_ARRAY_OF_OBJECTS, &r, err, sizeof err) == 0,
     "array of objects read");
  is_str(r.seen, "s=S:A;|0|1s=S:B;x=X:;|2",
         "each object ends with its index; nested members not seen");

  ok(parse("[]", DG_JSON_ARRAY_OF_OBJECTS, &r, err, sizeof err) == 0 &&
         r.seen[0] == '\0',
     "empty array: no object");
}

static void test_refused(void) {
  static const struct {
    const char *text;
    dg_json_shape_t shape;
    const char *why;
  } bad[] = {
      {"[{}]", DG_JSON_ONE_OBJECT, "not a JSON object"},
      {"\"x\"", DG_JSON_ONE_OBJECT, "not a JSON object"},
      {"{}", DG_JSON_ARRAY_OF_OBJECTS, "not a JSON array"},
      {"[{}, 3]", DG_JSON_ARRAY_OF_OBJECTS, "array element 1 is not an object"},
      {"[[]]", DG_JSON_ARRAY_OF_OBJECTS, "array element 0 is not an object"},
      {"", DG_JSON_ONE_OBJECT, "not JSON"},
      {"  \n", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":1} x", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":1}{}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":1,}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":01}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":tru}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{'a':1}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{/* c */\"a\":1}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":\"\xff\"}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":\"\x01\"}", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\":1", DG_JSON_ONE_OBJECT, "not JSON"},
      {"{\"a\\u0000b\":1}", DG_JSON_ONE_OBJECT, "key contains a NUL"},
      {"{\"a\":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}", DG_JSON_ONE_OBJECT,
       "nested more than"},
  };
  record_t r = {0};
  char err[128];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    int rc = parse(bad[i].text, bad[i].shape, &r, err, sizeof err);
    ok(rc == -1 && strstr(err, bad[i].why) != NULL, "refused (%s): %s",
       bad[i].why, err);
  }
  {
    char deep[64] = "{\"a\":";
    for (int i = 1; i < DG_JSON_FLAT_MAX_DEPTH; i++)
      strcat(deep, "[");
    for (int i = 1; i < DG_JSON_FLAT_MAX_DEPTH; i++)
      strcat(deep, "]");
    strcat(deep, "}");
    ok(parse(deep, DG_JSON_ONE_OBJECT, &r, err, sizeof err) == 0,
       "nesting up to the limit is read");
  }
  {
    char text[400];
    snprintf(text, sizeof text, "{\"%0*d\":1}", DG_JSON_FLAT_MAX_KEY + 1, 0);
    ok(parse(text, DG_JSON_ONE_OBJECT, &r, err, sizeof err) == -1 &&
           strstr(err, "key longer") != NULL,
       "a key longer than the limit is refused");
  }
  ok(dg_json_flat_parse("{", 1, DG_JSON_ONE_OBJECT, &cb, &r, NULL, 0) == -1,
     "err may be NULL");
}

static void test_callback_stops(void) {
  record_t r = {.stop_at = "b"};
  char err[128];
  ok(parse("{\"a\":1,\"b\":2,\"c\":3}", DG_JSON_ONE_OBJECT, &r, err,
           sizeof err) == -1,
     "a callback's refusal fails the parse");
  is_str(err, "member b refused", "with the callback's reason");
  is_str(r.seen, "a=N:1;", "nothing after the refusal is seen");
}

int main(void) {
  test_members();
  test_refused();
  test_callback_stops();
  return tap_done();
}
