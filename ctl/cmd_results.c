/* cmd_results.c - `driftguard-ctl results [-n N]`: the executor's last N
 * result entries, newest first. JSON carries every field of each entry;
 * the table shows the ones an operator scans for. */
#include "ctl.h"

#include <stdio.h>

int ctl_cmd_results(ctl_t *c) {
  static const ctl_column_t cols[] = {{"TIME", "stream_ms", CTL_CELL_TIME},
                                      {"SYMBOL", "symbol", CTL_CELL_TEXT},
                                      {"STATUS", "status", CTL_CELL_TEXT},
                                      {"RULE", "rule", CTL_CELL_TEXT},
                                      {"QTY", "executed_qty", CTL_CELL_TEXT},
                                      {"ORDER_ID", "order_id", CTL_CELL_TEXT},
                                      {"PLAN_ID", "plan_id", CTL_CELL_TEXT},
                                      {"ERROR", "error", CTL_CELL_TEXT}};
  char stream[DG_KEY_MAX], err[1024];
  json_object *rows, *doc;
  if (dg_key_result_stream(stream, sizeof(stream), c->conf.file.key_prefix) < 0)
    return ctl_fail(c, CTL_EXIT_USAGE, "KeyPrefix too long");
  if (ctl_redis_connect(c, err, sizeof(err)) != 0 ||
      (rows = ctl_stream_latest(c, stream, c->opts->count, err, sizeof(err))) ==
          NULL)
    return ctl_fail(c, CTL_EXIT_FAIL, err);
  doc = json_object_new_object();
  json_object_object_add(doc, "stream", json_object_new_string(stream));
  ctl_print_list(c->opts->json, doc, "results", rows, cols, CTL_NCOLS(cols),
                 "no result entries");
  return CTL_EXIT_OK;
}
