/* redis_probe - drives lib/redis.c and lib/ban.c for
 * tests/integration/redis_conn.sh against a real redis-server.
 *
 *   redis_probe [-P PASSWORD_FILE] [-t TIMEOUT_MS] URL STEP...
 *
 * Steps, run in order, one output line each (with the step's duration):
 *   connect                     "connect ok" | "connect error: REASON"
 *   cmd:WORD WORD...            "reply TYPE VALUE" | "error: REASON"
 *   pipeline:WORD WORD...       the command 3 times in one round trip:
 *                               "pipeline V1,V2,V3" | "error: REASON"
 *   eval:KEY                    dg_redis_eval of a script that INCRs KEY:
 *                               "reply N" | "error: REASON"
 *   wait:PATH                   wait (up to 20 s) until PATH exists
 *   endpoint                    "endpoint WHAT" (dg_redis_endpoint)
 *   ban-store:PREFIX:UNTIL:NOW  "ban-store RC"
 *   ban-check:PREFIX:NOW        "ban-check RC [UNTIL]" */
#include "driftguard/ban.h"
#include "driftguard/keyfile.h"
#include "driftguard/redis.h"

#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Split s (modified) on spaces into argv; returns argc. */
static int split_words(char *s, const char **argv, int max) {
  int argc = 0;
  for (char *w = strtok(s, " "); w != NULL && argc < max; w = strtok(NULL, " "))
    argv[argc++] = w;
  return argc;
}

static void print_reply(const redisReply *reply) {
  switch (reply->type) {
  case REDIS_REPLY_STRING:
  case REDIS_REPLY_STATUS:
  case REDIS_REPLY_ERROR:
    printf("%s %s", reply->type == REDIS_REPLY_ERROR ? "replyerror" : "reply",
           reply->str);
    break;
  case REDIS_REPLY_INTEGER:
    printf("reply %lld", reply->integer);
    break;
  case REDIS_REPLY_NIL:
    printf("reply nil");
    break;
  default:
    printf("reply array of %zu", reply->elements);
  }
}

static void step_cmd(dg_redis_t *r, char *words) {
  const char *argv[16];
  int argc = split_words(words, argv, 16);
  redisReply *reply = dg_redis_command_argv(r, argc, argv, NULL);
  if (reply == NULL) {
    printf("error: %s", dg_redis_last_error(r));
    return;
  }
  print_reply(reply);
  freeReplyObject(reply);
}

static void step_eval(dg_redis_t *r, const char *key) {
  static dg_redis_script_t incr =
      DG_REDIS_SCRIPT("return redis.call('INCR', KEYS[1])\n");
  const char *argv[2] = {"1", key};
  redisReply *reply = dg_redis_eval(r, &incr, 2, argv, NULL);
  if (reply == NULL) {
    printf("error: %s", dg_redis_last_error(r));
    return;
  }
  print_reply(reply);
  freeReplyObject(reply);
}

static void step_pipeline(dg_redis_t *r, char *words) {
  const char *argv[16];
  int argc = split_words(words, argv, 16);
  redisReply *replies[3];
  redisContext *c = dg_redis_context(r);
  if (c == NULL) {
    printf("error: %s", dg_redis_last_error(r));
    return;
  }
  for (int i = 0; i < 3; i++)
    redisAppendCommandArgv(c, argc, argv, NULL);
  if (dg_redis_pipeline_collect(r, replies, 3) != 0) {
    printf("error: %s", dg_redis_last_error(r));
    return;
  }
  printf("pipeline");
  for (int i = 0; i < 3; i++) {
    printf("%c%lld", i ? ',' : ' ', replies[i]->integer);
    freeReplyObject(replies[i]);
  }
}

static void step(dg_redis_t *r, char *s) {
  char err[512];
  char prefix[128];
  long long a, b;
  int64_t until = 0;
  if (strcmp(s, "connect") == 0) {
    if (dg_redis_connect(r, err, sizeof(err)) == 0)
      printf("connect ok");
    else
      printf("connect error: %s", err);
  } else if (strncmp(s, "cmd:", 4) == 0) {
    step_cmd(r, s + 4);
  } else if (strncmp(s, "eval:", 5) == 0) {
    step_eval(r, s + 5);
  } else if (strncmp(s, "pipeline:", 9) == 0) {
    step_pipeline(r, s + 9);
  } else if (strcmp(s, "endpoint") == 0) {
    printf("endpoint %s", dg_redis_endpoint(r));
  } else if (strncmp(s, "wait:", 5) == 0) {
    for (int i = 0; i < 200 && access(s + 5, F_OK) != 0; i++)
      usleep(100000);
    printf("waited");
  } else if (sscanf(s, "ban-store:%127[^:]:%lld:%lld", prefix, &a, &b) == 3) {
    char why[256];
    int rc = dg_ban_store(r, prefix, a, b, why, sizeof(why));
    printf("ban-store %d", rc);
    if (why[0] != '\0')
      printf(" err=\"%s\"", why);
  } else if (sscanf(s, "ban-check:%127[^:]:%lld", prefix, &a) == 2) {
    char why[256];
    int rc = dg_ban_check(r, prefix, a, &until, why, sizeof(why));
    printf("ban-check %d", rc);
    if (rc == 1)
      printf(" %" PRId64, until);
    if (why[0] != '\0')
      printf(" err=\"%s\"", why);
  } else {
    fprintf(stderr, "redis_probe: unknown step '%s'\n", s);
    exit(2);
  }
}

int main(int argc, char **argv) {
  const char *password_file = NULL;
  char password[256], err[512];
  dg_redis_url_t url;
  dg_redis_t *r;
  int timeout_ms = 2000, opt;

  signal(SIGPIPE, SIG_IGN);
  while ((opt = getopt(argc, argv, "P:t:")) != -1) {
    if (opt == 'P')
      password_file = optarg;
    else if (opt == 't')
      timeout_ms = atoi(optarg);
    else
      return 2;
  }
  if (optind >= argc) {
    fprintf(stderr, "usage: redis_probe [-P PASSFILE] [-t MS] URL STEP...\n");
    return 2;
  }
  if (dg_redis_url_parse(argv[optind], &url, err, sizeof(err)) != 0) {
    printf("url error: %s\n", err);
    return 1;
  }
  if (password_file != NULL &&
      dg_keyfile_read_line(password_file, password, sizeof(password), err,
                           sizeof(err)) < 0) {
    printf("password file error: %s\n", err);
    return 1;
  }
  r = dg_redis_new(&url, password_file ? password : NULL, timeout_ms);
  dg_secret_wipe(password, sizeof(password));
  if (r == NULL)
    return 1;
  for (int i = optind + 1; i < argc; i++) {
    long long start = now_ms();
    step(r, argv[i]);
    printf(" (%lld ms)\n", now_ms() - start);
    fflush(stdout);
  }
  dg_redis_free(r);
  return 0;
}
