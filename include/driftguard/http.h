/* http.h - a small blocking HTTP client over libcurl for exchange drivers.
 *
 * One dg_http_t per exchange handle (and so per thread): it keeps one CURL
 * easy handle so connections are reused (keep-alive). TLS peer and host
 * verification are always on, only http and https are allowed, redirects
 * are not followed, signals are not used (CURLOPT_NOSIGNAL) and every
 * request is bounded by the handle's timeout. The caller must have called
 * curl_global_init (dg_exchange_global_init) before dg_http_new. */
#ifndef DRIFTGUARD_HTTP_H
#define DRIFTGUARD_HTTP_H

#include <stddef.h>

/* Largest reply body accepted (exchangeInfo is the big one). */
#define DG_HTTP_MAX_BODY (32u * 1024u * 1024u)
/* A body buffer up to this size is kept for the next reply; a larger one
 * is given back: at once when the reply was cut (body_too_large), else by
 * dg_http_trim or the next request. */
#define DG_HTTP_BODY_KEEP (256u * 1024u)
/* Longest request header line a caller may pass. */
#define DG_HTTP_HEADER_LINE_MAX 512u
/* Room for a reply's header lines; lines past it are dropped. */
#define DG_HTTP_HEADERS_MAX 8192u

typedef enum {
  DG_HTTP_REPLIED,   /* a complete HTTP reply: see status */
  DG_HTTP_NOT_SENT,  /* nothing was sent (resolve, connect, TLS failed) */
  DG_HTTP_MAYBE_SENT /* failed after (part of) the request went out */
} dg_http_outcome_t;

typedef struct {
  dg_http_outcome_t outcome;
  long status; /* HTTP status when REPLIED, else 0 */
  /* The body, NUL-terminated, owned by the dg_http_t and valid until its
   * next request. */
  const char *body;
  size_t body_len;
  int body_too_large; /* REPLIED, but the body passed DG_HTTP_MAX_BODY */
  /* The final response's header lines ("Name: value\r\n"...), owned like
   * body; "" when none. Read them with dg_http_reply_header. */
  const char *headers;
  char error[256]; /* transport failure text (no URL, no headers) */
} dg_http_reply_t;

typedef struct dg_http dg_http_t;

/* timeout_ms bounds each request, connect included (connect alone is also
 * bounded by it). Returns NULL with a reason in err. */
dg_http_t *dg_http_new(long timeout_ms, char *err, size_t errlen);
/* Frees the handle; header values it held (an API key) are wiped. */
void dg_http_free(dg_http_t *h);

/* One request. method "GET" or "POST"; form_body (POST only) is sent as
 * application/x-www-form-urlencoded unless header names another
 * Content-Type; header is NULL or extra "Name: value" header lines, one
 * per "\n"-separated line, each shorter than DG_HTTP_HEADER_LINE_MAX.
 * fresh_connection opens a new connection instead of reusing one, so libcurl
 * never silently re-sends the request on a fresh connection when a reused one
 * turns out dead (it does that for any method), and a timeout before the
 * connection was up is known to be NOT_SENT: use it for requests that must
 * never be sent twice. A local failure (out of memory) is reported as NOT_SENT.
 */
void dg_http_request(dg_http_t *h, const char *method, const char *url,
                     const char *header, const char *form_body,
                     int fresh_connection, dg_http_reply_t *reply);

/* The value of the reply's header name (case-insensitive, blanks around
 * it trimmed) into out: 1 when present, 0 (out "") when not. */
int dg_http_reply_header(const dg_http_reply_t *r, const char *name, char *out,
                         size_t size);

/* Give back a body buffer larger than DG_HTTP_BODY_KEEP (the last reply's
 * body is invalid afterwards): call it once a big reply is parsed. */
void dg_http_trim(dg_http_t *h);
/* Bytes the body buffer holds now (for tests and diagnostics). */
size_t dg_http_buffer_size(const dg_http_t *h);

#endif
