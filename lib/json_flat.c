/* json_flat.c - flat JSON objects streamed with yajl (see json_flat.h).
 *
 * Depth counts the open containers: the members read are those at the
 * depth of the objects themselves (1 for one object, 2 inside an array);
 * anything deeper belongs to a nested value and is skipped. yajl hands
 * numbers over as their text (the yajl_number callback), never as double. */
#include "driftguard/json_flat.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

typedef struct {
  dg_json_shape_t shape;
  size_t obj_depth; /* depth of the objects' members */
  size_t depth;     /* containers open */
  size_t index;     /* objects ended so far */
  int started;      /* the top-level value began */
  const dg_json_flat_cb_t *cb;
  void *ctx;
  char key[DG_JSON_FLAT_MAX_KEY + 1];
  size_t key_len;
  char *err;
  size_t errlen;
} flat_t;

/* Sets the reason and returns 0: yajl stops (yajl_status_client_canceled). */
__attribute__((format(printf, 2, 3))) static int stop(flat_t *f,
                                                      const char *fmt, ...) {
  va_list ap;
  if (f->err != NULL && f->errlen > 0) {
    va_start(ap, fmt);
    vsnprintf(f->err, f->errlen, fmt, ap);
    va_end(ap);
  }
  return 0;
}

/* A value where an object (or, at the top of an array, the array) was
 * expected. */
static int wrong_shape(flat_t *f) {
  if (f->shape == DG_JSON_ONE_OBJECT)
    return stop(f, "not a JSON object");
  if (f->depth == 0)
    return stop(f, "not a JSON array");
  return stop(f, "array element %zu is not an object", f->index);
}

static int member(flat_t *f, dg_json_kind_t kind, const char *text,
                  size_t len) {
  dg_json_value_t v = {.kind = kind, .text = text, .len = len};
  return f->cb->member(f->ctx, f->key, f->key_len, &v, f->err, f->errlen) == 0;
}

static int scalar(flat_t *f, dg_json_kind_t kind, const char *text,
                  size_t len) {
  f->started = 1;
  if (f->depth == f->obj_depth)
    return member(f, kind, text, len);
  if (f->depth < f->obj_depth)
    return wrong_shape(f);
  return 1; /* inside a nested value */
}

static int open_container(flat_t *f, int is_map) {
  f->started = 1;
  if (f->depth >= DG_JSON_FLAT_MAX_DEPTH)
    return stop(f, "JSON nested more than %d deep", DG_JSON_FLAT_MAX_DEPTH);
  if (f->depth == f->obj_depth) {
    if (!member(f, DG_JSON_NESTED, NULL, 0))
      return 0;
  } else if (f->depth < f->obj_depth) {
    /* The top value, or an element of the top array: an object, except
     * the top of an array of objects. */
    int want_map = f->shape == DG_JSON_ONE_OBJECT || f->depth == 1;
    if (is_map != want_map)
      return wrong_shape(f);
  }
  f->depth++;
  return 1;
}

static int close_container(void *ctx) {
  flat_t *f = ctx;
  if (f->depth-- != f->obj_depth)
    return 1;
  /* An object we read has ended. */
  if (f->cb->object_end != NULL &&
      f->cb->object_end(f->ctx, f->index, f->err, f->errlen) != 0)
    return 0;
  f->index++;
  return 1;
}

static int on_null(void *ctx) {
  return scalar(ctx, DG_JSON_NULL, NULL, 0);
}

static int on_boolean(void *ctx, int value) {
  return scalar(ctx, value ? DG_JSON_TRUE : DG_JSON_FALSE, NULL, 0);
}

static int on_number(void *ctx, const char *text, size_t len) {
  return scalar(ctx, DG_JSON_NUMBER, text, len);
}

static int on_string(void *ctx, const unsigned char *text, size_t len) {
  return scalar(ctx, DG_JSON_STRING, (const char *)text, len);
}

static int on_start_map(void *ctx) {
  return open_container(ctx, 1);
}

static int on_start_array(void *ctx) {
  return open_container(ctx, 0);
}

static int on_map_key(void *ctx, const unsigned char *key, size_t len) {
  flat_t *f = ctx;
  if (f->depth != f->obj_depth)
    return 1;
  /* yajl's pointer does not outlive the callback: keep a copy. */
  if (len > DG_JSON_FLAT_MAX_KEY)
    return stop(f, "key longer than %d bytes", DG_JSON_FLAT_MAX_KEY);
  if (memchr(key, '\0', len) != NULL)
    return stop(f, "key contains a NUL character");
  memcpy(f->key, key, len);
  f->key[len] = '\0';
  f->key_len = len;
  return 1;
}

static const yajl_callbacks flat_callbacks = {
    .yajl_null = on_null,
    .yajl_boolean = on_boolean,
    .yajl_number = on_number,
    .yajl_string = on_string,
    .yajl_start_map = on_start_map,
    .yajl_map_key = on_map_key,
    .yajl_end_map = close_container,
    .yajl_start_array = on_start_array,
    .yajl_end_array = close_container,
};

/* yajl's own words for a syntax error, on one line. */
static void syntax_error(yajl_handle h, const char *text, size_t len, char *err,
                         size_t errlen) {
  unsigned char *msg = yajl_get_error(h, 0, (const unsigned char *)text, len);
  const char *m = msg != NULL ? (const char *)msg : "syntax error";
  size_t mlen;
  if (strncmp(m, "parse error: ", 13) == 0)
    m += 13;
  mlen = strcspn(m, "\r\n");
  snprintf(err, errlen, "not JSON: %.*s at byte %zu", (int)mlen, m,
           yajl_get_bytes_consumed(h));
  if (msg != NULL)
    yajl_free_error(h, msg);
}

int dg_json_flat_parse(const char *text, size_t len, dg_json_shape_t shape,
                       const dg_json_flat_cb_t *cb, void *ctx, char *err,
                       size_t errlen) {
  char scratch[1];
  flat_t f = {.shape = shape,
              .obj_depth = shape == DG_JSON_ONE_OBJECT ? 1 : 2,
              .cb = cb,
              .ctx = ctx,
              .err = err != NULL && errlen > 0 ? err : scratch,
              .errlen = err != NULL && errlen > 0 ? errlen : sizeof scratch};
  yajl_handle h;
  yajl_status st;
  f.err[0] = '\0';
  if (text == NULL || cb == NULL || cb->member == NULL) {
    snprintf(f.err, f.errlen, "no JSON text");
    return -1;
  }
  if ((h = yajl_alloc(&flat_callbacks, NULL, &f)) == NULL) {
    snprintf(f.err, f.errlen, "out of memory");
    return -1;
  }
  st = yajl_parse(h, (const unsigned char *)text, len);
  if (st == yajl_status_ok)
    st = yajl_complete_parse(h);
  if (st == yajl_status_error)
    syntax_error(h, text, len, f.err, f.errlen);
  else if (st == yajl_status_ok && !f.started)
    snprintf(f.err, f.errlen, "not JSON: empty");
  else if (st == yajl_status_client_canceled && f.err[0] == '\0')
    snprintf(f.err, f.errlen, "refused");
  yajl_free(h);
  return st == yajl_status_ok && f.started ? 0 : -1;
}
