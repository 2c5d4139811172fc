/* reply.c - JSON replies and their headers, code tables, and Binance's
 * error codes with their standard messages (USD-M futures error-code
 * list), so every Binance error body is shaped
 * {"code":-2022,"msg":"ReduceOnly Order is rejected."} as the real one. */
#include "sim.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const sim_code_t errors[] = {
    {-1000, "An unknown error occurred while processing the request."},
    {-1001, "Internal error; unable to process your request. Please try "
            "again."},
    {-1003, "Too many requests; please use the websocket for live updates."},
    {-1006, "An unexpected response was received from the message bus. "
            "Execution status unknown."},
    {-1007, "Timeout waiting for response from backend server. Send status "
            "unknown; execution status unknown."},
    {-1021, "Timestamp for this request is outside of the recvWindow."},
    {-1022, "Signature for this request is not valid."},
    {-1100, "Illegal characters found in parameter 'newClientOrderId'; legal "
            "range is '^[\\.A-Z\\:/a-z0-9_-]{1,36}$'."},
    {-1106, "Parameter 'reduceonly' sent when not required."},
    {-1111, "Precision is over the maximum defined for this asset."},
    {-1116, "Invalid orderType."},
    {-1117, "Invalid side."},
    {-1121, "Invalid symbol."},
    {-1131, "recvWindow must be less than 60000"},
    {-2013, "Order does not exist."},
    {-2015, "Invalid API-key, IP, or permissions for action."},
    {-2022, "ReduceOnly Order is rejected."},
    {-4003, "Quantity less than or equal to zero."},
    {-4004, "Quantity less than min quantity."},
    {-4005, "Quantity greater than max quantity."},
    {-4015, "Client order id is not valid."},
    {-4023, "Quantity not increased by step size."},
    {-4061, "Order's position side does not match user's setting."},
    {-4116, "ClientOrderId is duplicated."},
};

const char *sim_code_msg(const sim_code_t *t, size_t n, int code) {
  for (size_t i = 0; i < n; i++)
    if (t[i].code == code)
      return t[i].msg;
  return "";
}

const char *sim_error_msg(int code) {
  return sim_code_msg(errors, sizeof(errors) / sizeof(errors[0]), code);
}

void sim_reply_header(sim_reply_t *r, const char *name, long long value) {
  if (r->nheaders == SIM_MAX_REPLY_HEADERS)
    return;
  snprintf(r->headers[r->nheaders].name, sizeof(r->headers[0].name), "%s",
           name);
  snprintf(r->headers[r->nheaders].value, sizeof(r->headers[0].value), "%lld",
           value);
  r->nheaders++;
}

void sim_reply_clear(sim_reply_t *r) {
  free(r->body);
  memset(r, 0, sizeof(*r));
}

void sim_reply_json(sim_reply_t *r, int status, json_object *obj) {
  free(r->body);
  r->status = status;
  r->body = strdup(
      obj ? json_object_to_json_string_ext(
                obj, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
          : "{}");
  json_object_put(obj);
}

static void reply_code(sim_reply_t *r, int status, int code, const char *msg) {
  json_object *o = json_object_new_object();
  json_object_object_add(o, "code", json_object_new_int(code));
  json_object_object_add(o, "msg", json_object_new_string(msg));
  sim_reply_json(r, status, o);
  r->code = code;
}

void sim_reply_error(sim_reply_t *r, int status, int code) {
  reply_code(r, status, code, sim_error_msg(code));
}

void sim_reply_errorf(sim_reply_t *r, int status, int code, const char *fmt,
                      ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof(msg), fmt, ap);
  va_end(ap);
  reply_code(r, status, code, msg);
}

void sim_reply_missing(sim_reply_t *r, const char *param) {
  sim_reply_errorf(
      r, 400, -1102,
      "Mandatory parameter '%s' was not sent, was empty/null, or malformed.",
      param);
}

void sim_json_add_str(json_object *o, const char *key, const char *v) {
  json_object_object_add(o, key, json_object_new_string(v));
}

void sim_json_add_ms(json_object *o, const char *key, int64_t ms) {
  char buf[24];
  snprintf(buf, sizeof(buf), "%lld", (long long)ms);
  sim_json_add_str(o, key, buf);
}

const char *sim_json_str(json_object *o, const char *key) {
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) ||
      !json_object_is_type(v, json_type_string))
    return NULL;
  return json_object_get_string(v);
}
