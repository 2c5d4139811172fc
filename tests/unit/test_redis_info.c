/* Unit tests for ctl_info_field: reading one field of Redis's INFO text,
 * which driftguard-ctl check's Redis findings rest on. */
#include "../tap.h"
#include "ctl/redis_setup.h"

#include <string.h>

static const char info[] =
    "# Replication\r\n"
    "role:master\r\n"
    "connected_slaves:2\r\n"
    "slave0:ip=10.0.0.2,port=6379,state=online,offset=42,lag=0\r\n"
    "slave1:ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=0\r\n"
    "master_replid:abc\r\n"
    "master_repl_offset:42\r\n";

static void field_is(const char *field, const char *want) {
  char out[128] = "unset";
  int rc = ctl_info_field(info, field, out, sizeof(out));
  ok(rc == 0 && strcmp(out, want) == 0, "%s: '%s'", field, out);
}

int main(void) {
  char out[8] = "unset";
  field_is("role", "master");
  field_is("connected_slaves", "2");
  field_is("slave1", "ip=10.0.0.3,port=6379,state=wait_bgsave,offset=0,lag=0");
  field_is("master_repl_offset", "42");
  ok(ctl_info_field(info, "master_repl", out, sizeof(out)) == -1,
     "a prefix of a field name is not the field");
  ok(ctl_info_field(info, "Replication", out, sizeof(out)) == -1,
     "a section header is not a field");
  ok(ctl_info_field(info, "slave0", out, sizeof(out)) == 0 &&
         strcmp(out, "ip=10.0") == 0,
     "a long value is cut to the buffer: '%s'", out);
  ok(ctl_info_field("", "role", out, sizeof(out)) == -1, "empty text");
  ok(ctl_info_field("role:slave", "role", out, sizeof(out)) == 0 &&
         strcmp(out, "slave") == 0,
     "the last line needs no line end");
  return tap_done();
}
