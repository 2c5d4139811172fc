/* json_tree.c - strict json-c parsing and member getters (json_tree.h). */
#include "driftguard/json_tree.h"

#include <limits.h>
#include <string.h>

json_object *dg_json_parse_strict(const char *body, size_t len) {
  json_tokener *tok;
  json_object *obj;
  if (body == NULL || len == 0 || len > INT_MAX)
    return NULL;
  tok = json_tokener_new_ex(DG_JSON_TREE_MAX_DEPTH);
  if (tok == NULL)
    return NULL;
  /* RFC 8259 only: no trailing commas, leading zeros or raw control
   * characters from a server that is supposed to be an exchange. */
  json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
  obj = json_tokener_parse_ex(tok, body, (int)len);
  if (obj != NULL && json_tokener_get_error(tok) == json_tokener_success) {
    size_t used = json_tokener_get_parse_end(tok);
    while (used < len && (body[used] == ' ' || body[used] == '\n' ||
                          body[used] == '\r' || body[used] == '\t'))
      used++;
    if (used != len) {
      json_object_put(obj);
      obj = NULL;
    }
  } else {
    json_object_put(obj);
    obj = NULL;
  }
  json_tokener_free(tok);
  return obj;
}

const char *dg_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}

int dg_json_dec(json_object *o, const char *key, dg_dec_t *out) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v))
    return -1;
  if (!json_object_is_type(v, json_type_string) &&
      !json_object_is_type(v, json_type_int) &&
      !json_object_is_type(v, json_type_double))
    return -1;
  return dg_dec_parse(json_object_get_string(v), out);
}

int dg_json_i64(json_object *o, const char *key, int64_t *out) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_int))
    return -1;
  *out = json_object_get_int64(v);
  return 0;
}

int dg_json_copy_str(char *dst, size_t size, const char *src) {
  size_t n;
  if (src == NULL || (n = strlen(src)) == 0 || n >= size)
    return -1;
  memcpy(dst, src, n + 1);
  return 0;
}
