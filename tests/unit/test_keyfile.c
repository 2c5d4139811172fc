/* Unit tests for key files: permission rule, line handling, messages. */
#include "../tap.h"
#include "driftguard/keyfile.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/dgkeyfile.XXXXXX";

/* Write a file in the test directory with the given contents and mode. */
static const char *make_file(const char *name, const char *text, mode_t mode) {
  static char path[512];
  FILE *f;
  snprintf(path, sizeof(path), "%s/%s", dir, name);
  f = fopen(path, "w");
  if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
    perror(path);
    exit(1);
  }
  chmod(path, mode);
  return path;
}

static int contains(const char *hay, const char *needle) {
  return strstr(hay, needle) != NULL;
}

/* dg_keyfile_check run in a child whose effective gid is gid. */
static int check_as_gid(const char *path, gid_t gid) {
  int status = -1;
  pid_t pid = fork();
  if (pid == 0) {
    char err[512];
    if (setegid(gid) != 0)
      _exit(2);
    _exit(dg_keyfile_check(path, err, sizeof(err)) == 0 ? 0 : 1);
  }
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
      WEXITSTATUS(status) == 2)
    return -2;
  return WEXITSTATUS(status) == 0 ? 0 : -1;
}

int main(void) {
  dg_api_credentials_t cred;
  char err[512], line[DG_SECRET_MAX], small[8], fixhint[600];
  const char *path;
  int n;

  if (mkdtemp(dir) == NULL) {
    perror("mkdtemp");
    return 1;
  }

  path = make_file("ok.key", "APIKEY123\nSECRET456\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == 0,
     "0600 credentials file accepted");
  is_str(cred.api_key, "APIKEY123", "first line is the API key");
  is_str(cred.secret, "SECRET456", "second line is the secret");
  is_str(cred.passphrase, "", "two lines: no passphrase");
  ok(dg_keyfile_check(path, err, sizeof(err)) == 0, "check passes on 0600");

  path = make_file("crlf.key", "APIKEY123  \r\nSECRET456\t\r\n\r\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == 0,
     "CRLF file with trailing spaces and blank line accepted");
  is_str(cred.api_key, "APIKEY123", "CRLF and trailing spaces stripped");
  is_str(cred.secret, "SECRET456", "CRLF and tab stripped from the secret");

  path = make_file("noeol.key", "plan-key-no-newline", 0400);
  n = dg_keyfile_read_line(path, line, sizeof(line), err, sizeof(err));
  ok(n == (int)strlen("plan-key-no-newline"), "one line without newline");
  is_str(line, "plan-key-no-newline", "line content");
  {
    /* The prepared key signs as the key's text does. */
    char want[DG_SHA256_HEXLEN + 1], got[DG_SHA256_HEXLEN + 1];
    dg_hmac_key_t *k = dg_keyfile_read_hmac_key(path, err, sizeof(err));
    ok(k != NULL && dg_hmac_key_hex(k, "plan", 4, got) == 0 &&
           dg_hmac_sha256_hex("plan-key-no-newline", 19, "plan", 4, want) ==
               0 &&
           strcmp(got, want) == 0,
       "hmac key read from a key file");
    dg_hmac_key_free(k);
    path = make_file("empty.key", "\n", 0600);
    ok(dg_keyfile_read_hmac_key(path, err, sizeof(err)) == NULL &&
           contains(err, "is empty"),
       "an empty hmac key file refused: %s", err);
  }

  path = make_file("world.key", "APIKEY\nSECRET\n", 0644);
  snprintf(fixhint, sizeof(fixhint), "chmod 600 %s", path);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == -1,
     "0644 refused");
  ok(contains(err, path) && contains(err, "others") && contains(err, "0644") &&
         contains(err, fixhint),
     "0644 message names path, problem, mode and fix: %s", err);
  ok(cred.api_key[0] == '\0' && cred.secret[0] == '\0',
     "refused read leaves no secret behind");

  path = make_file("worldw.key", "APIKEY\nSECRET\n", 0602);
  ok(dg_keyfile_check(path, err, sizeof(err)) == -1, "0602 refused");

  path = make_file("group.key", "APIKEY\nSECRET\n", 0640);
  ok(dg_keyfile_read_line(path, line, sizeof(line), err, sizeof(err)) == -1,
     getegid() == 0 ? "0640 refused when running as root (gid 0)"
                    : "0640 refused: not root:own-group");
  ok(contains(err, "group") && contains(err, path) &&
         contains(err, "chmod 600"),
     "group message: %s", err);

  if (geteuid() == 0) {
    /* The packaged layout: 0640 root:driftguard read by a service whose
     * effective group is driftguard (here gid 4242, in a child). */
    path = make_file("packaged.key", "APIKEY\nSECRET\n", 0640);
    if (chown(path, 0, 4242) != 0)
      perror("chown");
    ok(check_as_gid(path, 4242) == 0,
       "0640 root:G accepted for a process with effective gid G");
    ok(check_as_gid(path, 4343) == -1,
       "0640 root:G refused for a process in another group");
    chmod(path, 0660);
    ok(check_as_gid(path, 4242) == -1,
       "0660 root:G refused (group write) even for group G");
  }

  path = make_file("empty.key", "", 0600);
  ok(dg_keyfile_read_line(path, line, sizeof(line), err, sizeof(err)) == -1,
     "empty file refused");
  ok(contains(err, path) && contains(err, "empty"), "empty message: %s", err);

  path = make_file("blank.key", "   \n", 0600);
  ok(dg_keyfile_read_line(path, line, sizeof(line), err, sizeof(err)) == -1,
     "file of spaces refused");

  path = make_file("one.key", "APIKEY\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == -1,
     "one line when two are needed refused");
  ok(contains(err, "one line") && contains(err, "secret"),
     "one-line message: %s", err);

  path = make_file("emptysecret.key", "APIKEY\n\nSECRET\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == -1,
     "empty second line refused");
  ok(contains(err, "line 2"), "empty line names the line: %s", err);

  path = make_file("three.key", "a\nb\nPASS phrase 789 \r\n\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == 0,
     "three lines: key, secret and passphrase (OKX)");
  is_str(cred.passphrase, "PASS phrase 789",
         "the third line is the passphrase, trailing blanks stripped");
  path = make_file("emptythird.key", "a\nb\n\nc\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == -1 &&
         contains(err, "line 3 (passphrase) is empty"),
     "an empty third line before more text refused: %s", err);
  ok(cred.api_key[0] == '\0' && cred.secret[0] == '\0' &&
         cred.passphrase[0] == '\0',
     "a refused file leaves no secret behind");
  path = make_file("four.key", "a\nb\nc\nd\n", 0600);
  ok(dg_keyfile_read_credentials(path, &cred, err, sizeof(err)) == -1 &&
         contains(err, "more than 3 lines"),
     "four lines refused for credentials: %s", err);
  path = make_file("two.key", "a\nb\n", 0600);
  ok(dg_keyfile_read_line(path, line, sizeof(line), err, sizeof(err)) == -1,
     "two lines refused for a one-line key");

  path = make_file("long.key", "0123456789\n", 0600);
  ok(dg_keyfile_read_line(path, small, sizeof(small), err, sizeof(err)) == -1,
     "oversized line refused");
  ok(contains(err, "longer than 7"), "oversized message: %s", err);

  snprintf(line, sizeof(line), "%s/missing.key", dir);
  ok(dg_keyfile_read_line(line, small, sizeof(small), err, sizeof(err)) == -1,
     "missing file refused");
  ok(contains(err, line) && contains(err, "No such file"),
     "missing message: %s", err);

  {
    char link[600];
    path = make_file("target.key", "KEY\n", 0600);
    snprintf(link, sizeof(link), "%s/link.key", dir);
    ok(symlink(path, link) == 0 &&
           dg_keyfile_check(link, err, sizeof(err)) == -1 &&
           contains(err, "symbolic link"),
       "symbolic link refused: %s", err);
    unlink(link);
  }
  {
    char fifo[600];
    snprintf(fifo, sizeof(fifo), "%s/fifo.key", dir);
    ok(mkfifo(fifo, 0600) == 0 &&
           dg_keyfile_check(fifo, err, sizeof(err)) == -1 &&
           contains(err, "not a regular file"),
       "FIFO refused without blocking: %s", err);
    unlink(fifo);
    ok(dg_keyfile_check(dir, err, sizeof(err)) == -1 &&
           contains(err, "not a regular file"),
       "directory refused");
  }

  {
    /* The one layout rule, judged for each reader (dg_keyfile_judge). */
    const gid_t dg = 4242;                           /* driftguard's group */
    const dg_key_reader_t plugin = {0, 0, dg, NULL}; /* root's collectd */
    const dg_key_reader_t executor = {4242, dg, dg, NULL}; /* the service */
    const dg_key_reader_t t_as_root = {4242, dg, dg, "user driftguard"};
    const dg_key_reader_t no_service = {0, 0, (gid_t)-1, NULL};
    struct stat st;
    memset(&st, 0, sizeof st);
    st.st_mode = S_IFREG | 0640;
    st.st_uid = 0;
    st.st_gid = dg;
    ok(dg_keyfile_judge("k", &st, &plugin, err, sizeof err) == 0,
       "0640 root:driftguard: accepted by the plugin in root's collectd");
    ok(dg_keyfile_judge("k", &st, &executor, err, sizeof err) == 0,
       "0640 root:driftguard: accepted by the executor");
    ok(dg_keyfile_judge("k", &st, &t_as_root, err, sizeof err) == 0,
       "0640 root:driftguard: accepted by -t / ctl run as root for the "
       "service");
    ok(dg_keyfile_judge("k", &st, &no_service, err, sizeof err) == -1 &&
           contains(err, "group"),
       "0640 root:G refused when G is not driftguard's group (no such group)");
    st.st_mode = S_IFREG | 0660;
    ok(dg_keyfile_judge("k", &st, &plugin, err, sizeof err) == -1 &&
           contains(err, "chown root:driftguard k && chmod 640 k"),
       "0660 root:driftguard refused (group write), fix names the layout: %s",
       err);
    st.st_mode = S_IFREG | 0640;
    st.st_gid = 100; /* users */
    ok(dg_keyfile_judge("k", &st, &plugin, err, sizeof err) == -1 &&
           contains(err, "gid 100"),
       "0640 root:users refused: %s", err);

    st.st_mode = S_IFREG | 0600;
    st.st_uid = 4242;
    st.st_gid = dg;
    ok(dg_keyfile_judge("k", &st, &executor, err, sizeof err) == 0,
       "0600 driftguard: accepted by the executor");
    ok(dg_keyfile_judge("k", &st, &t_as_root, err, sizeof err) == 0,
       "0600 driftguard: accepted by -t run as root (the service reads it)");
    ok(dg_keyfile_judge("k", &st, &plugin, err, sizeof err) == -1 &&
           contains(err, "owned by uid 4242") &&
           contains(err, "chown root:driftguard"),
       "0600 driftguard: refused by the plugin (the service could change "
       "what root's collectd reads): %s",
       err);

    st.st_uid = 0;
    st.st_gid = 0;
    ok(dg_keyfile_judge("k", &st, &plugin, err, sizeof err) == 0,
       "0600 root: accepted by the plugin");
    ok(dg_keyfile_judge("k", &st, &t_as_root, err, sizeof err) == -1 &&
           contains(err, "cannot be read by user driftguard") &&
           contains(err, "chown root:driftguard k && chmod 640 k"),
       "0600 root: refused by -t as root, since the service cannot read it: "
       "%s",
       err);
    ok(!contains(err, "chown 0"), "and never told to chown 0");
  }

  {
    char secret[] = "s3cr3t";
    dg_secret_wipe(secret, sizeof(secret));
    ok(memcmp(secret, "\0\0\0\0\0\0\0", sizeof(secret)) == 0,
       "dg_secret_wipe zeroes memory");
  }

  {
    char cmd[600];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
      fprintf(stderr, "cleanup of %s failed\n", dir);
  }
  return tap_done();
}
