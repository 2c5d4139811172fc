/* Unit tests for the flat collectd-style config reader: values, comments,
 * and the FILE:LINE of every error. */
#include "../tap.h"
#include "driftguard/conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[] = "/tmp/dgconf.XXXXXX";

static void write_conf(const char *text) {
  FILE *f = fopen(path, "w");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
}

/* Records every item as "Key=type:text@line;" */
static int record(const dg_conf_item_t *item, void *user, char *err,
                  size_t errlen) {
  static const char type_char[] = {'s', 'n', 'b'};
  char *out = user;
  size_t used = strlen(out);
  (void)err;
  (void)errlen;
  snprintf(out + used, 1024 - used, "%s=%c:%s@%d;", item->key,
           type_char[item->type], item->text, item->line);
  return 0;
}

/* Refuses the option named "Bad" with a reason of its own. */
static int refuse_bad(const dg_conf_item_t *item, void *user, char *err,
                      size_t errlen) {
  (void)user;
  if (strcmp(item->key, "Bad") == 0) {
    snprintf(err, errlen, "Bad is not an option");
    return -1;
  }
  return 0;
}

static void parses(const char *text, const char *want, const char *name) {
  char got[1024] = "", err[512] = "";
  write_conf(text);
  if (!ok(dg_conf_parse_file(path, record, got, err, sizeof(err)) == 0,
          "%s: parsed", name))
    printf("#   error: %s\n", err);
  is_str(got, want, name);
}

/* A file of len bytes, NUL bytes included, must be refused with exactly
 * "PATH:LINE: reason". */
