/* config.c - the executor's configuration (SPEC section 8).
 *
 * The options, their defaults and their checks are libdriftguard's
 * executor_conf.c, shared with driftguard-ctl. What is the executor's own is
 * here: the key files it will read must exist and be private, so that -t
 * catches what would otherwise fail at the first order. */
#include "executor/config.h"

#include "driftguard/keyfile.h"

#include <stdio.h>

void ex_config_defaults(ex_config_t *c) {
  dg_executor_conf_defaults(c);
}

static int check_key_file(const char *path, const char *option,
                          const char *conf, char *err, size_t errlen) {
  char why[256];
  if (path[0] == '\0' || dg_keyfile_check(path, why, sizeof why) == 0)
    return 0;
  snprintf(err, errlen, "%s: %s \"%s\": %s", conf, option, path, why);
  return -1;
}

int ex_config_load(ex_config_t *c, const char *path, char *err, size_t errlen) {
  if (dg_executor_conf_read(c, path, err, errlen) != 0)
    return -1;
  return check_key_file(c->key_file, "KeyFile", path, err, errlen) ||
                 check_key_file(c->plan_key_file, "PlanKeyFile", path, err,
                                errlen) ||
                 check_key_file(c->redis_password_file, "RedisPasswordFile",
                                path, err, errlen)
             ? -1
             : 0;
}
