/* keyfile.c - read secrets (exchange credentials, plan key, Redis password)
 * from key files, refusing files that others could read or change.
 *
 * The file is opened once, without following a symbolic link, and every
 * check is made on the opened descriptor (fstat), so the file checked is the
 * file read. */
#include "driftguard/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <openssl/crypto.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key file holds one to three short lines; anything bigger is a
 * mistake. */
#define KEYFILE_MAX_BYTES 4096

void dg_secret_wipe(void *p, size_t n) {
  if (p != NULL && n > 0)
    OPENSSL_cleanse(p, n);
}

/* DG_SERVICE_USER's group, or (gid_t)-1 when the host has none. */
static gid_t service_gid(void) {
  struct group gr, *found = NULL;
  char buf[1024];
  if (getgrnam_r(DG_SERVICE_USER, &gr, buf, sizeof buf, &found) != 0 ||
      found == NULL)
    return (gid_t)-1;
  return found->gr_gid;
}

/* Set by dg_keyfile_judge_for_service(). */
static int judge_for_service;

void dg_keyfile_judge_for_service(void) {
  judge_for_service = 1;
}

/* Who the files are judged for: this process, or as root judging for the
 * service, the service user when it exists. */
static void reader_now(dg_key_reader_t *r) {
  struct passwd pw, *found = NULL;
  char buf[1024];
  r->uid = geteuid();
  r->gid = getegid();
  r->shared_gid = service_gid();
  r->name = NULL;
  if (!judge_for_service || r->uid != 0 ||
      getpwnam_r(DG_SERVICE_USER, &pw, buf, sizeof buf, &found) != 0 ||
      found == NULL)
    return;
  r->uid = found->pw_uid;
  r->gid = found->pw_gid;
  r->name = "user " DG_SERVICE_USER;
}

/* The fix every refusal points at: one of the two layouts of keyfile.h. */
#define LAYOUT_FIX                                                             \
  "fix: chmod 600 %s (read by its owner only), or chown root:" DG_SERVICE_USER \
  " %s && chmod 640 %s (shared by the plugin and the executor)"

int dg_keyfile_judge(const char *path, const struct stat *st,
                     const dg_key_reader_t *r, char *err, size_t errlen) {
  unsigned mode = (unsigned)(st->st_mode & 07777);
  const char *who = r->name != NULL ? r->name : "this process";
  if (!S_ISREG(st->st_mode)) {
    snprintf(err, errlen, "key file %s is not a regular file", path);
    return -1;
  }
  if (mode & 0007) {
    snprintf(err, errlen,
             "key file %s is accessible by others (mode %04o); " LAYOUT_FIX,
             path, mode, path, path, path);
    return -1;
  }
  if (st->st_uid != 0 && st->st_uid != r->uid) {
    snprintf(err, errlen,
             "key file %s is owned by uid %u, neither root nor %s (uid %u); "
             "fix: chown root:" DG_SERVICE_USER " %s && chmod 640 %s",
             path, (unsigned)st->st_uid, who, (unsigned)r->uid, path, path);
    return -1;
  }
  if (mode & 0070) {
    /* Group read only, root's file, and the group is driftguard's (or the
     * reader's own, not root's): nobody but that group may read it, and no
     * group member may change it. */
    int shared_group =
        (r->shared_gid != (gid_t)-1 && st->st_gid == r->shared_gid) ||
        (r->gid != 0 && st->st_gid == r->gid);
    if ((mode & 0070) != 0040 || st->st_uid != 0 || !shared_group) {
      snprintf(err, errlen,
               "key file %s is accessible by its group (gid %u, mode %04o); "
               "group read is allowed only for root:" DG_SERVICE_USER
               " 0640; " LAYOUT_FIX,
               path, (unsigned)st->st_gid, mode, path, path, path);
      return -1;
    }
  }
  /* Judged for another user (root checking for the service): that user
   * must be able to open it; this process opening it proves nothing. */
  if (r->name != NULL && r->uid != 0 &&
      !(st->st_uid == r->uid && (mode & 0400)) &&
      !(st->st_gid == r->gid && (mode & 0040))) {
    snprintf(err, errlen,
             "key file %s (uid %u, gid %u, mode %04o) cannot be read by %s, "
             "who runs the service; fix: chown root:" DG_SERVICE_USER
             " %s && chmod 640 %s",
             path, (unsigned)st->st_uid, (unsigned)st->st_gid, mode, who, path,
             path);
    return -1;
  }
  return 0;
}

/* Open PATH for reading and check it for its reader. Returns the fd, or -1
 * with err. */
