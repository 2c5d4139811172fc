/* output.c - driftguard-ctl's two renderings of the same data: one JSON
 * document for scripts (--json), an aligned table for people. Commands
 * build JSON; the table is a view of chosen columns of it. */
#include "ctl.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void ctl_print_json(json_object *doc) {
  puts(json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_NOSLASHESCAPE));
}

int ctl_fail(const ctl_t *c, int exit_code, const char *reason) {
  fprintf(stderr, "driftguard-ctl: %s\n", reason);
  if (c->opts->json) {
    json_object *doc = json_object_new_object();
    json_object_object_add(doc, "error", json_object_new_string(reason));
    ctl_print_json(doc);
    json_object_put(doc);
  }
  return exit_code;
}

/* The value at a dotted path in obj, NULL when absent. */
static json_object *lookup(json_object *obj, const char *path) {
  char part[64];
  while (obj != NULL && *path != '\0') {
    size_t n = strcspn(path, ".");
    if (n >= sizeof(part) || !json_object_is_type(obj, json_type_object))
      return NULL;
    memcpy(part, path, n);
    part[n] = '\0';
    if (!json_object_object_get_ex(obj, part, &obj))
      return NULL;
    path += n + (path[n] == '.');
  }
  return obj;
}

/* A cell's text into buf; "-" for absent, null or empty values. */
static void cell_text(json_object *row, const ctl_column_t *col, char *buf,
                      size_t size) {
  json_object *v = lookup(row, col->path);
  if (v == NULL || json_object_is_type(v, json_type_null) ||
      (json_object_is_type(v, json_type_string) &&
       json_object_get_string_len(v) == 0))
    snprintf(buf, size, "-");
  else if (col->kind == CTL_CELL_DURATION)
    ctl_format_duration(json_object_get_int64(v), buf, size);
  else if (col->kind == CTL_CELL_TIME)
    ctl_format_time(json_object_get_int64(v), buf, size);
  else if (json_object_is_type(v, json_type_string))
    snprintf(buf, size, "%s", json_object_get_string(v));
  else
    snprintf(buf, size, "%s",
             json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
}

/* Table cells never carry control characters: a value read from Redis
 * must not move the operator's cursor or forge lines. */
static void print_cell(const char *s, int width, int last) {
  int n = 0;
  for (; *s != '\0'; s++, n++)
    putchar((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s);
  if (!last)
    printf("%*s", width - n + 2, "");
}

static void print_table(json_object *rows, const ctl_column_t *cols,
                        size_t ncols, const char *empty_msg) {
  size_t nrows = json_object_array_length(rows);
  char cell[1024];
  int *width;
  if (nrows == 0) {
    puts(empty_msg);
    return;
  }
  if ((width = calloc(ncols, sizeof(*width))) == NULL)
    return;
  for (size_t j = 0; j < ncols; j++)
    width[j] = (int)strlen(cols[j].header);
  for (size_t i = 0; i < nrows; i++)
    for (size_t j = 0; j < ncols; j++) {
      cell_text(json_object_array_get_idx(rows, i), &cols[j], cell,
                sizeof(cell));
      if ((int)strlen(cell) > width[j])
        width[j] = (int)strlen(cell);
    }
  for (size_t j = 0; j < ncols; j++)
    print_cell(cols[j].header, width[j], j + 1 == ncols);
  putchar('\n');
  for (size_t i = 0; i < nrows; i++) {
    for (size_t j = 0; j < ncols; j++) {
      cell_text(json_object_array_get_idx(rows, i), &cols[j], cell,
                sizeof(cell));
      print_cell(cell, width[j], j + 1 == ncols);
    }
    putchar('\n');
  }
  free(width);
}

void ctl_print_list(int json, json_object *doc, const char *key,
                    json_object *rows, const ctl_column_t *cols, size_t ncols,
                    const char *empty_msg) {
  if (json) {
    if (doc == NULL)
      doc = json_object_new_object();
    json_object_object_add(doc, key, json_object_get(rows));
    ctl_print_json(doc);
  } else {
    print_table(rows, cols, ncols, empty_msg);
  }
  json_object_put(doc);
  json_object_put(rows);
}

void ctl_url_display(const char *url, char *out, size_t size) {
  const char *auth = strstr(url, "://"), *end, *at;
  if (auth == NULL) {
    snprintf(out, size, "%s", url);
    return;
  }
  auth += 3;
  end = auth + strcspn(auth, "/?#");
  at = memchr(auth, '@', (size_t)(end - auth));
  /* The last '@' of the authority ends the user information. */
  while (at != NULL && memchr(at + 1, '@', (size_t)(end - at - 1)) != NULL)
    at = memchr(at + 1, '@', (size_t)(end - at - 1));
  if (at == NULL)
    snprintf(out, size, "%s", url);
  else
    snprintf(out, size, "%.*s%s", (int)(auth - url), url, at + 1);
}

void ctl_format_duration(int64_t ms, char *buf, size_t size) {
  int64_t s = ms / 1000;
  if (ms < 0)
    snprintf(buf, size, "-");
  else if (s < 60)
    snprintf(buf, size, "%" PRId64 ".%03" PRId64 "s", s, ms % 1000);
  else if (s < 3600)
    snprintf(buf, size, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
  else
    snprintf(buf, size, "%" PRId64 "h%02" PRId64 "m", s / 3600,
             (s % 3600) / 60);
}

void ctl_format_time(int64_t ms, char *buf, size_t size) {
  time_t t = (time_t)(ms / 1000);
  struct tm tm;
  char day[32];
  if (gmtime_r(&t, &tm) == NULL ||
      strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm) == 0) {
    snprintf(buf, size, "%" PRId64, ms);
    return;
  }
  snprintf(buf, size, "%s.%03dZ", day, (int)(ms % 1000));
}
