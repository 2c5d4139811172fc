/* secret.c - pages for secrets, kept out of core dumps (see secret.h). */
#include "driftguard/secret.h"

#include "driftguard/keyfile.h"

#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

static size_t pages_for(size_t n) {
  size_t page = (size_t)sysconf(_SC_PAGESIZE);
  return n == 0 ? page : (n + page - 1) / page * page;
}

void *dg_secret_alloc(size_t n) {
  size_t size = pages_for(n);
  void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  /* Without the flag the secret would be dumped: refuse the memory. */
  if (madvise(p, size, MADV_DONTDUMP) != 0) {
    munmap(p, size);
    return NULL;
  }
  return p; /* anonymous pages are zeroed */
}

void dg_secret_free(void *p, size_t n) {
  if (p == NULL)
    return;
  dg_secret_wipe(p, n);
  munmap(p, pages_for(n));
}

int dg_secret_no_dump(void) {
  return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0 ? 0 : -1;
}