static int open_checked(const char *path, char *err, size_t errlen) {
  struct stat st;
  dg_key_reader_t r;
  /* O_NONBLOCK: a FIFO planted at PATH must not hang the caller; it is
   * refused below as not a regular file. */
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ELOOP)
      snprintf(err, errlen,
               "key file %s is a symbolic link; point the option at the real "
               "file",
               path);
    else
      snprintf(err, errlen, "key file %s: cannot open: %s", path,
               strerror(errno));
    return -1;
  }
  if (fstat(fd, &st) != 0) {
    snprintf(err, errlen, "key file %s: cannot stat: %s", path,
             strerror(errno));
    close(fd);
    return -1;
  }
  reader_now(&r);
  if (dg_keyfile_judge(path, &st, &r, err, errlen) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int dg_keyfile_check(const char *path, char *err, size_t errlen) {
  int fd = open_checked(path, err, errlen);
  if (fd < 0)
    return -1;
  close(fd);
  return 0;
}

/* Read the whole (small) file into buf, NUL-terminated. Returns its length or
 * -1 with err. */
static ssize_t read_all(const char *path, char *buf, size_t size, char *err,
                        size_t errlen) {
  size_t len = 0;
  int fd = open_checked(path, err, errlen);
  if (fd < 0)
    return -1;
  for (;;) {
    ssize_t n = read(fd, buf + len, size - 1 - len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      snprintf(err, errlen, "key file %s: cannot read: %s", path,
               strerror(errno));
      close(fd);
      return -1;
    }
    if (n == 0)
      break;
    len += (size_t)n;
    if (len == size - 1) {
      snprintf(err, errlen,
               "key file %s is larger than %d bytes; it should hold only the "
               "key line(s)",
               path, KEYFILE_MAX_BYTES - 1);
      close(fd);
      return -1;
    }
  }
  close(fd);
  buf[len] = '\0';
  return (ssize_t)len;
}

/* Copy the next line of *cursor (without its trailing spaces, tabs, CR, LF)
 * into out and advance *cursor. Returns 0, -1 with err. */
static int take_line(const char *path, int lineno, const char *what,
                     char **cursor, char *out, size_t size, char *err,
                     size_t errlen) {
  char *line = *cursor;
  char *nl = strchr(line, '\n');
  size_t len = nl ? (size_t)(nl - line) : strlen(line);
  *cursor = nl ? nl + 1 : line + len;
  while (len > 0 && strchr(" \t\r", line[len - 1]) != NULL)
    len--;
  if (len == 0) {
    snprintf(err, errlen, "key file %s: line %d (%s) is empty", path, lineno,
             what);
    return -1;
  }
  if (len >= size) {
    snprintf(err, errlen, "key file %s: line %d (%s) is longer than %zu bytes",
             path, lineno, what, size - 1);
    return -1;
  }
  memcpy(out, line, len);
  out[len] = '\0';
  return 0;
}

/* Nothing but blank space may follow the expected lines. */
static int expect_end(const char *path, const char *cursor, int nlines,
                      char *err, size_t errlen) {
  if (cursor[strspn(cursor, " \t\r\n")] == '\0')
    return 0;
  snprintf(err, errlen, "key file %s has more than %d line%s", path, nlines,
           nlines == 1 ? "" : "s");
  return -1;
}

int dg_keyfile_read_credentials(const char *path, dg_api_credentials_t *out,
                                char *err, size_t errlen) {
  char buf[KEYFILE_MAX_BYTES];
  char *cursor = buf;
  int rc = -1;
  memset(out, 0, sizeof(*out));
  if (read_all(path, buf, sizeof(buf), err, errlen) < 0)
    return -1;
  if (take_line(path, 1, "API key", &cursor, out->api_key, sizeof(out->api_key),
                err, errlen) != 0)
    goto done;
  if (*cursor == '\0') {
    snprintf(err, errlen,
             "key file %s has one line; it needs two: the API key, then the "
             "secret",
             path);
    goto done;
  }
  if (take_line(path, 2, "secret", &cursor, out->secret, sizeof(out->secret),
                err, errlen) != 0)
    goto done;
  if (cursor[strspn(cursor, " \t\r\n")] == '\0') {
    rc = 0;
    goto done;
  }
  if (take_line(path, 3, "passphrase", &cursor, out->passphrase,
                sizeof(out->passphrase), err, errlen) != 0)
    goto done;
  rc = expect_end(path, cursor, 3, err, errlen);
done:
  dg_secret_wipe(buf, sizeof(buf));
  if (rc != 0)
    dg_secret_wipe(out, sizeof(*out));
  return rc;
}

int dg_keyfile_read_line(const char *path, char *out, size_t size, char *err,
                         size_t errlen) {
  char buf[KEYFILE_MAX_BYTES];
  char *cursor = buf;
  int rc = -1;
  if (size == 0) {
    snprintf(err, errlen, "key file %s: no room for the key", path);
    return -1;
  }
  out[0] = '\0';
  if (read_all(path, buf, sizeof(buf), err, errlen) < 0)
    return -1;
  if (take_line(path, 1, "key", &cursor, out, size, err, errlen) == 0 &&
      expect_end(path, cursor, 1, err, errlen) == 0)
    rc = (int)strlen(out);
  dg_secret_wipe(buf, sizeof(buf));
  if (rc < 0)
    dg_secret_wipe(out, size);
  return rc;
}

dg_hmac_key_t *dg_keyfile_read_hmac_key(const char *path, char *err,
                                        size_t errlen) {
  char key[DG_SECRET_MAX];
  dg_hmac_key_t *k = NULL;
  int len = dg_keyfile_read_line(path, key, sizeof(key), err, errlen);
  /* An empty line is refused by dg_keyfile_read_line. */
  if (len > 0 && (k = dg_hmac_key_new(key, (size_t)len)) == NULL)
    snprintf(err, errlen, "key file %s: cannot prepare the key (out of memory)",
             path);
  dg_secret_wipe(key, sizeof(key));
  return k;
}
