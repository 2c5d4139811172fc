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

/* A redis-sentinel:// URL: sentinels "h:p,h:p", db, master, password. */
static void parses_sentinel(const char *url, const char *sentinels, int db,
                            const char *master, const char *pass) {
  dg_redis_url_t u;
  char err[256] = "", got[512] = "";
  size_t used = 0;
  if (!ok(dg_redis_url_parse(url, &u, err, sizeof(err)) == 0, "%s parses",
          url)) {
    printf("#   error: %s\n", err);
    return;
  }
  for (int i = 0; i < u.n_sentinels; i++)
    used += (size_t)snprintf(got + used, sizeof(got) - used, "%s%s:%d",
                             i ? "," : "", u.sentinels[i].host,
                             u.sentinels[i].port);
  ok(strcmp(got, sentinels) == 0 && u.db == db &&
         strcmp(u.master_name, master) == 0 && strcmp(u.password, pass) == 0 &&
         u.host[0] == '\0' && u.unix_path[0] == '\0',
     "%s: sentinels %s db %d master '%s'", url, got, u.db, u.master_name);
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

  parses_sentinel("redis-sentinel://127.0.0.1#mymaster", "127.0.0.1:26379", 0,
                  "mymaster", "");
  parses_sentinel("redis-sentinel://:hunter2@s1:5000,s2,[::1]:5002/3#dg",
                  "s1:5000,s2:26379,::1:5002", 3, "dg", "hunter2");
  parses_sentinel("redis-sentinel://:a#b@c@s1:1,s2:2/#m-1", "s1:1,s2:2", 0,
                  "m-1", "a#b@c");
  parses_sentinel("redis-sentinel://a,b,c,d,e,f,g,h#m",
                  "a:26379,b:26379,c:26379,d:26379,e:26379,f:26379,g:26379,"
                  "h:26379",
                  0, "m", "");

  refuses("http://h:6379", "unsupported URL scheme");
  refuses("redis-sentinel://:hunter2@s1:26379", "master's name after '#'");
  refuses("redis-sentinel://:hunter2@s1:26379#", "master's name after '#'");
  refuses("redis-sentinel://:hunter2@s1,,s2#m", "missing host");
  refuses("redis-sentinel://:hunter2@#m", "missing host");
  refuses("redis-sentinel://:hunter2@s1:0#m", "port");
  refuses("redis-sentinel://:hunter2@s1/x#m", "database");
  refuses("redis-sentinel://:hunter2@s1#my master", "spaces");
  refuses("redis-sentinel://:hunter2@a,b,c,d,e,f,g,h,i#m", "more than 8");
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
