/* exchange_handle.c - the part of an exchange handle every driver keeps
 * alike (struct dg_exchange in exchange_driver.h): the options checked,
 * the keys copied into secret memory, the HTTP client, the rules cache,
 * and their release. The driver's own part comes after (drv->init,
 * drv->release). */
#include "exchange_driver.h"

#include "driftguard/secret.h"

#include <stdio.h>
#include <string.h>

/* The API key and a passphrase go into HTTP headers: printable ASCII
 * only. */
static int header_safe(const char *s) {
  for (; *s; s++)
    if (*s <= ' ' || *s > '~')
      return 0;
  return 1;
}

static int secret_ok(const char *s) {
  return s != NULL && s[0] != '\0' && strlen(s) < DG_SECRET_MAX;
}

/* The options of dg_ex_handle_open (see exchange_driver.h); *url_len is
 * the URL's length without trailing slashes. 0, -1 with err set. */
static int check_opts(const dg_ex_driver_t *drv, const dg_exchange_opts_t *o,
                      size_t *url_len, long *timeout_ms, long *window_ms,
                      char *err, size_t errlen) {
  size_t ulen;
  if (o->url == NULL || (strncmp(o->url, "https://", 8) != 0 &&
                         strncmp(o->url, "http://", 7) != 0)) {
    snprintf(err, errlen,
             "%s: URL must start with https:// (or http://, for a test "
             "simulator)",
             drv->name);
    return -1;
  }
  ulen = strlen(o->url);
  while (ulen > 0 && o->url[ulen - 1] == '/')
    ulen--;
  if (ulen >= DG_EX_URL_MAX) {
    snprintf(err, errlen, "%s: URL longer than %d bytes", drv->name,
             DG_EX_URL_MAX - 1);
    return -1;
  }
  if (!secret_ok(o->api_key) || !secret_ok(o->api_secret) ||
      !header_safe(o->api_key)) {
    snprintf(err, errlen,
             "%s: API key and secret must be 1 to %d printable characters",
             drv->name, DG_SECRET_MAX - 1);
    return -1;
  }
  if (drv->passphrase == DG_EX_PASSPHRASE_REFUSED &&
      o->api_passphrase != NULL && o->api_passphrase[0] != '\0') {
    snprintf(err, errlen,
             "%s: the key file has a third line (a passphrase); %s keys have "
             "none: the file holds the API key, then the secret",
             drv->name, drv->venue);
    return -1;
  }
  if (drv->passphrase == DG_EX_PASSPHRASE_REQUIRED &&
      (!secret_ok(o->api_passphrase) || !header_safe(o->api_passphrase))) {
    snprintf(err, errlen,
             "%s: the key file has no passphrase: %s key files hold the API "
             "key, the secret, then the key's passphrase on a third line (1 "
             "to %d printable characters)",
             drv->name, drv->venue, DG_SECRET_MAX - 1);
    return -1;
  }
  *url_len = ulen;
  *timeout_ms = o->timeout_ms ? o->timeout_ms : DG_EX_TIMEOUT_MS;
  *window_ms =
      o->recv_window_ms ? o->recv_window_ms : drv->default_recv_window_ms;
  if (*timeout_ms < 0 || *window_ms < 1 ||
      *window_ms > drv->max_recv_window_ms) {
    snprintf(err, errlen,
             "%s: timeout must be positive and the recv window between 1 "
             "and %ld ms",
             drv->name, drv->max_recv_window_ms);
    return -1;
  }
  return 0;
}

dg_exchange_t *dg_ex_handle_open(const dg_ex_driver_t *drv,
                                 const dg_exchange_opts_t *o, char *err,
                                 size_t errlen) {
  dg_exchange_t *ex;
  size_t url_len;
  long timeout_ms, window_ms;

  if (check_opts(drv, o, &url_len, &timeout_ms, &window_ms, err, errlen) != 0)
    return NULL;
  if ((ex = dg_secret_alloc(drv->handle_size)) == NULL) {
    snprintf(err, errlen, "%s: out of memory", drv->name);
    return NULL;
  }
  ex->drv = drv;
  memcpy(ex->url, o->url, url_len);
  snprintf(ex->api_key, sizeof(ex->api_key), "%s", o->api_key);
  snprintf(ex->secret, sizeof(ex->secret), "%s", o->api_secret);
  if (drv->passphrase == DG_EX_PASSPHRASE_REQUIRED)
    snprintf(ex->passphrase, sizeof(ex->passphrase), "%s", o->api_passphrase);
  ex->recv_window_ms = window_ms;
  if ((ex->http = dg_http_new(timeout_ms, err, errlen)) == NULL ||
      (drv->init != NULL && drv->init(ex, err, errlen) != 0)) {
    dg_ex_handle_free(ex);
    return NULL;
  }
  return ex;
}

void dg_ex_handle_free(dg_exchange_t *ex) {
  if (ex->drv->release != NULL)
    ex->drv->release(ex);
  dg_http_free(ex->http);
  dg_ex_rules_free(&ex->rules);
  dg_secret_free(ex, ex->drv->handle_size); /* keys: wiped */
}

void dg_ex_handle_scrub(const dg_exchange_t *ex, dg_ex_result_t *res) {
  dg_ex_result_scrub(res, ex->api_key);
  dg_ex_result_scrub(res, ex->secret);
  dg_ex_result_scrub(res, ex->passphrase);
}
