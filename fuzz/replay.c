/* replay.c - runs files through the fuzz targets without libFuzzer, so
 * every compiler (and make check) exercises the corpora:
 *   replay TARGET FILE_OR_DIR...
 * Exit 0 when every input went through; a broken property aborts. */
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef int (*target_fn)(const uint8_t *, size_t);

static const struct {
  const char *name;
  target_fn fn;
} targets[] = {
#define DG_FUZZ_ENTRY(name) {#name, dg_fuzz_##name},
    DG_FUZZ_TARGETS(DG_FUZZ_ENTRY)};

#define REPLAY_MAX_INPUT (1u << 24)

/* Run one file; the number of inputs run (1), or -1. */
static long run_file(target_fn fn, const char *path) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf;
  size_t n;
  if (f == NULL) {
    perror(path);
    return -1;
  }
  buf = malloc(REPLAY_MAX_INPUT);
  if (buf == NULL) {
    fclose(f);
    return -1;
  }
  n = fread(buf, 1, REPLAY_MAX_INPUT, f);
  fclose(f);
  /* An exact-size copy, so reading past the input is caught. */
  {
    unsigned char *exact = malloc(n > 0 ? n : 1);
    if (exact == NULL) {
      free(buf);
      return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    fn(exact, n);
    free(exact);
  }
  return 1;
}

/* A file, or every regular file of a directory (not recursive). */
static long run_path(target_fn fn, const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *e;
  long total = 0;
  if (stat(path, &st) != 0) {
    perror(path);
    return -1;
  }
  if (!S_ISDIR(st.st_mode))
    return run_file(fn, path);
  if ((d = opendir(path)) == NULL) {
    perror(path);
    return -1;
  }
  while ((e = readdir(d)) != NULL) {
    char child[4096];
    long n;
    if (e->d_name[0] == '.')
      continue;
    snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    if (stat(child, &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if ((n = run_file(fn, child)) < 0) {
      closedir(d);
      return -1;
    }
    total += n;
  }
  closedir(d);
  return total;
}

int main(int argc, char **argv) {
  target_fn fn = NULL;
  long total = 0;
  for (size_t i = 0; argc > 1 && i < sizeof targets / sizeof targets[0]; i++)
    if (strcmp(argv[1], targets[i].name) == 0)
      fn = targets[i].fn;
  if (fn == NULL || argc < 3) {
    fprintf(stderr, "usage: replay TARGET FILE_OR_DIR...\ntargets:");
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
      fprintf(stderr, " %s", targets[i].name);
    fputc('\n', stderr);
    return 2;
  }
  for (int i = 2; i < argc; i++) {
    long n = run_path(fn, argv[i]);
    if (n < 0)
      return 1;
    total += n;
  }
  printf("%s: %ld inputs\n", argv[1], total);
  return 0;
}