static void refuses_bytes(const char *bytes, size_t len, int line,
                          const char *reason, const char *name) {
  char got[1024] = "", err[512] = "", want[600];
  FILE *f = fopen(path, "w");
  if (f == NULL || fwrite(bytes, 1, len, f) != len || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
  ok(dg_conf_parse_file(path, record, got, err, sizeof(err)) == -1,
     "%s: refused", name);
  snprintf(want, sizeof(want), "%s:%d: %s", path, line, reason);
  is_str(err, want, name);
}

/* The file must be refused with exactly "PATH:LINE: reason". */
static void refuses(const char *text, int line, const char *reason,
                    const char *name) {
  char got[1024] = "", err[512] = "", want[600];
  write_conf(text);
  ok(dg_conf_parse_file(path, record, got, err, sizeof(err)) == -1,
     "%s: refused", name);
  snprintf(want, sizeof(want), "%s:%d: %s", path, line, reason);
  is_str(err, want, name);
}

int main(void) {
  int fd = mkstemp(path);
  char err[512], buf[16];
  long l;
  int b;
  dg_conf_item_t item = {"Opt", DG_CONF_NUMBER, "42", 3};

  if (fd < 0) {
    perror("mkstemp");
    return 1;
  }
  close(fd);

  parses("# executor\n\nURL \"https://fapi.binance.com\"\n"
         "  Timeout 3   # seconds\n\tDryRun true\nHoldLease -1.50\n"
         "Group exec_1\nOff off\n",
         "URL=s:https://fapi.binance.com@3;Timeout=n:3@4;DryRun=b:true@5;"
         "HoldLease=n:-1.50@6;Group=s:exec_1@7;Off=b:false@8;",
         "strings, numbers, booleans, bare words, comments, blank lines");
  parses("Path \"a \\\"quoted\\\" \\\\ # not a comment\" # comment\r\n",
         "Path=s:a \"quoted\" \\ # not a comment@1;",
         "escapes, '#' inside a string, CRLF");
  parses("Empty \"\"\nLast 7", "Empty=s:@1;Last=n:7@2;",
         "empty string, last line without newline");

  refuses("URL \"https://x\n", 1, "unterminated string (missing '\"')",
          "unterminated string");
  refuses("\n\nKey \"a\\n\"\n", 3,
          "unknown escape in string (only \\\" and \\\\ are allowed)",
          "unknown escape");
  refuses("A 1\n<Plugin reconcile>\n", 2,
          "blocks (<...>) are not supported here; write flat `Key value` "
          "lines",
          "block refused");
  refuses("A 1\nB 2\nKey \"a\" \"b\"\n", 3,
          "option Key takes one value; remove what follows it",
          "two values refused");
  refuses("Key 12abc\n", 1, "option Key: unexpected 'a' after the value",
          "garbage after a number");
  refuses("Key @@\n", 1,
          "option Key: value must be a \"string\", a number or true/false",
          "garbage value");
  refuses("# c\n= 3\n", 2, "expected an option name, found '='",
          "garbage instead of a key");
  refuses("Key\n", 1, "option Key has no value", "missing value");
  refuses("Key   # nothing\n", 1, "option Key has no value",
          "missing value before a comment");
  refuses("Ke-y 1\n", 1, "invalid character '-' in option name Ke", "bad key");
  {
    char want[600];
    write_conf("Good 1\nBad 2\n");
    ok(dg_conf_parse_file(path, refuse_bad, NULL, err, sizeof(err)) == -1,
       "callback refusal stops the parse");
    snprintf(want, sizeof(want), "%s:2: Bad is not an option", path);
    is_str(err, want, "callback's reason gets FILE:LINE");
  }

  /* A NUL byte used to end the file silently: what followed it (a
   * PlanKeyFile) was dropped and the file said OK. */
  {
    static const char nul[] = "Key 1\n# x\0\nPlanKeyFile \"/k\"\n";
    refuses_bytes(nul, sizeof nul - 1, 2,
                  "control byte 0x00 at column 4: a config file is text (a NUL "
                  "byte would hide the rest of the file)",
                  "a NUL byte in a comment");
    static const char nul_value[] = "Key \"a\0b\"\n";
    refuses_bytes(nul_value, sizeof nul_value - 1, 1,
                  "control byte 0x00 at column 7: a config file is text (a NUL "
                  "byte would hide the rest of the file)",
                  "a NUL byte in a string");
  }
  refuses("Key 1\nOther \"a\033[2Jb\"\n", 2,
          "control byte 0x1b at column 9: a config file is text (a NUL byte "
          "would hide the rest of the file)",
          "an escape byte in a string");
  refuses("Key\r1\n", 1,
          "control byte 0x0d at column 4: a config file is text (a NUL byte "
          "would hide the rest of the file)",
          "a carriage return inside a line");
  refuses("Key 1\x7f\n", 1,
          "control byte 0x7f at column 6: a config file is text (a NUL byte "
          "would hide the rest of the file)",
          "a DEL byte");
  parses("Key\t\"x\"\r\nPath \"/d\xc3\xa9j\xc3\xa0\"\n",
         "Key=s:x@1;Path=s:/d\xc3\xa9j\xc3\xa0@2;",
         "tabs, CRLF line ends and UTF-8 are text");

  {
    char want[600];
    unlink(path);
    ok(dg_conf_parse_file(path, record, NULL, err, sizeof(err)) == -1,
       "missing file refused");
    snprintf(want, sizeof(want), "%s: cannot open: No such file or directory",
             path);
    is_str(err, want, "missing file message is FILE: reason");
  }

  ok(dg_conf_get_int(&item, 0, 100, &l, err, sizeof(err)) == 0 && l == 42,
     "get_int in range");
  ok(dg_conf_get_int(&item, 0, 10, &l, err, sizeof(err)) == -1, "get_int max");
  is_str(err, "option Opt must be an integer from 0 to 10",
         "get_int range message");
  item.text = "4.5";
  ok(dg_conf_get_int(&item, 0, 10, &l, err, sizeof(err)) == -1,
     "get_int refuses a decimal");
  ok(dg_conf_get_string(&item, buf, sizeof(buf), err, sizeof(err)) == -1,
     "get_string refuses a number");
  is_str(err, "option Opt expects a string, e.g. Opt \"...\"",
         "get_string type message");
  item.type = DG_CONF_STRING;
  item.text = "0123456789abcdefXYZ";
  ok(dg_conf_get_string(&item, buf, sizeof(buf), err, sizeof(err)) == -1,
     "get_string refuses an overlong value");
  item.text = "short";
  ok(dg_conf_get_string(&item, buf, sizeof(buf), err, sizeof(err)) == 0 &&
         strcmp(buf, "short") == 0,
     "get_string copies");
  ok(dg_conf_get_bool(&item, &b, err, sizeof(err)) == -1,
     "get_bool refuses a string");
  is_str(err, "option Opt must be true or false", "get_bool message");
  item.type = DG_CONF_BOOLEAN;
  item.text = "true";
  ok(dg_conf_get_bool(&item, &b, err, sizeof(err)) == 0 && b == 1,
     "get_bool true");
  return tap_done();
}
