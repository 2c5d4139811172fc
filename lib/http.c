/* http.c - the blocking libcurl client of http.h: one easy handle reused
 * for keep-alive, strict transport settings, the reply body and the reply's
 * header lines, which the driver reads itself (dg_http_reply_header): which
 * headers matter is the venue's business, not this file's.
 *
 * The body buffer is mapped pages of its own (mmap/mremap), not malloc's:
 * a buffer grown past DG_HTTP_BODY_KEEP by one huge reply is unmapped, so
 * its memory goes back to the system at once, whatever malloc's
 * thresholds would have kept. */
#include "driftguard/http.h"

#include "driftguard/keyfile.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#define BODY_MIN_CAP 16384u

struct dg_http {
  CURL *curl;
  char *body; /* reply body buffer (mapped), grown as needed */
  size_t len, cap;
  int too_large;
  /* The last response's header lines, as received ("Name: value\r\n"...);
   * lines that do not fit are dropped (a venue's headers are far smaller). */
  char headers[DG_HTTP_HEADERS_MAX];
  size_t headers_len;
  char errbuf[CURL_ERROR_SIZE];
};

/* Room for need bytes: a mapping of the next power of two. 0, -1. */
static int body_reserve(dg_http_t *h, size_t need) {
  size_t cap = h->cap ? h->cap : BODY_MIN_CAP;
  void *p;
  while (cap < need)
    cap *= 2;
  p = h->body == NULL ? mmap(NULL, cap, PROT_READ | PROT_WRITE,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                      : mremap(h->body, h->cap, cap, MREMAP_MAYMOVE);
  if (p == MAP_FAILED)
    return -1;
  h->body = p;
  h->cap = cap;
  return 0;
}

static void body_release(dg_http_t *h) {
  if (h->body != NULL)
    munmap(h->body, h->cap);
  h->body = NULL;
  h->len = h->cap = 0;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp) {
  dg_http_t *h = userp;
  size_t n = size * nmemb;
  if (n > DG_HTTP_MAX_BODY - h->len) {
    h->too_large = 1;
    return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
  }
  if (h->len + n + 1 > h->cap && body_reserve(h, h->len + n + 1) != 0)
    return 0;
  memcpy(h->body + h->len, data, n);
  h->len += n;
  h->body[h->len] = '\0';
  return n;
}

void dg_http_trim(dg_http_t *h) {
  if (h != NULL && h->cap > DG_HTTP_BODY_KEEP)
    body_release(h);
}

size_t dg_http_buffer_size(const dg_http_t *h) {
  return h->cap;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *userp) {
  dg_http_t *h = userp;
  size_t n = size * nmemb;
  if (n >= 5 && strncmp(line, "HTTP/", 5) == 0)
    h->headers_len = 0; /* a new response (after a 100 Continue) */
  else if (n < sizeof(h->headers) - h->headers_len) {
    memcpy(h->headers + h->headers_len, line, n);
    h->headers_len += n;
  }
  h->headers[h->headers_len] = '\0';
  return n;
}

int dg_http_reply_header(const dg_http_reply_t *r, const char *name, char *out,
                         size_t size) {
  size_t nl = strlen(name);
  for (const char *line = r->headers; line != NULL && *line;) {
    const char *eol = strchr(line, '\n');
    size_t n = eol != NULL ? (size_t)(eol - line) : strlen(line), vs, ve;
    if (n > nl && strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      for (vs = nl + 1; vs < n && (line[vs] == ' ' || line[vs] == '\t'); vs++)
        ;
      for (ve = n; ve > vs && (line[ve - 1] == '\r' || line[ve - 1] == ' ' ||
                               line[ve - 1] == '\t');
           ve--)
        ;
      snprintf(out, size, "%.*s", (int)(ve - vs), line + vs);
      return 1;
    }
    line = eol != NULL ? eol + 1 : NULL;
  }
  if (size > 0)
    out[0] = '\0';
  return 0;
}

dg_http_t *dg_http_new(long timeout_ms, char *err, size_t errlen) {
  dg_http_t *h = calloc(1, sizeof(*h));
  CURL *c;
  if (h == NULL || (c = h->curl = curl_easy_init()) == NULL) {
    snprintf(err, errlen, "http: cannot create a libcurl handle");
    free(h);
    return NULL;
  }
  if (timeout_ms <= 0) {
    snprintf(err, errlen, "http: timeout must be positive");
    dg_http_free(h);
    return NULL;
  }
  /* Settings that hold for every request of this handle. Security ones
   * (verification, protocols, no redirects) are never relaxed. */
  if (curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85.0 */
      curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
#else
      curl_easy_setopt(c, CURLOPT_PROTOCOLS,
                       (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS)) != CURLE_OK ||
#endif
      curl_easy_setopt(c, CURLOPT_USERAGENT, "driftguard/" DG_VERSION) !=
          CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_WRITEDATA, h) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_HEADERDATA, h) != CURLE_OK) {
    snprintf(err, errlen, "http: libcurl refused a required option");
    dg_http_free(h);
    return NULL;
  }
  return h;
}

