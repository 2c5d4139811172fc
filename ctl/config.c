/* config.c - driftguard-ctl reads the executor's own config file, so the
 * operator's tool always looks at the account the executor serves.
 *
 * The file is read by libdriftguard's executor_conf.c, the executor's own
 * reader: every option is known and checked, and a file the executor would
 * refuse is refused here with the same FILE:LINE and reason. ctl checks
 * the key files itself, in `check`. */
#include "ctl.h"

#include <stdio.h>
#include <string.h>

int ctl_conf_load(const char *path, ctl_conf_t *c, char *err, size_t errlen) {
  memset(c, 0, sizeof(*c));
  snprintf(c->path, sizeof(c->path), "%s", path);
  dg_executor_conf_defaults(&c->file);
  return dg_executor_conf_read(&c->file, path, err, errlen);
}
