/* config.h - the executor's configuration (SPEC section 8): the options are
 * libdriftguard's executor_conf.h; this adds the start-up checks of the key
 * files the executor is about to read. */
#ifndef DG_EXECUTOR_CONFIG_H
#define DG_EXECUTOR_CONFIG_H

#include "driftguard/executor_conf.h"

#include <stddef.h>

#define EX_DEFAULT_CONFIG SYSCONFDIR "/driftguard/executor.conf"

typedef dg_executor_conf_t ex_config_t;

/* Fill the defaults (dg_executor_conf_defaults). */
void ex_config_defaults(ex_config_t *c);
/* Read path over the defaults, then check that the key files it names exist
 * and are private. Returns 0, or -1 with "FILE:LINE: reason" or
 * "FILE: reason" in err. */
int ex_config_load(ex_config_t *c, const char *path, char *err, size_t errlen);

#endif
