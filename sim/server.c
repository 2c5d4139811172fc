/* server.c - the HTTP side of the simulator: libmicrohttpd with a thread
 * per connection, request bodies collected, venue requests passed through
 * the venue's limits and the injected faults to their route, /sim to the
 * control API; one key=value log line per request on stderr. */
#include "sim.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SIM_MAX_BODY (64 * 1024)
#define SIM_CONN_TIMEOUT_S 30
#define SIM_MAX_CONNECTIONS 256

sim_config_t sim_config;

int64_t sim_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sim_sleep_ms(int64_t ms) {
  struct timespec slice = {0, 10 * 1000000};
  for (int64_t waited = 0; waited < ms && !sim_config.stopping; waited += 10)
    nanosleep(&slice, NULL);
}

/* Per-request state: the raw URI (for the undecoded query Binance signs)
 * and the body as it arrives. */
typedef struct {
  char *uri;
  char *body;
  size_t body_len;
  int too_big;
  int started;
} request_ctx_t;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c) {
  (void)cls;
  (void)c;
  request_ctx_t *ctx = calloc(1, sizeof(*ctx));
  if (ctx != NULL && (ctx->uri = strdup(uri)) == NULL) {
    free(ctx);
    ctx = NULL;
  }
  return ctx;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
  (void)cls;
  (void)c;
  (void)toe;
  request_ctx_t *ctx = *con_cls;
  if (ctx != NULL) {
    free(ctx->uri);
    free(ctx->body);
    free(ctx);
    *con_cls = NULL;
  }
}

static int append_body(request_ctx_t *ctx, const char *data, size_t len) {
  char *grown;
  if (ctx->too_big || ctx->body_len + len > SIM_MAX_BODY) {
    ctx->too_big = 1;
    return 0;
  }
  grown = realloc(ctx->body, ctx->body_len + len + 1);
  if (grown == NULL)
    return -1;
  memcpy(grown + ctx->body_len, data, len);
  ctx->body = grown;
  ctx->body_len += len;
  ctx->body[ctx->body_len] = '\0';
  return 0;
}

/* Spaces appended to a fault's reply body (huge replies). */
static void pad_body(sim_reply_t *r, int64_t pad_bytes) {
  size_t len;
  char *padded;
  if (pad_bytes <= 0 || r->body == NULL)
    return;
  len = strlen(r->body);
  padded = realloc(r->body, len + (size_t)pad_bytes + 1);
  if (padded != NULL) {
    memset(padded + len, ' ', (size_t)pad_bytes);
    padded[len + (size_t)pad_bytes] = '\0';
    r->body = padded;
  }
}

static void serve_route(const sim_route_t *route, const sim_request_t *rq,
                        sim_reply_t *r) {
  const sim_venue_t *venue = sim_config.venue;
  sim_fault_t f;

  if (venue->admit(route, rq, r) != 0)
    return;
  if (!sim_faults_take(rq->method, rq->path, &f)) {
    route->handler(rq, r);
    return;
  }
  if (f.apply)
    route->handler(rq, r); /* the exchange acts, the client may not know */
  sim_sleep_ms(f.delay_ms);
  if (f.status == 418) { /* a gateway that may execute, then bans */
    sim_reply_clear(r);
    venue->ban(rq, f.ban_ms, r);
  } else if (f.status != 0) {
    sim_reply_clear(r);
    if (f.body[0]) {
      r->status = f.status;
      r->code = f.code;
      r->body = strdup(f.body);
    } else {
      venue->fault(rq, &f, r);
    }
    if (f.retry_after >= 0)
      r->retry_after = f.retry_after;
    pad_body(r, f.pad_bytes);
  } else if (!f.apply) {
    venue->error(r, venue->unknown_status, venue->unknown_code, NULL);
  }
}

const sim_route_t *sim_route_find(const sim_route_t *routes, size_t n,
                                  const char *method, const char *path,
                                  int *method_ok) {
  const sim_route_t *found = NULL;
  *method_ok = 0;
  for (size_t i = 0; i < n; i++) {
    if (strcmp(routes[i].path, path) != 0)
      continue;
    found = &routes[i];
    if (strcmp(routes[i].method, method) == 0) {
      *method_ok = 1;
      return found;
    }
  }
  return found;
}

static void dispatch(sim_request_t *rq, sim_reply_t *r) {
  const sim_route_t *route;
  int method_ok;

  if (strncmp(rq->path, "/sim/", 5) == 0) {
    sim_control_handle(rq, r);
    return;
  }
  route = sim_route_find(sim_config.venue->routes, sim_config.venue->nroutes,
                         rq->method, rq->path, &method_ok);
  if (route != NULL && method_ok)
    serve_route(route, rq, r);
  else {
    char msg[160];
    snprintf(msg, sizeof(msg), "Path %s, Method %s is invalid", rq->path,
             rq->method);
    sim_config.venue->error(r, route ? 405 : 404,
                            sim_config.venue->not_found_code, msg);
  }
  sim_stats_count(rq->method, route ? rq->path : "other", r->status);
}

