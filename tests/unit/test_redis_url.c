/* Unit tests for RedisURL parsing; errors must never echo the password. */
#include "../tap.h"
#include "driftguard/redis.h"

#include <string.h>

static void parses(const char *url, const char *host, int port,
                   const char *unix_path, int db, const char *user,
                   const char *pass) {
  dg_redis_url_t u;
  char err[256] = "";
  if (!ok(dg_redis_url_parse(url, &u, err, sizeof(err)) == 0, "%s parses",
          url)) {
    printf("#   error: %s\n", err);
    return;
  }
  ok(strcmp(u.host, host) == 0 && u.port == port &&
         strcmp(u.unix_path, unix_path) == 0 && u.db == db &&
         strcmp(u.username, user) == 0 && strcmp(u.password, pass) == 0,
     "%s: host '%s' port %d path '%s' db %d user '%s'", url, u.host, u.port,
     u.unix_path, u.db, u.username);
}

static void refuses(const char *url, const char *reason_part) {
  dg_redis_url_t u;
  char err[256] = "";
  ok(dg_redis_url_parse(url, &u, err, sizeof(err)) == -1 &&
         strstr(err, reason_part) != NULL,
     "%s refused: %s", url, err);
  ok(strstr(err, "hunter2") == NULL, "error does not echo the password");
}

int main(void) {
  parses("redis://127.0.0.1:6379/0", "127.0.0.1", 6379, "", 0, "", "");
  parses("redis://localhost", "localhost", 6379, "", 0, "", "");
  parses("redis://localhost/", "localhost", 6379, "", 0, "", "");
  parses("redis://db.example:7000/15", "db.example", 7000, "", 15, "", "");
  parses("redis://:hunter2@10.0.0.1:6380/2", "10.0.0.1", 6380, "", 2, "",
         "hunter2");
  parses("redis://driftguard:hunter2@h/1", "h", 6379, "", 1, "driftguard",
         "hunter2");
  parses("redis://:p%40ss%2Fw@h", "h", 6379, "", 0, "", "p@ss/w");
  parses("redis://:a@b/c@h:1/3", "h", 1, "", 3, "", "a@b/c");
  parses("redis://[::1]:6390/4", "::1", 6390, "", 4, "", "");
  parses("unix:///run/redis/redis.sock", "", 0, "/run/redis/redis.sock", 0, "",
         "");
  parses("unix:///run/redis.sock?db=3", "", 0, "/run/redis.sock", 3, "", "");
  parses("unix://:hunter2@/run/redis.sock", "", 0, "/run/redis.sock", 0, "",
         "hunter2");

  refuses("http://h:6379", "unsupported URL scheme");
  refuses("rediss://:hunter2@h:6379", "TLS");
  refuses("redis://:hunter2@h:0", "port");
  refuses("redis://:hunter2@h:99999", "port");
  refuses("redis://:hunter2@h:12x", "port");
  refuses("redis://:hunter2@h/x", "database");
  refuses("redis://:hunter2@h/-1", "database");
  refuses("redis://:hunter2@", "missing host");
  refuses("redis://hunter2@h", ":PASSWORD@");
  refuses("redis://:hunter2%zz@h", "%-encoded");
  refuses("redis://:hunter2@[::1:6379", "unterminated '['");
  refuses("unix://:hunter2@relative.sock", "absolute socket path");
  refuses("unix://:hunter2@/run/r.sock?database=1", "?db=N");
  return tap_done();
}