void dg_http_free(dg_http_t *h) {
  if (h == NULL)
    return;
  curl_easy_cleanup(h->curl);
  body_release(h);
  free(h);
}

/* Header lists carry the API key: wipe before freeing. */
static void free_headers(struct curl_slist *list) {
  for (struct curl_slist *p = list; p != NULL; p = p->next)
    dg_secret_wipe(p->data, strlen(p->data));
  curl_slist_free_all(list);
}

/* Failures that happen before any byte of the request can leave. */
static int failed_before_sending(CURL *c, CURLcode rc, int fresh) {
  curl_off_t connected = 0;
  switch (rc) {
  case CURLE_UNSUPPORTED_PROTOCOL:
  case CURLE_URL_MALFORMAT:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    return 1;
  case CURLE_OPERATION_TIMEDOUT:
    /* On a fresh connection, a timeout before connect (and TLS) completed
     * is a connect timeout: nothing was sent. */
    if (!fresh)
      return 0;
    if (curl_easy_getinfo(c, CURLINFO_APPCONNECT_TIME_T, &connected) ==
            CURLE_OK &&
        connected > 0)
      return 0;
    connected = 0;
    if (curl_easy_getinfo(c, CURLINFO_CONNECT_TIME_T, &connected) != CURLE_OK)
      return 0;
    if (connected == 0)
      return 1;
    /* TCP is up: for https, the request waits for the TLS handshake. */
    {
      const char *scheme = NULL;
      return curl_easy_getinfo(c, CURLINFO_SCHEME, &scheme) == CURLE_OK &&
             scheme != NULL && strcasecmp(scheme, "https") == 0;
    }
  default:
    return 0;
  }
}

void dg_http_request(dg_http_t *h, const char *method, const char *url,
                     const char *header, const char *form_body,
                     int fresh_connection, dg_http_reply_t *reply) {
  struct curl_slist *headers = NULL, *tmp;
  int post = strcmp(method, "POST") == 0;
  CURLcode rc;
  CURL *c = h->curl;

  memset(reply, 0, sizeof(*reply));
  reply->outcome = DG_HTTP_NOT_SENT;
  dg_http_trim(h); /* the previous body is no longer valid anyway */
  h->len = 0;
  h->too_large = 0;
  h->errbuf[0] = '\0';
  h->headers_len = 0;
  h->headers[0] = '\0';

  /* One list entry per line of header. */
  for (const char *line = header; line != NULL && *line;) {
    const char *eol = strchr(line, '\n');
    size_t n = eol != NULL ? (size_t)(eol - line) : strlen(line);
    char one[DG_HTTP_HEADER_LINE_MAX];
    if (n >= sizeof(one)) { /* refused, never cut */
      snprintf(reply->error, sizeof(reply->error),
               "request header line too long");
      goto done;
    }
    memcpy(one, line, n);
    one[n] = '\0';
    tmp = n > 0 ? curl_slist_append(headers, one) : headers;
    dg_secret_wipe(one, n);
    if (tmp == NULL)
      goto oom;
    headers = tmp;
    line = eol != NULL ? eol + 1 : NULL;
  }
  if (post) {
    /* Small bodies: no "Expect: 100-continue" round trip. */
    if ((tmp = curl_slist_append(headers, "Expect:")) == NULL)
      goto oom;
    headers = tmp;
  }
  if (curl_easy_setopt(c, CURLOPT_URL, url) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers) != CURLE_OK ||
      curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, fresh_connection ? 1L : 0L) !=
          CURLE_OK ||
      (post ? (curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                                form_body ? form_body : "") != CURLE_OK ||
               curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE,
                                (long)(form_body ? strlen(form_body) : 0)) !=
                   CURLE_OK)
            : curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) != CURLE_OK)) {
    snprintf(reply->error, sizeof(reply->error),
             "libcurl refused the request options");
    goto done;
  }

  rc = curl_easy_perform(c);
  if (rc == CURLE_OK || (rc == CURLE_WRITE_ERROR && h->too_large)) {
    reply->outcome = DG_HTTP_REPLIED;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &reply->status);
    reply->body_too_large = h->too_large;
    if (h->too_large)
      body_release(h); /* nobody reads a body that was cut */
  } else {
    reply->outcome = failed_before_sending(c, rc, fresh_connection)
                         ? DG_HTTP_NOT_SENT
                         : DG_HTTP_MAYBE_SENT;
    snprintf(reply->error, sizeof(reply->error), "%s",
             h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
  }
  reply->body = h->body ? h->body : "";
  reply->body_len = h->len;
  reply->headers = h->headers;
  goto done;
oom:
  snprintf(reply->error, sizeof(reply->error), "out of memory");
done:
  /* The handle must not keep pointers to this request's buffers. */
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
  if (post)
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
  free_headers(headers);
  if (reply->body == NULL)
    reply->body = "";
  if (reply->headers == NULL)
    reply->headers = "";
}