static int is_form(struct MHD_Connection *c) {
  const char *type =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
  return type == NULL ||
         strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

const char *sim_header(const sim_request_t *rq, const char *name) {
  return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

static enum MHD_Result send_reply(struct MHD_Connection *c,
                                  const sim_reply_t *r) {
  char num[32];
  const char *body = r->body ? r->body : "{}";
  struct MHD_Response *resp = MHD_create_response_from_buffer(
      strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
  enum MHD_Result ret;

  if (resp == NULL)
    return MHD_NO;
  MHD_add_response_header(resp, "Content-Type",
                          r->content_type ? r->content_type
                                          : "application/json;charset=UTF-8");
  for (int i = 0; i < r->nheaders; i++)
    MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
  if (r->retry_after > 0) {
    snprintf(num, sizeof(num), "%d", r->retry_after);
    MHD_add_response_header(resp, "Retry-After", num);
  }
  ret = MHD_queue_response(c, (unsigned)r->status, resp);
  MHD_destroy_response(resp);
  return ret;
}

static void client_ip(struct MHD_Connection *c, char *ip, size_t size) {
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  snprintf(ip, size, "unknown");
  if (info == NULL || info->client_addr == NULL)
    return;
  if (info->client_addr->sa_family == AF_INET)
    inet_ntop(AF_INET,
              &((const struct sockaddr_in *)(const void *)info->client_addr)
                   ->sin_addr,
              ip, (socklen_t)size);
  else if (info->client_addr->sa_family == AF_INET6)
    inet_ntop(AF_INET6,
              &((const struct sockaddr_in6 *)(const void *)info->client_addr)
                   ->sin6_addr,
              ip, (socklen_t)size);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload_data,
                                  size_t *upload_size, void **con_cls) {
  (void)cls;
  (void)version;
  request_ctx_t *ctx = *con_cls;
  sim_request_t rq;
  sim_reply_t r = {0};
  char ip[64];
  const char *q;
  int64_t start = sim_now_ms();
  enum MHD_Result ret;

  if (ctx == NULL)
    return MHD_NO;
  if (!ctx->started) {
    ctx->started = 1;
    return MHD_YES;
  }
  if (*upload_size != 0) {
    int rc = append_body(ctx, upload_data, *upload_size);
    *upload_size = 0;
    return rc == 0 ? MHD_YES : MHD_NO;
  }
  client_ip(c, ip, sizeof(ip));
  memset(&rq, 0, sizeof(rq));
  q = strchr(ctx->uri, '?');
  rq.method = method;
  rq.path = url;
  rq.query = q ? q + 1 : "";
  rq.body = ctx->body ? ctx->body : "";
  rq.body_len = ctx->body_len;
  rq.conn = c;
  rq.ip = ip;
  if (ctx->too_big) {
    sim_reply_errorf(&r, 413, -1000, "Request body larger than %d bytes",
                     SIM_MAX_BODY);
  } else if (sim_params_parse(&rq.params, rq.query, strlen(rq.query)) != 0 ||
             (is_form(c) &&
              sim_params_parse(&rq.params, rq.body, rq.body_len) != 0)) {
    sim_reply_error(&r, 500, -1001);
  } else {
    dispatch(&rq, &r);
  }
  if (sim_config.venue->finish != NULL)
    sim_config.venue->finish(&rq, &r);
  fprintf(stderr,
          "ts=%lld ip=%s method=%s path=%s status=%d code=%d weight=%d "
          "ms=%lld\n",
          (long long)start, ip, method, url, r.status, r.code,
          sim_limits_used(ip), (long long)(sim_now_ms() - start));
  ret = send_reply(c, &r);
  sim_params_free(&rq.params);
  sim_reply_clear(&r);
  return ret;
}

int sim_serve(const struct sockaddr_in *addr) {
  sigset_t stop;
  struct MHD_Daemon *d;
  char host[INET_ADDRSTRLEN];
  int sig;

  /* Threads inherit this mask: only sigwait below sees SIGTERM/SIGINT. */
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, NULL);
  signal(SIGPIPE, SIG_IGN);

  d = MHD_start_daemon(
      MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
          MHD_USE_ERROR_LOG,
      0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, addr,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)SIM_CONN_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)SIM_MAX_CONNECTIONS, MHD_OPTION_END);
  inet_ntop(AF_INET, &addr->sin_addr, host, sizeof(host));
  if (d == NULL) {
    fprintf(stderr, "driftguard-exchange-sim: cannot listen on %s:%u\n", host,
            ntohs(addr->sin_port));
    return -1;
  }
  fprintf(stderr, "event=listening addr=%s:%u exchange=%s limit=%d\n", host,
          ntohs(addr->sin_port), sim_config.venue->name,
          sim_config.weight_limit);
  while (sigwait(&stop, &sig) != 0)
    ;
  fprintf(stderr, "event=stopping signal=%d\n", sig);
  sim_config.stopping = 1;
  MHD_stop_daemon(d);
  return 0;
}
