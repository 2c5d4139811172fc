/* config.c - driftguard-ctl reads the executor's own config file, so the
 * operator's tool always looks at the account the executor serves.
 *
 * The file is read by libdriftguard's executor_conf.c, the executor's own
 * reader: every option is known and checked, and a file the executor would
 * refuse is refused here with the same FILE:LINE and reason. ctl keeps the
 * options it uses; it checks the key files itself, in `check`. */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

/* Copy one option; both sides are declared with the same size. */
#define TAKE(field)                                                            \
  do {                                                                         \
    _Static_assert(sizeof c->field == sizeof file.field, #field);              \
    memcpy(c->field, file.field, sizeof c->field);                             \
  } while (0)

int ctl_conf_load(const char *path, ctl_conf_t *c, char *err, size_t errlen) {
  dg_executor_conf_t file;
  memset(c, 0, sizeof(*c));
  snprintf(c->path, sizeof(c->path), "%s", path);
  dg_executor_conf_defaults(&file);
  if (dg_executor_conf_read(&file, path, err, errlen) != 0)
    return -1;
  TAKE(exchange);
  TAKE(url);
  TAKE(key_file);
  TAKE(redis_url);
  TAKE(redis_password_file);
  TAKE(plan_key_file);
  TAKE(group);
  TAKE(key_prefix);
  c->timeout_ms = file.timeout_s * 1000;
  c->recv_window_ms = file.recv_window_ms;
  return 0;
}
