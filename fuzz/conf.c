/* conf.c - fuzz target: the config reader (collectd's lexical form) and
 * its typed accessors. A file is refused with a reason or every item it
 * gave was text without control bytes. */
#include "fuzz.h"

#include "driftguard/conf.h"

#include <stdlib.h>
#include <string.h>

static int take(const dg_conf_item_t *item, void *user, char *err,
                size_t errlen) {
  char s[64];
  long l;
  int b;
  (void)user;
  DG_FUZZ_CHECK(item->key[0] != '\0' && item->line > 0);
  for (const char *p = item->text; *p; p++)
    DG_FUZZ_CHECK((unsigned char)*p >= 0x20 || *p == '\t');
  dg_conf_get_string(item, s, sizeof s, err, errlen);
  dg_conf_get_int(item, -1000, 1000, &l, err, errlen);
  dg_conf_get_bool(item, &b, err, errlen);
  return strcmp(item->key, "Stop") == 0 ? -1 : 0;
}

DG_FUZZ_TARGET(conf) {
  char *buf = malloc(size + 1), err[600];
  if (buf == NULL)
    return 0;
  memcpy(buf, data, size);
  buf[size] = '\0';
  err[0] = '\0';
  if (dg_conf_parse_buffer("fuzz.conf", buf, size, take, NULL, err,
                           sizeof err) != 0)
    DG_FUZZ_CHECK(strncmp(err, "fuzz.conf:", 10) == 0);
  free(buf);
  return 0;
}
